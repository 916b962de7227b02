// Opening connections on the loop (Python's loop.create_connection, create_unix_connection,
// connect_read_pipe, connect_write_pipe): a transport and its protocol, ready to run.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <sys/socket.h>
#include <type_traits>
#include <utility>

#include "concur/asyncio/coroutine.hpp"
#include "concur/asyncio/protocols.hpp"
#include "concur/asyncio/transports.hpp"
#include "concur/core/unique_function.hpp"

namespace concur::asyncio {

/// Makes the protocol of each new connection (Python's protocol_factory).
using ProtocolFactory = UniqueFunction<std::shared_ptr<BaseProtocol>()>;

/// Python's keyword arguments of create_connection().
struct ConnectionOptions {
    /// AF_UNSPEC (any), AF_INET or AF_INET6, and the getaddrinfo() proto and flags.
    int family = AF_UNSPEC;
    int proto = 0;
    int flags = 0;
    /// Bind the socket to this (host, port) before connecting.
    std::optional<std::pair<std::string, int>> local_addr = std::nullopt;
    /// A connected stream socket to use instead of connecting (the host must then be empty);
    /// the transport takes it over.
    int sock = -1;
};

template <class P>
using Connection = std::pair<std::shared_ptr<Transport>, std::shared_ptr<P>>;

namespace detail {
Coroutine<Connection<BaseProtocol>> create_connection(ProtocolFactory factory, std::string host,
                                                      int port, ConnectionOptions options);
Coroutine<Connection<BaseProtocol>> create_unix_connection(ProtocolFactory factory,
                                                           std::string path, int sock);
Connection<BaseProtocol> connect_pipe(ProtocolFactory factory, int fd, bool read);

template <class Factory>
using ProtocolOf = typename std::invoke_result_t<Factory&>::element_type;

template <class P>
Coroutine<Connection<P>> cast_connection(Coroutine<Connection<BaseProtocol>> opening) {
    Connection<BaseProtocol> c = co_await std::move(opening);
    co_return Connection<P>{std::move(c.first), std::static_pointer_cast<P>(std::move(c.second))};
}
} // namespace detail

/// Connects to `host`:`port` over TCP, trying each address getaddrinfo() gives in turn, and
/// runs the protocol `factory()` makes on it (Python's loop.create_connection). `factory`
/// returns a std::shared_ptr to a protocol. Raises the connection's OSError
/// (ConnectionRefusedError...), or OSError("Multiple exceptions: ...") when the addresses
/// failed differently; gaierror when the host is unknown. Cancel safety: a socket being
/// connected is closed.
template <class Factory>
Coroutine<Connection<detail::ProtocolOf<Factory>>>
create_connection(Factory factory, std::string host, int port, ConnectionOptions options = {}) {
    return detail::cast_connection<detail::ProtocolOf<Factory>>(detail::create_connection(
        ProtocolFactory(std::move(factory)), std::move(host), port, std::move(options)));
}

/// As create_connection(), to the Unix socket at `path` (Python's create_unix_connection);
/// or over the connected Unix socket `sock` when `path` is empty.
template <class Factory>
Coroutine<Connection<detail::ProtocolOf<Factory>>>
create_unix_connection(Factory factory, std::string path, int sock = -1) {
    return detail::cast_connection<detail::ProtocolOf<Factory>>(
        detail::create_unix_connection(ProtocolFactory(std::move(factory)), std::move(path), sock));
}

/// Runs the protocol on the read end of a pipe `fd` (Python's loop.connect_read_pipe); the
/// transport takes `fd` over and makes it non-blocking. ValueError if `fd` is no pipe, socket
/// or character device (the caller keeps it then).
template <class Factory>
Connection<detail::ProtocolOf<Factory>> connect_read_pipe(Factory factory, int fd) {
    auto c = detail::connect_pipe(ProtocolFactory(std::move(factory)), fd, true);
    return {std::move(c.first), std::static_pointer_cast<detail::ProtocolOf<Factory>>(c.second)};
}

/// Runs the protocol on the write end of a pipe `fd` (Python's loop.connect_write_pipe).
template <class Factory>
Connection<detail::ProtocolOf<Factory>> connect_write_pipe(Factory factory, int fd) {
    auto c = detail::connect_pipe(ProtocolFactory(std::move(factory)), fd, false);
    return {std::move(c.first), std::static_pointer_cast<detail::ProtocolOf<Factory>>(c.second)};
}

} // namespace concur::asyncio
