// Small pieces the connection and server calls share.
#pragma once

#include <string>
#include <sys/socket.h>
#include <utility>

#include "concur/asyncio/transports.hpp"
#include "concur/core/owned_fd.hpp"

namespace concur::asyncio::detail {

using FdGuard = concur::OwnedFd;

/// Sets O_NONBLOCK; OSError on failure.
void set_non_blocking(int fd);

/// The sockaddr_un of `path`; OSError("AF_UNIX path too long") when it does not fit.
std::pair<sockaddr_storage, socklen_t> unix_address(const std::string& path);

/// Python's "error while attempting to bind on address ...: <strerror, lower case>".
std::string bind_error_message(const SocketAddress& address, int errno_value);

} // namespace concur::asyncio::detail
