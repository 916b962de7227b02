#include "concur/asyncio/server.hpp"

#include <cerrno>
#include <netinet/in.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

#include "concur/asyncio/resolver.hpp"
#include "concur/core/exceptions.hpp"
#include "server_core.hpp"
#include "socket_util.hpp"

namespace concur::asyncio {

namespace detail {

namespace {

// Python's ACCEPT_RETRY_DELAY: out of descriptors, accepting waits this long.
constexpr double kAcceptRetryDelay = 1.0;

bool out_of_resources(int e) {
    return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM;
}

} // namespace

ServerCore::ServerCore(EventLoop& loop, ProtocolFactory factory, int backlog)
    : loop_(&loop), factory_(std::move(factory)), backlog_(backlog > 0 ? backlog : 100) {}

ServerCore::~ServerCore() {
    close_listeners();
}

void ServerCore::add_listener(int fd) {
    FdGuard guard(fd);
    set_non_blocking(fd);
    if (::listen(fd, backlog_) != 0) {
        const int e = errno;
        raise_os_error(e, "listen: " + std::generic_category().message(e));
    }
    auto l = std::make_unique<Listener>();
    l->core = this;
    l->fd = guard.release();
    l->run = &ServerCore::on_acceptable;
    listeners_.push_back(std::move(l));
    loop_->link_resource(this);
}

void ServerCore::start_serving() {
    if (serving_ || closed_) {
        return;
    }
    serving_ = true;
    watch_all();
}

void ServerCore::watch_all() {
    for (auto& l : listeners_) {
        if (!l->watching) {
            loop_->watch(l->fd, selectors::EVENT_READ, l.get());
            l->watching = true;
        }
    }
}

void ServerCore::unwatch_all() noexcept {
    for (auto& l : listeners_) {
        if (l->watching) {
            loop_->unwatch(l->fd, selectors::EVENT_READ, l.get());
            l->watching = false;
        }
    }
}

void ServerCore::on_acceptable(Runnable* r) {
    auto* l = static_cast<Listener*>(r);
    if (!l->core->loop_->discarding() && l->watching) {
        l->core->accept_from(*l);
    }
}

void ServerCore::accept_from(Listener& l) {
    // The listener may be closed by a protocol's connection_made() below: keep the core alive
    // and stop once it is.
    const std::shared_ptr<ServerCore> self = shared_from_this();
    for (int i = 0; i < backlog_ && l.watching; ++i) {
        const int fd = ::accept4(l.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            const int e = errno;
            if (e == EINTR || e == ECONNABORTED) {
                continue;
            }
            if (e == EAGAIN || e == EWOULDBLOCK) {
                return;
            }
            const std::string what = "accept: " + std::generic_category().message(e);
            if (out_of_resources(e)) {
                // As Python: report, stop accepting for a while, then try again.
                loop_->call_exception_handler(
                    {"socket.accept() out of system resource", make_os_error(e, what)});
                unwatch_all();
                std::weak_ptr<ServerCore> weak = self;
                retry_ =
                    loop_->call_later(std::chrono::duration<double>(kAcceptRetryDelay), [weak] {
                        if (auto core = weak.lock(); core && core->serving_) {
                            core->watch_all();
                        }
                    });
                return;
            }
            loop_->call_exception_handler(
                {"Error on accepting a connection", make_os_error(e, what)});
            return;
        }
        std::shared_ptr<BaseProtocol> protocol;
        try {
            protocol = factory_();
            if (!protocol) {
                throw ValueError("the protocol factory returned null");
            }
        } catch (...) {
            ::close(fd);
            loop_->call_exception_handler(
                {"Error on transport creation for incoming connection", std::current_exception()});
            continue;
        }
        FdTransport::start(*loop_, fd, FdTransport::Kind::kSocket, std::move(protocol), self);
    }
}

void ServerCore::attach(FdTransport* transport) noexcept {
    clients_.insert(transport);
}

void ServerCore::detach(FdTransport* transport) noexcept {
    clients_.erase(transport);
    if (clients_.empty() && closed_) {
        all_closed_.set();
    }
}

void ServerCore::close() {
    if (closed_) {
        return;
    }
    closed_ = true;
    serving_ = false;
    retry_.cancel();
    unwatch_all();
    close_listeners();
    closing_.set();
    if (clients_.empty()) {
        all_closed_.set();
    }
}

void ServerCore::close_listeners() noexcept {
    for (auto& l : listeners_) {
        if (l->fd >= 0) {
            ::close(l->fd);
            l->fd = -1;
        }
    }
    listeners_.clear();
    if (!unix_path_.empty()) {
        struct stat st {};
        if (::stat(unix_path_.c_str(), &st) == 0 && st.st_ino == unix_inode_) {
            ::unlink(unix_path_.c_str());
        }
        unix_path_.clear();
    }
    if (EventLoop::alive(loop_)) {
        loop_->unlink_resource(this);
    }
}

void ServerCore::close_clients() {
    const std::vector<FdTransport*> clients(clients_.begin(), clients_.end());
    for (FdTransport* t : clients) {
        t->close();
    }
}

void ServerCore::abort_clients() {
    const std::vector<FdTransport*> clients(clients_.begin(), clients_.end());
    for (FdTransport* t : clients) {
        t->abort();
    }
}

std::vector<int> ServerCore::sockets() const {
    std::vector<int> fds;
    for (const auto& l : listeners_) {
        fds.push_back(l->fd);
    }
    return fds;
}

void ServerCore::loop_closing() noexcept {
    closed_ = true;
    serving_ = false;
    for (auto& l : listeners_) {
        l->watching = false; // the closing loop drops its watches itself
    }
    close_listeners();
}

} // namespace detail

using detail::FdGuard;
using detail::ServerCore;

Server::Server(std::shared_ptr<detail::ServerHandle> handle) noexcept
    : handle_(std::move(handle)) {}

ServerCore& Server::core() const {
    if (!handle_) {
        throw RuntimeError("the Server is empty");
    }
    return handle_->core();
}

EventLoop& Server::get_loop() const {
    return core().loop();
}

bool Server::is_serving() const {
    return core().is_serving();
}

void Server::start_serving() {
    core().start_serving();
}

void Server::close() {
    core().close();
}

void Server::close_clients() {
    core().close_clients();
}

void Server::abort_clients() {
    core().abort_clients();
}

std::vector<int> Server::sockets() const {
    return core().sockets();
}

std::vector<SocketAddress> Server::addresses() const {
    std::vector<SocketAddress> out;
    for (int fd : sockets()) {
        out.push_back(SocketAddress::of_socket(fd));
    }
    return out;
}

Coroutine<void> Server::wait_closed() {
    const std::shared_ptr<detail::ServerHandle> keep = handle_;
    co_await core().all_closed().wait();
}

Coroutine<void> Server::serve_forever() {
    const std::shared_ptr<detail::ServerHandle> keep = handle_;
    ServerCore& c = core();
    if (c.serving_forever) {
        throw RuntimeError("server is already being awaited on serve_forever()");
    }
    if (c.closed()) {
        throw RuntimeError("server is closed");
    }
    c.start_serving();
    c.serving_forever = true;
    struct Finally {
        ServerCore& c;
        bool done = false;
        ~Finally() {
            c.serving_forever = false;
            if (!done) {
                c.close(); // cancelled: Python closes the server
            }
        }
    } finally{c};
    co_await c.closing().wait();
    finally.done = true;
}

namespace {

int open_listening_socket(const AddrInfo& info, const ServerOptions& o) {
    FdGuard fd(::socket(info.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, info.proto));
    if (fd.get() < 0) {
        const int e = errno;
        if (e == EAFNOSUPPORT) {
            return -1; // Python skips a family the system lacks
        }
        raise_os_error(e, "socket: " + std::generic_category().message(e));
    }
    const int one = 1;
    if (o.reuse_address) {
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    }
    if (o.reuse_port) {
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    }
    if (info.family == AF_INET6) {
        // As Python: an IPv6 socket serves IPv6 only, the IPv4 address has its own socket.
        ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    }
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&info.address), info.address_length) !=
        0) {
        const int e = errno;
        raise_os_error(e, detail::bind_error_message(
                              SocketAddress::from(reinterpret_cast<const sockaddr*>(&info.address),
                                                  info.address_length),
                              e));
    }
    return fd.release();
}

} // namespace

