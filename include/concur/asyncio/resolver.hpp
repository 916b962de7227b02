// Name resolution for the loop (Python's loop.getaddrinfo and loop.getnameinfo): the C
// library's blocking resolver, run in the loop's default executor so that the loop runs on.
#pragma once

#include <string>
#include <sys/socket.h>
#include <utility>
#include <vector>

#include "concur/asyncio/coroutine.hpp"
#include "concur/core/exceptions.hpp"

namespace concur::asyncio {

/// Python's socket.gaierror: a name or service the resolver cannot resolve. code().value()
/// holds the EAI_* code, what() its description.
class gaierror : public OSError {
public:
    gaierror(int eai_code, std::string message) : OSError(eai_code, std::move(message)) {}
};

/// One result of getaddrinfo() (Python's (family, type, proto, canonname, sockaddr) tuple).
struct AddrInfo {
    int family = 0;
    int type = 0;
    int proto = 0;
    std::string canonname;
    sockaddr_storage address{};
    socklen_t address_length = 0;
};

/// Python's keyword arguments of getaddrinfo().
struct GetAddrInfoOptions {
    int family = AF_UNSPEC;
    int type = 0;
    int proto = 0;
    int flags = 0; // AI_* flags
};

/// Resolves `host` and `port` (either may be empty, as Python's None) in the default executor.
/// gaierror when they cannot be resolved. Cancel safety: a lookup already started finishes in
/// its thread and is dropped.
Coroutine<std::vector<AddrInfo>> getaddrinfo(std::string host, std::string port,
                                             GetAddrInfoOptions options = {});

/// The host and service of an address (Python's loop.getnameinfo), in the default executor.
/// gaierror on failure.
Coroutine<std::pair<std::string, std::string>> getnameinfo(sockaddr_storage address,
                                                           socklen_t length, int flags = 0);

namespace detail {
/// getaddrinfo() as the connection and server calls use it (Python's _ensure_resolved): a
/// numeric host is converted at once, on the loop; a name goes to the default executor.
Coroutine<std::vector<AddrInfo>> ensure_resolved(std::string host, int port,
                                                 GetAddrInfoOptions options);
} // namespace detail

} // namespace concur::asyncio
