#include "socket_util.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/un.h>
#include <system_error>

#include "concur/core/exceptions.hpp"

namespace concur::asyncio::detail {

void set_non_blocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ((flags & O_NONBLOCK) == 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)) {
        const int e = errno;
        raise_os_error(e, "fcntl: " + std::generic_category().message(e));
    }
}

std::pair<sockaddr_storage, socklen_t> unix_address(const std::string& path) {
    sockaddr_un un{};
    if (path.size() >= sizeof un.sun_path) {
        throw OSError(ENAMETOOLONG, "AF_UNIX path too long");
    }
    un.sun_family = AF_UNIX;
    std::memcpy(un.sun_path, path.data(), path.size());
    sockaddr_storage storage{};
    std::memcpy(&storage, &un, sizeof un);
    // An abstract name (leading NUL) counts its exact length; a path its terminating NUL too.
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() +
                                               (path[0] == '\0' ? 0 : 1));
    return {storage, length};
}

std::string bind_error_message(const SocketAddress& address, int errno_value) {
    std::string reason = std::generic_category().message(errno_value);
    std::transform(reason.begin(), reason.end(), reason.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return "error while attempting to bind on address " + address.to_string() + ": " + reason;
}

} // namespace concur::asyncio::detail
