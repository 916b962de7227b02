#include "fd_io.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>

#include "concur/core/exceptions.hpp"
#include "concur/multiprocessing/exceptions.hpp"

namespace concur::multiprocessing::detail {

std::pair<OwnedFd, OwnedFd> socket_pair() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        raise_os_error(errno, "socketpair");
    }
    return {OwnedFd(sv[0]), OwnedFd(sv[1])};
}

void send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            raise_os_error(errno, "cannot write to the child process");
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

bool wait_readable(int fd, const Deadline& deadline) {
    for (;;) {
        int ms = -1;
        if (const Timeout left = deadline.remaining()) {
            ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(*left).count());
        }
        pollfd p{fd, POLLIN, 0};
        const int r = ::poll(&p, 1, ms);
        if (r > 0) {
            return true;
        }
        if (r == 0) {
            return false;
        }
        if (errno != EINTR) {
            raise_os_error(errno, "poll");
        }
    }
}

bool recv_exact(int fd, char* out, std::size_t size, const Deadline& deadline) {
    std::size_t got = 0;
    while (got < size) {
        if (!wait_readable(fd, deadline)) {
            throw TimeoutError("timed out waiting for the child process");
        }
        const ssize_t n = ::recv(fd, out + got, size - got, 0);
        if (n == 0) {
            if (got == 0) {
                return false;
            }
            throw ProcessError("the other process closed its end in the middle of a message");
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            raise_os_error(errno, "cannot read from the child process");
        }
        got += static_cast<std::size_t>(n);
    }
    return true;
}

void send_frame(int fd, std::string_view data) {
    const auto size = static_cast<std::uint32_t>(data.size());
    char header[4];
    std::memcpy(header, &size, 4);
    send_all(fd, std::string_view(header, 4));
    send_all(fd, data);
}

bool recv_frame(int fd, std::string& out, const Deadline& deadline) {
    char header[4];
    if (!recv_exact(fd, header, 4, deadline)) {
        return false;
    }
    std::uint32_t size = 0;
    std::memcpy(&size, header, 4);
    out.resize(size);
    if (size > 0 && !recv_exact(fd, out.data(), size, deadline)) {
        throw ProcessError("the other process closed its end in the middle of a message");
    }
    return true;
}

} // namespace concur::multiprocessing::detail