Coroutine<Server> detail::create_server(ProtocolFactory factory, std::string host, int port,
                                        ServerOptions options) {
    EventLoop& loop = get_running_loop();
    auto core = std::make_shared<ServerCore>(loop, std::move(factory), options.backlog);
    if (options.sock >= 0) {
        if (!host.empty()) {
            throw ValueError("host/port and sock can not be specified at the same time");
        }
        core->add_listener(options.sock);
    } else {
        const GetAddrInfoOptions hints{options.family, SOCK_STREAM, 0, options.flags | AI_PASSIVE};
        std::vector<AddrInfo> infos = co_await ensure_resolved(host, port, hints);
        for (const AddrInfo& info : infos) {
            const int fd = open_listening_socket(info, options);
            if (fd >= 0) {
                core->add_listener(fd);
            }
        }
        if (core->sockets().empty()) {
            throw OSError(EAFNOSUPPORT, "no address to listen on for " + host);
        }
    }
    if (options.start_serving) {
        core->start_serving();
    }
    co_return Server(std::make_shared<ServerHandle>(std::move(core)));
}

Coroutine<Server> detail::create_unix_server(ProtocolFactory factory, std::string path,
                                             UnixServerOptions options) {
    EventLoop& loop = get_running_loop();
    auto core = std::make_shared<ServerCore>(loop, std::move(factory), options.backlog);
    if (options.sock >= 0) {
        if (!path.empty()) {
            throw ValueError("path and sock can not be specified at the same time");
        }
        core->add_listener(options.sock);
    } else {
        if (path.empty()) {
            throw ValueError("path was not specified, and no sock specified");
        }
        const auto [address, length] = unix_address(path);
        if (path[0] != '\0') {
            struct stat st {};
            if (::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
                ::unlink(path.c_str()); // a stale socket of an earlier server
            }
        }
        FdGuard fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (fd.get() < 0) {
            const int e = errno;
            raise_os_error(e, "socket: " + std::generic_category().message(e));
        }
        if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) {
            const int e = errno;
            if (e == EADDRINUSE) {
                raise_os_error(e, "Address '" + path + "' is already in use");
            }
            raise_os_error(e, "bind " + path + ": " + std::generic_category().message(e));
        }
        struct stat st {};
        if (options.cleanup_socket && path[0] != '\0' && ::stat(path.c_str(), &st) == 0) {
            core->set_unix_path(path, st.st_ino);
        }
        core->add_listener(fd.release());
    }
    if (options.start_serving) {
        core->start_serving();
    }
    co_return Server(std::make_shared<ServerHandle>(std::move(core)));
}

} // namespace concur::asyncio
