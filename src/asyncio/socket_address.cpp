#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/un.h>
#include <system_error>

#include "concur/asyncio/transports.hpp"
#include "concur/core/exceptions.hpp"

namespace concur::asyncio {

std::string SocketAddress::to_string() const {
    if (family == AF_INET) {
        return host + ":" + std::to_string(port);
    }
    if (family == AF_INET6) {
        return "[" + host + "]:" + std::to_string(port);
    }
    return path;
}

SocketAddress SocketAddress::from(const sockaddr* address, socklen_t length) {
    SocketAddress a;
    if (length < static_cast<socklen_t>(sizeof(sa_family_t))) {
        return a;
    }
    a.family = address->sa_family;
    char text[INET6_ADDRSTRLEN] = {};
    if (a.family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
        sockaddr_in in{};
        std::memcpy(&in, address, sizeof in);
        ::inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
        a.host = text;
        a.port = ntohs(in.sin_port);
    } else if (a.family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
        sockaddr_in6 in6{};
        std::memcpy(&in6, address, sizeof in6);
        ::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
        a.host = text;
        a.port = ntohs(in6.sin6_port);
    } else if (a.family == AF_UNIX) {
        sockaddr_un un{};
        std::memcpy(&un, address, std::min<std::size_t>(length, sizeof un));
        const std::size_t offset = offsetof(sockaddr_un, sun_path);
        const std::size_t n = length > offset ? length - offset : 0;
        if (n > 0 && un.sun_path[0] == '\0') {
            a.path.assign(un.sun_path, n); // an abstract name keeps its leading NUL
        } else {
            a.path.assign(un.sun_path, ::strnlen(un.sun_path, n));
        }
    }
    return a;
}

namespace {

template <class Get>
SocketAddress ask(int fd, Get get, const char* what) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (get(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        const int e = errno;
        raise_os_error(e, std::string(what) + ": " + std::generic_category().message(e));
    }
    return SocketAddress::from(reinterpret_cast<sockaddr*>(&address), length);
}

} // namespace

SocketAddress SocketAddress::of_socket(int fd) {
    return ask(fd, ::getsockname, "getsockname");
}

SocketAddress SocketAddress::of_peer(int fd) {
    return ask(fd, ::getpeername, "getpeername");
}

} // namespace concur::asyncio
