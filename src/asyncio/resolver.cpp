#include "concur/asyncio/resolver.hpp"

#include <cerrno>
#include <cstring>
#include <memory>
#include <netdb.h>

#include "concur/asyncio/threads.hpp"

namespace concur::asyncio {

namespace {

[[noreturn]] void raise_gai(int rc) {
    if (rc == EAI_SYSTEM) {
        const int e = errno;
        throw OSError(e, std::generic_category().message(e));
    }
    throw gaierror(rc, "[Errno " + std::to_string(rc) + "] " + ::gai_strerror(rc));
}

std::vector<AddrInfo> resolve(const std::string& host, const std::string& port,
                              const GetAddrInfoOptions& o) {
    addrinfo hints{};
    hints.ai_family = o.family;
    hints.ai_socktype = o.type;
    hints.ai_protocol = o.proto;
    hints.ai_flags = o.flags;
    addrinfo* list = nullptr;
    const int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(),
                                 port.empty() ? nullptr : port.c_str(), &hints, &list);
    if (rc != 0) {
        raise_gai(rc);
    }
    const std::unique_ptr<addrinfo, void (*)(addrinfo*)> owner(list, ::freeaddrinfo);
    std::vector<AddrInfo> out;
    for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        AddrInfo r;
        r.family = ai->ai_family;
        r.type = ai->ai_socktype;
        r.proto = ai->ai_protocol;
        if (ai->ai_canonname != nullptr) {
            r.canonname = ai->ai_canonname;
        }
        if (ai->ai_addrlen <= sizeof r.address) {
            std::memcpy(&r.address, ai->ai_addr, ai->ai_addrlen);
            r.address_length = ai->ai_addrlen;
        }
        out.push_back(std::move(r));
    }
    return out;
}

std::pair<std::string, std::string> name_of(const sockaddr_storage& address, socklen_t length,
                                            int flags) {
    char host[NI_MAXHOST];
    char service[NI_MAXSERV];
    const int rc = ::getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, host,
                                 sizeof host, service, sizeof service, flags);
    if (rc != 0) {
        raise_gai(rc);
    }
    return {host, service};
}

} // namespace

// The calls are named before the co_await: GCC 12 miscompiles a lambda with non-trivial
// captures made inside a co_await expression (its captures are freed twice).
Coroutine<std::vector<AddrInfo>> getaddrinfo(std::string host, std::string port,
                                             GetAddrInfoOptions options) {
    auto call = [host = std::move(host), port = std::move(port), options] {
        return resolve(host, port, options);
    };
    co_return co_await to_thread(std::move(call));
}

Coroutine<std::pair<std::string, std::string>> getnameinfo(sockaddr_storage address,
                                                           socklen_t length, int flags) {
    auto call = [address, length, flags] { return name_of(address, length, flags); };
    co_return co_await to_thread(std::move(call));
}

Coroutine<std::vector<AddrInfo>> detail::ensure_resolved(std::string host, int port,
                                                         GetAddrInfoOptions options) {
    std::string service = std::to_string(port);
    GetAddrInfoOptions numeric = options;
    numeric.flags |= AI_NUMERICHOST | AI_NUMERICSERV;
    try {
        co_return resolve(host, service, numeric);
    } catch (const gaierror& e) {
        if (e.code().value() != EAI_NONAME) {
            throw;
        }
    }
    co_return co_await getaddrinfo(std::move(host), std::move(service), options);
}

} // namespace concur::asyncio
