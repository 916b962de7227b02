#include "concur/multiprocessing/connection.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <system_error>
#include <unistd.h>

#include "concur/core/exceptions.hpp"

namespace concur::multiprocessing {
namespace {

constexpr std::uint64_t kShortLimit = 0x7fffffff; // Python's largest 4-byte length

void put_big_endian(unsigned char* out, std::uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) {
        out[i] = static_cast<unsigned char>(value & 0xff);
        value >>= 8;
    }
}

std::uint64_t get_big_endian(const unsigned char* in, int bytes) {
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) {
        value = (value << 8) | in[i];
    }
    return value;
}

// Writes every byte of `parts`, however many calls the kernel needs (a message may be larger
// than the socket's buffer). MSG_NOSIGNAL turns a closed peer into EPIPE instead of SIGPIPE.
void write_all(int fd, std::array<iovec, 2> parts) {
    iovec* first = parts.data();
    int count = 2;
    while (count > 0) {
        if (first->iov_len == 0) {
            ++first;
            --count;
            continue;
        }
        msghdr message{};
        message.msg_iov = first;
        message.msg_iovlen = static_cast<std::size_t>(count);
        ssize_t sent = ::sendmsg(fd, &message, MSG_NOSIGNAL);
        if (sent < 0 && errno == ENOTSOCK) {
            sent = ::writev(fd, first, count); // a plain pipe given to Connection(fd, ...)
        }
        if (sent < 0) {
            if (errno == EINTR) {
                continue;
            }
            const int error = errno;
            raise_os_error(error, "send failed: " + std::generic_category().message(error));
        }
        auto left = static_cast<std::size_t>(sent);
        while (count > 0 && left >= first->iov_len) {
            left -= first->iov_len;
            ++first;
            --count;
        }
        if (count > 0) {
            first->iov_base = static_cast<char*>(first->iov_base) + left;
            first->iov_len -= left;
        }
    }
}

// Reads up to `size` bytes; 0 only at end of file.
std::size_t read_some(int fd, char* data, std::size_t size) {
    for (;;) {
        const ssize_t got = ::read(fd, data, size);
        if (got >= 0) {
            return static_cast<std::size_t>(got);
        }
        if (errno != EINTR) {
            const int error = errno;
            raise_os_error(error, "recv failed: " + std::generic_category().message(error));
        }
    }
}

} // namespace

Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        readable_ = other.readable_;
        writable_ = other.writable_;
    }
    return *this;
}

void Connection::close() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

int Connection::fileno() const {
    if (fd_ < 0) {
        throw OSError(EBADF, "handle is closed");
    }
    return fd_;
}

void Connection::check_readable() const {
    (void)fileno();
    if (!readable_) {
        throw OSError(EBADF, "connection is write-only");
    }
}

void Connection::check_writable() const {
    (void)fileno();
    if (!writable_) {
        throw OSError(EBADF, "connection is read-only");
    }
}

int Connection::duplicate(int fd) {
    const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0) {
        raise_os_error(errno, "dup of an inherited connection failed");
    }
    return copy;
}

void Connection::send_bytes(std::string_view buf) {
    send_bytes(buf, 0, npos);
}

void Connection::send_bytes(std::string_view buf, std::size_t offset, std::size_t size) {
    check_writable();
    if (offset > buf.size()) {
        throw ValueError("buffer length < offset");
    }
    if (size == npos) {
        size = buf.size() - offset;
    } else if (size > buf.size() - offset) {
        throw ValueError("buffer length < offset + size");
    }
    std::array<unsigned char, 12> header{};
    std::size_t header_size = 4;
    if (size > kShortLimit) {
        put_big_endian(header.data(), 0xffffffff, 4); // -1: an 8-byte length follows
        put_big_endian(header.data() + 4, size, 8);
        header_size = 12;
    } else {
        put_big_endian(header.data(), size, 4);
    }
    write_all(fd_, {iovec{header.data(), header_size},
                    iovec{const_cast<char*>(buf.data() + offset), size}});
}

