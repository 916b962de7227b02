// Small pieces the connection and server calls share.
#pragma once

#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

#include "concur/asyncio/transports.hpp"

namespace concur::asyncio::detail {

/// Owns a descriptor until released: closes it if an error or a cancellation comes first.
class FdGuard {
public:
    FdGuard() = default;
    explicit FdGuard(int fd) noexcept : fd_(fd) {}
    FdGuard(FdGuard&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    FdGuard& operator=(FdGuard&& other) noexcept {
        reset(std::exchange(other.fd_, -1));
        return *this;
    }
    FdGuard(const FdGuard&) = delete;
    FdGuard& operator=(const FdGuard&) = delete;
    ~FdGuard() { reset(); }

    [[nodiscard]] int get() const noexcept { return fd_; }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

/// Sets O_NONBLOCK; OSError on failure.
void set_non_blocking(int fd);

/// The sockaddr_un of `path`; OSError("AF_UNIX path too long") when it does not fit.
std::pair<sockaddr_storage, socklen_t> unix_address(const std::string& path);

/// Python's "error while attempting to bind on address ...: <strerror, lower case>".
std::string bind_error_message(const SocketAddress& address, int errno_value);

} // namespace concur::asyncio::detail
