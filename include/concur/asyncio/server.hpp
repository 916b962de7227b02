// Servers (Python's asyncio.Server, loop.create_server and loop.create_unix_server): sockets
// that accept connections and run a new protocol on each.
#pragma once

#include <memory>
#include <netdb.h>
#include <optional>
#include <string>
#include <sys/socket.h>
#include <vector>

#include "concur/asyncio/connections.hpp"
#include "concur/asyncio/coroutine.hpp"
#include "concur/asyncio/locks.hpp"
#include "concur/asyncio/transports.hpp"

namespace concur::asyncio {

class EventLoop;

namespace detail {
class ServerCore;
class ServerHandle;
} // namespace detail

/// Python's keyword arguments of create_server().
struct ServerOptions {
    /// AF_UNSPEC (every family the host resolves to), AF_INET or AF_INET6; getaddrinfo flags.
    int family = AF_UNSPEC;
    int flags = AI_PASSIVE;
    /// A bound socket to listen on instead (the host must then be empty); the server owns it.
    int sock = -1;
    /// listen()'s backlog, and the most connections accepted per readiness.
    int backlog = 100;
    /// SO_REUSEADDR; Python's default on POSIX is on.
    bool reuse_address = true;
    /// SO_REUSEPORT: several servers may bind the same port.
    bool reuse_port = false;
    /// Start accepting at once (or at start_serving() / serve_forever()).
    bool start_serving = true;
};

/// Python's keyword arguments of create_unix_server().
struct UnixServerOptions {
    int sock = -1;
    int backlog = 100;
    bool start_serving = true;
    /// Remove the socket file when the server closes (Python 3.13's cleanup_socket).
    bool cleanup_socket = true;
};

/// A server listening on one or more sockets (Python's asyncio.Server). A handle: copies
/// share the server, which closes when the last copy goes (as `async with server:` does).
class Server {
public:
    Server() = default;
    explicit Server(std::shared_ptr<detail::ServerHandle> handle) noexcept;

    /// The loop the server runs on.
    [[nodiscard]] EventLoop& get_loop() const;
    /// True while accepting connections.
    [[nodiscard]] bool is_serving() const;
    /// Starts accepting connections, if it was created with start_serving = false. Idempotent.
    void start_serving();
    /// Accepts connections until close() (then returns) or cancellation (which closes the
    /// server and raises CancelledError; connections go on). RuntimeError if the server is
    /// closed or already served forever by another task.
    Coroutine<void> serve_forever();
    /// Stops listening and closes the listening sockets; connections go on. Idempotent.
    void close();
    /// Closes every connection the server accepted (Python 3.13's close_clients).
    void close_clients();
    /// Aborts every connection the server accepted (Python 3.13's abort_clients).
    void abort_clients();
    /// Waits until the server is closed and every connection it accepted has ended.
    /// Cancel safety: nothing changes but the waiter's departure.
    Coroutine<void> wait_closed();
    /// The listening sockets (empty once closed).
    [[nodiscard]] std::vector<int> sockets() const;
    /// The addresses they listen on: sockets()' getsockname().
    [[nodiscard]] std::vector<SocketAddress> addresses() const;

private:
    detail::ServerCore& core() const;
    std::shared_ptr<detail::ServerHandle> handle_;
};

namespace detail {
Coroutine<Server> create_server(ProtocolFactory factory, std::string host, int port,
                                ServerOptions options);
Coroutine<Server> create_unix_server(ProtocolFactory factory, std::string path,
                                     UnixServerOptions options);
} // namespace detail

/// Listens on `host`:`port` over TCP (every address `host` resolves to; all interfaces when
/// empty; port 0 picks a free one) and runs the protocol `factory()` makes on each connection
/// (Python's loop.create_server). OSError ("error while attempting to bind on address ...")
/// if an address cannot be bound.
template <class Factory>
Coroutine<Server> create_server(Factory factory, std::string host, int port,
                                ServerOptions options = {}) {
    return detail::create_server(ProtocolFactory(std::move(factory)), std::move(host), port,
                                 options);
}

/// As create_server(), on the Unix socket `path` (Python's loop.create_unix_server); a stale
/// socket file there is replaced.
template <class Factory>
Coroutine<Server> create_unix_server(Factory factory, std::string path,
                                     UnixServerOptions options = {}) {
    return detail::create_unix_server(ProtocolFactory(std::move(factory)), std::move(path),
                                      options);
}

} // namespace concur::asyncio
