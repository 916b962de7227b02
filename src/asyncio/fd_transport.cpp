#include "fd_transport.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>

#include "concur/core/exceptions.hpp"

namespace concur::asyncio::detail {

namespace {

// Python's max_size for one read: what one readiness event delivers at most.
constexpr std::size_t kReadSize = 256 * 1024;

// One receive buffer per thread: data_received() sees it only for the length of the call.
char* read_buffer() {
    thread_local std::unique_ptr<char[]> buffer(new char[kReadSize]);
    return buffer.get();
}

bool would_block(int e) {
    return e == EAGAIN || e == EWOULDBLOCK;
}

std::exception_ptr os_error(int e, const char* what) {
    return make_os_error(e, std::string(what) + ": " + std::generic_category().message(e));
}

// Errors that end a connection without being anyone's bug: Python logs them in debug mode only.
bool is_os_error(const std::exception_ptr& exc) {
    try {
        std::rethrow_exception(exc);
    } catch (const OSError&) {
        return true;
    } catch (...) {
        return false;
    }
}

bool is_stream_socket(int fd, int* family) {
    int type = 0;
    socklen_t len = sizeof type;
    sockaddr_storage address{};
    socklen_t alen = sizeof address;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &alen) != 0) {
        return false;
    }
    *family = address.ss_family;
    return true;
}

} // namespace