bool Connection::read_length(std::uint64_t& length) {
    std::array<unsigned char, 8> header{};
    auto* data = reinterpret_cast<char*>(header.data());
    std::size_t got = 0;
    while (got < 4) {
        const std::size_t n = read_some(fd_, data + got, 4 - got);
        if (n == 0) {
            if (got == 0) {
                return false;
            }
            throw OSError(EIO, "got end of file during message");
        }
        got += n;
    }
    length = get_big_endian(header.data(), 4);
    if (length == 0xffffffff) {
        read_exact(data, 8);
        length = get_big_endian(header.data(), 8);
    }
    return true;
}

void Connection::read_exact(char* data, std::size_t size) {
    while (size > 0) {
        const std::size_t n = read_some(fd_, data, size);
        if (n == 0) {
            throw OSError(EIO, "got end of file during message");
        }
        data += n;
        size -= n;
    }
}

void Connection::bad_message_length() {
    // As Python: the rest of the message cannot be skipped, so stop reading.
    if (writable_) {
        readable_ = false;
    } else {
        close();
    }
    throw OSError(EIO, "bad message length");
}

std::string Connection::recv_bytes(std::size_t maxlength) {
    check_readable();
    std::uint64_t length = 0;
    if (!read_length(length)) {
        throw EOFError("end of file: the other end of the connection is closed");
    }
    if (length > maxlength) {
        bad_message_length();
    }
    std::string message(static_cast<std::size_t>(length), '\0');
    read_exact(message.data(), message.size());
    return message;
}

std::size_t Connection::recv_bytes_into(std::span<std::byte> buf, std::size_t offset) {
    check_readable();
    if (offset > buf.size()) {
        throw ValueError("offset out of bounds");
    }
    std::uint64_t length = 0;
    if (!read_length(length)) {
        throw EOFError("end of file: the other end of the connection is closed");
    }
    if (length > buf.size() - offset) {
        // Read the message out of the stream all the same, so the next one can be read.
        std::string rest(static_cast<std::size_t>(length), '\0');
        read_exact(rest.data(), rest.size());
        throw BufferTooShort("the message (" + std::to_string(length) +
                             " bytes) is longer than the buffer");
    }
    read_exact(reinterpret_cast<char*>(buf.data() + offset), static_cast<std::size_t>(length));
    return static_cast<std::size_t>(length);
}

bool Connection::poll(Timeout timeout) {
    check_readable();
    const Deadline deadline = Deadline::after(timeout);
    for (;;) {
        int wait_ms = -1;
        if (const Timeout left = deadline.remaining()) {
            wait_ms = static_cast<int>(std::min(std::ceil(left->count() * 1000.0), 2.0e9));
        }
        pollfd entry{fd_, POLLIN, 0};
        const int ready = ::poll(&entry, 1, wait_ms);
        if (ready > 0) {
            return true; // readable, or hung up: recv() then tells which
        }
        if (ready == 0) {
            if (deadline.expired()) {
                return false;
            }
            continue;
        }
        if (errno != EINTR) {
            raise_os_error(errno, "poll failed");
        }
    }
}

std::pair<Connection, Connection> Pipe(bool duplex) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        raise_os_error(errno, "socketpair failed");
    }
    if (duplex) {
        return {Connection(fds[0], true, true), Connection(fds[1], true, true)};
    }
    // A one-way pipe is a socket pair shut in one direction, rather than pipe(2), so that
    // writing to a closed reader is EPIPE (MSG_NOSIGNAL) and never kills the process.
    ::shutdown(fds[0], SHUT_WR);
    ::shutdown(fds[1], SHUT_RD);
    return {Connection(fds[0], true, false), Connection(fds[1], false, true)};
}

} // namespace concur::multiprocessing
