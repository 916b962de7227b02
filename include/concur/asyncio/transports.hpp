// Transports (Python's asyncio.transports): a connection's byte stream as the loop drives it,
// delivering what arrives to a protocol and buffering what cannot be sent at once.
#pragma once

#include <any>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <utility>

#include "concur/asyncio/protocols.hpp"

namespace concur::asyncio {

/// A socket's address (what Python gives as a (host, port) tuple or a path).
struct SocketAddress {
    int family = AF_UNSPEC;
    /// Numeric host, for AF_INET and AF_INET6.
    std::string host;
    int port = 0;
    /// The path of an AF_UNIX socket (empty when unnamed).
    std::string path;

    /// "127.0.0.1:8888", "[::1]:8888", or the path.
    [[nodiscard]] std::string to_string() const;
    friend bool operator==(const SocketAddress&, const SocketAddress&) = default;

    /// The address of a sockaddr.
    static SocketAddress from(const sockaddr* address, socklen_t length);
    /// getsockname(fd); OSError on failure.
    static SocketAddress of_socket(int fd);
    /// getpeername(fd); OSError on failure (ENOTCONN when not connected).
    static SocketAddress of_peer(int fd);
};

/// A bidirectional stream transport (Python's asyncio.Transport, with its ReadTransport and
/// WriteTransport methods). Made by create_connection(), create_server() and the pipe
/// connectors; lives until its protocol's connection_lost() has run and nobody holds it.
class Transport : public std::enable_shared_from_this<Transport> {
public:
    virtual ~Transport() = default;
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;

    // --- BaseTransport
    /// Python's get_extra_info(name): "peername" and "sockname" (SocketAddress), "socket" and
    /// "pipe" (the descriptor, int); an empty std::any for anything else.
    [[nodiscard]] virtual std::any get_extra_info(std::string_view name) const = 0;
    /// True once close() or abort() was called, or the connection was lost.
    [[nodiscard]] virtual bool is_closing() const noexcept = 0;
    /// Closes after the buffered data is sent; the protocol's connection_lost(nullptr) follows
    /// on a later iteration. Idempotent.
    virtual void close() = 0;
    /// Replaces the protocol; the transport calls the new one from now on.
    virtual void set_protocol(std::shared_ptr<BaseProtocol> protocol) = 0;
    [[nodiscard]] virtual BaseProtocol* get_protocol() const noexcept = 0;

    // --- ReadTransport
    /// True while data is being received (not paused, not closing).
    [[nodiscard]] virtual bool is_reading() const noexcept = 0;
    /// Stops delivering data until resume_reading(). Idempotent.
    virtual void pause_reading() = 0;
    /// Delivers data again. Idempotent.
    virtual void resume_reading() = 0;

    // --- WriteTransport
    /// Sends `data` without blocking; what cannot go now is buffered and sent when the socket
    /// allows. RuntimeError after write_eof().
    virtual void write(std::string_view data) = 0;
    /// write() of each part, in order.
    void writelines(std::initializer_list<std::string_view> parts) {
        for (std::string_view p : parts) {
            write(p);
        }
    }
    void writelines(std::span<const std::string> parts) {
        for (const std::string& p : parts) {
            write(p);
        }
    }
    /// Closes the write end after the buffered data is sent (TCP half close).
    virtual void write_eof() = 0;
    /// True if write_eof() is supported.
    [[nodiscard]] virtual bool can_write_eof() const noexcept = 0;
    /// Closes at once, dropping buffered data; connection_lost(nullptr) follows.
    virtual void abort() = 0;
    /// Bytes waiting in the write buffer.
    [[nodiscard]] virtual std::size_t get_write_buffer_size() const noexcept = 0;
    /// The (low, high) water marks of flow control.
    [[nodiscard]] virtual std::pair<std::size_t, std::size_t> get_write_buffer_limits() const = 0;
    /// Sets the water marks: the protocol's pause_writing() is called when the buffer goes
    /// over `high`, resume_writing() when it drains to `low`. Python's defaults: high 64 KiB,
    /// or 4 * low; low high / 4. ValueError unless high >= low.
    virtual void set_write_buffer_limits(std::optional<std::size_t> high = std::nullopt,
                                         std::optional<std::size_t> low = std::nullopt) = 0;

protected:
    Transport() = default;
};

} // namespace concur::asyncio