FdTransport::FdTransport(EventLoop& loop, int fd, Kind kind, std::shared_ptr<BaseProtocol> protocol,
                         std::shared_ptr<TransportOwner> owner)
    : loop_(&loop), fd_(fd), kind_(kind), owner_(std::move(owner)) {
    reader_.self = this;
    reader_.run = &FdTransport::on_readable;
    writer_.self = this;
    writer_.run = &FdTransport::on_writable;
    flusher_.self = this;
    flusher_.run = &FdTransport::on_iteration_end;
    set_protocol(std::move(protocol));
    if (kind_ == Kind::kSocket) {
        int family = AF_UNSPEC;
        if (is_stream_socket(fd_, &family) && (family == AF_INET || family == AF_INET6)) {
            const int one = 1; // Python's _set_nodelay: small writes go out at once
            ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        try {
            sockname_ = SocketAddress::of_socket(fd_);
        } catch (const OSError&) {
        }
        try {
            peername_ = SocketAddress::of_peer(fd_);
        } catch (const OSError&) {
        }
    }
}

FdTransport::~FdTransport() {
    release_fd();
}

std::shared_ptr<FdTransport> FdTransport::start(EventLoop& loop, int fd, Kind kind,
                                                std::shared_ptr<BaseProtocol> protocol,
                                                std::shared_ptr<TransportOwner> owner) {
    std::shared_ptr<FdTransport> t;
    try {
        t = std::make_shared<FdTransport>(loop, fd, kind, std::move(protocol), std::move(owner));
    } catch (...) {
        ::close(fd);
        throw;
    }
    t->keep_ = t;
    loop.link_resource(t.get());
    if (t->owner_) {
        t->owner_->attach(t.get());
    }
    t->made_ = true;
    try {
        t->protocol_->connection_made(*t);
    } catch (...) {
        loop.call_exception_handler(
            {"Exception in callback protocol.connection_made()", std::current_exception()});
        t->force_close(nullptr);
        return t;
    }
    if (!t->closing_ && !t->paused_) {
        t->watch_reading(); // a write pipe reads nothing: readable means its reader has gone
    }
    return t;
}

std::any FdTransport::get_extra_info(std::string_view name) const {
    if (name == "peername") {
        return peername_;
    }
    if (name == "sockname") {
        return sockname_;
    }
    if ((name == "socket" && kind_ == Kind::kSocket) ||
        (name == "pipe" && kind_ != Kind::kSocket)) {
        return fd_ >= 0 ? std::any(fd_) : std::any();
    }
    return {};
}

void FdTransport::set_protocol(std::shared_ptr<BaseProtocol> protocol) {
    if (!protocol) {
        throw ValueError("the protocol must not be null");
    }
    protocol_ = std::move(protocol);
    stream_protocol_ = dynamic_cast<Protocol*>(protocol_.get());
    buffered_ = dynamic_cast<BufferedProtocol*>(protocol_.get());
}

// --- reading

void FdTransport::watch_reading() {
    if (!reading_ && fd_ >= 0) {
        loop_->watch(fd_, selectors::EVENT_READ, &reader_);
        reading_ = true;
    }
}

void FdTransport::stop_reading() noexcept {
    if (reading_) {
        loop_->unwatch(fd_, selectors::EVENT_READ, &reader_);
        reading_ = false;
    }
}

void FdTransport::pause_reading() {
    if (closing_ || paused_) {
        return;
    }
    paused_ = true;
    stop_reading();
}

void FdTransport::resume_reading() {
    if (closing_ || !paused_) {
        return;
    }
    paused_ = false;
    watch_reading();
}

void FdTransport::on_readable(Runnable* r) {
    FdTransport* t = static_cast<Watcher*>(r)->self;
    // A read queued before close(), pause_reading() or the loop's closing does nothing.
    if (!t->loop_->discarding() && t->reading_) {
        t->read_ready();
    }
}

void FdTransport::read_ready() {
    if (kind_ == Kind::kWritePipe) {
        // The reader closed its end (Python's _UnixWritePipeTransport._read_ready).
        if (get_write_buffer_size() > 0) {
            force_close(make_os_error(EPIPE, "the pipe's reader has gone"));
        } else {
            close();
        }
        return;
    }
    // One read per readiness: epoll is level-triggered, so data left behind is reported again.
    if (buffered_ != nullptr) {
        std::span<char> buf;
        try {
            buf = buffered_->get_buffer(kReadSize);
            if (buf.empty()) {
                throw RuntimeError("get_buffer() returned an empty buffer");
            }
        } catch (...) {
            fatal_error(std::current_exception(),
                        "Fatal error: protocol failed to allocate a buffer.");
            return;
        }
        const ssize_t n = ::read(fd_, buf.data(), buf.size());
        if (n > 0) {
            try {
                buffered_->buffer_updated(static_cast<std::size_t>(n));
            } catch (...) {
                fatal_error(std::current_exception(),
                            "Fatal error: protocol.buffer_updated() call failed.");
            }
            return;
        }
        if (n == 0) {
            read_eof();
        } else if (!would_block(errno) && errno != EINTR) {
            fatal_error(os_error(errno, "read"), "Fatal read error on socket transport");
        }
        return;
    }
    char* buf = read_buffer();
    const ssize_t n = ::read(fd_, buf, kReadSize);
    if (n > 0) {
        try {
            if (stream_protocol_ != nullptr) {
                stream_protocol_->data_received(std::string_view(buf, static_cast<std::size_t>(n)));
            }
        } catch (...) {
            fatal_error(std::current_exception(),
                        "Fatal error: protocol.data_received() call failed.");
        }
        return;
    }
    if (n == 0) {
        read_eof();
    } else if (!would_block(errno) && errno != EINTR) {
        fatal_error(os_error(errno, "read"), "Fatal read error on socket transport");
    }
}

void FdTransport::read_eof() {
    bool keep_open = false;
    try {
        if (stream_protocol_ != nullptr) {
            keep_open = stream_protocol_->eof_received();
        } else if (buffered_ != nullptr) {
            keep_open = buffered_->eof_received();
        }
    } catch (...) {
        fatal_error(std::current_exception(), "Fatal error: protocol.eof_received() call failed.");
        return;
    }
    if (keep_open && kind_ == Kind::kSocket) {
        stop_reading(); // half closed: writing goes on, there is nothing more to read
    } else {
        close();
    }
}

// --- writing

ssize_t FdTransport::send_some(const char* data, std::size_t size) {
    if (kind_ == Kind::kSocket) {
        return ::send(fd_, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    // A pipe has no MSG_NOSIGNAL: hold SIGPIPE off this thread while writing, and take back
    // the one a closed pipe raises, so the write fails with EPIPE instead of killing us.
    sigset_t pipe_set;
    sigset_t old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    const ssize_t n = ::write(fd_, data, size);
    const int e = errno;
    if (n < 0 && e == EPIPE && sigismember(&old, SIGPIPE) == 0) {
        const timespec zero{};
        while (::sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    errno = e;
    return n;
}

void FdTransport::write(std::string_view data) {
    if (eof_) {
        throw RuntimeError("Cannot call write() after write_eof()");
    }
    if (kind_ == Kind::kReadPipe) {
        throw NotImplementedError("a read pipe transport cannot write");
    }
    if (data.empty()) {
        return;
    }
    if (conn_lost_ > 0) {
        // As Python: writes after the connection was lost are dropped, with a warning after 5.
        if (++conn_lost_ == 6) {
            std::fputs("concur.asyncio: socket.send() raised exception.\n", stderr);
        }
        return;
    }
    // Sent at the end of the loop's iteration, with everything else written meanwhile: the
    // replies of one iteration leave together (uvloop's queued writes), and a protocol that
    // writes several pieces costs one system call.
    buffer_.append(data);
    if (writing_) {
        maybe_pause_protocol(); // the write watch sends it when the socket allows
        return;
    }
    if (get_write_buffer_size() > high_ && !protocol_paused_) {
        // Over the high-water mark: send now rather than pause a protocol whose data the
        // socket may well take at once (as uvloop does).
        write_ready();
        if (conn_lost_ > 0 || writing_ || get_write_buffer_size() == 0) {
            maybe_pause_protocol();
            return;
        }
    }
    if (!flush_queued_) {
        flush_queued_ = true;
        loop_->at_iteration_end(&flusher_);
    }
    maybe_pause_protocol();
}

void FdTransport::on_iteration_end(Runnable* r) {
    FdTransport* t = static_cast<Watcher*>(r)->self;
    t->flush_queued_ = false;
    if (!t->loop_->discarding() && !t->writing_ && t->get_write_buffer_size() > 0) {
        t->write_ready();
    }
}

void FdTransport::on_writable(Runnable* r) {
    FdTransport* t = static_cast<Watcher*>(r)->self;
    if (!t->loop_->discarding() && t->writing_) {
        t->write_ready();
    }
}

void FdTransport::write_ready() {
    ssize_t n = send_some(buffer_.data(), buffer_.size());
    if (n < 0) {
        const int e = errno;
        if (would_block(e) || e == EINTR) {
            n = 0; // full: wait until the socket can take more
        } else {
            stop_writing();
            buffer_.clear();
            fatal_error(os_error(e, "send"), "Fatal write error on socket transport");
            return;
        }
    }
    buffer_.consume(static_cast<std::size_t>(n));
    maybe_resume_protocol();
    if (get_write_buffer_size() > 0 && !writing_ && fd_ >= 0) {
        loop_->watch(fd_, selectors::EVENT_WRITE, &writer_); // the rest when the socket allows
        writing_ = true;
    }
    if (get_write_buffer_size() == 0) {
        stop_writing();
        if (closing_) {
            ++conn_lost_;
            call_connection_lost(nullptr);
        } else if (eof_ && kind_ == Kind::kSocket) {
            ::shutdown(fd_, SHUT_WR);
        }
    }
}

void FdTransport::stop_writing() noexcept {
    if (writing_) {
        loop_->unwatch(fd_, selectors::EVENT_WRITE, &writer_);
        writing_ = false;
    }
}

void FdTransport::write_eof() {
    if (closing_ || eof_) {
        return;
    }
    if (kind_ == Kind::kReadPipe) {
        throw NotImplementedError("a read pipe transport cannot write");
    }
    eof_ = true;
    if (get_write_buffer_size() == 0) {
        if (kind_ == Kind::kSocket) {
            ::shutdown(fd_, SHUT_WR);
        } else {
            close(); // a pipe's end of stream is its closing
        }
    }
}

void FdTransport::set_write_buffer_limits(std::optional<std::size_t> high,
                                          std::optional<std::size_t> low) {
    const std::size_t h = high ? *high : (low ? 4 * *low : 64 * 1024);
    const std::size_t l = low ? *low : h / 4;
    if (h < l) {
        throw ValueError("high (" + std::to_string(h) + ") must be >= low (" + std::to_string(l) +
                         ") must be >= 0");
    }
    high_ = h;
    low_ = l;
    maybe_pause_protocol();
}

void FdTransport::maybe_pause_protocol() {
    if (get_write_buffer_size() <= high_ || protocol_paused_) {
        return;
    }
    protocol_paused_ = true;
    try {
        protocol_->pause_writing();
    } catch (...) {
        loop_->call_exception_handler(
            {"protocol.pause_writing() failed", std::current_exception()});
    }
}

void FdTransport::maybe_resume_protocol() {
    if (!protocol_paused_ || get_write_buffer_size() > low_) {
        return;
    }
    protocol_paused_ = false;
    try {
        protocol_->resume_writing();
    } catch (...) {
        loop_->call_exception_handler(
            {"protocol.resume_writing() failed", std::current_exception()});
    }
}

// --- closing

void FdTransport::close() {
    if (closing_) {
        return;
    }
    closing_ = true;
    stop_reading();
    if (get_write_buffer_size() == 0) {
        ++conn_lost_;
        stop_writing();
        call_connection_lost(nullptr);
    }
}

void FdTransport::abort() {
    force_close(nullptr);
}

void FdTransport::force_close(std::exception_ptr exc) {
    if (conn_lost_ > 0) {
        return;
    }
    if (get_write_buffer_size() > 0) {
        buffer_.clear();
        stop_writing();
    }
    if (!closing_) {
        closing_ = true;
        stop_reading();
    }
    ++conn_lost_;
    call_connection_lost(std::move(exc));
}

void FdTransport::fatal_error(std::exception_ptr exc, const char* message) {
    if (!is_os_error(exc)) {
        loop_->call_exception_handler({message, exc});
    }
    force_close(std::move(exc));
}

// Python calls the protocol's connection_lost() on the next iteration, never from inside the
// call that closed: the transport stays alive until then (keep_).
void FdTransport::call_connection_lost(std::exception_ptr exc) {
    if (loop_->is_closed()) {
        loop_closing();
        return;
    }
    loop_->call_soon([this, exc = std::move(exc)]() mutable {
        struct Finally {
            FdTransport* t;
            ~Finally() {
                t->release_fd();
                std::shared_ptr<TransportOwner> owner = std::move(t->owner_);
                if (owner) {
                    owner->detach(t);
                }
                t->loop_->unlink_resource(t);
                t->protocol_.reset();
                t->stream_protocol_ = nullptr;
                t->buffered_ = nullptr;
                std::shared_ptr<FdTransport> self = std::move(t->keep_); // may free t, last
            }
        } finally{this};
        if (made_ && !loop_->discarding()) {
            protocol_->connection_lost(std::move(exc));
        }
    });
}

void FdTransport::release_fd() noexcept {
    stop_reading();
    stop_writing();
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

void FdTransport::loop_closing() noexcept {
    closing_ = true;
    conn_lost_ = std::max(conn_lost_, 1U); // later writes are dropped: the loop may be gone
    reading_ = writing_ = false;           // the closing loop drops its watches itself
    release_fd();
    if (owner_) {
        std::exchange(owner_, nullptr)->detach(this);
    }
    protocol_.reset();
    stream_protocol_ = nullptr;
    buffered_ = nullptr;
    std::shared_ptr<FdTransport> self = std::move(keep_); // may free this, last
}

} // namespace concur::asyncio::detail
