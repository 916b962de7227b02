// Streams (Python's asyncio.streams): connections read and written with coroutines —
// open_connection() and start_server() give a StreamReader and a StreamWriter per connection.
#pragma once

#include <any>
#include <cstddef>
#include <exception>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "concur/asyncio/connections.hpp"
#include "concur/asyncio/coroutine.hpp"
#include "concur/asyncio/server.hpp"
#include "concur/asyncio/transports.hpp"
#include "concur/core/exceptions.hpp"
#include "concur/core/unique_function.hpp"

namespace concur::asyncio {

/// The buffer limit of a StreamReader (Python's 64 KiB _DEFAULT_LIMIT).
inline constexpr std::size_t DEFAULT_LIMIT = 64 * 1024;

/// Python's EOFError: end of stream where more was needed.
class EOFError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The stream ended before readexactly() or readuntil() had what they wanted (Python's
/// asyncio.IncompleteReadError): `partial` holds what was read.
class IncompleteReadError : public EOFError {
public:
    IncompleteReadError(std::string partial_bytes, std::optional<std::size_t> expected_bytes);
    /// The bytes read before the end of stream.
    std::string partial;
    /// How many were wanted (none for readuntil()).
    std::optional<std::size_t> expected;
};

/// readuntil() found no separator within the reader's limit (Python's
/// asyncio.LimitOverrunError); `consumed` bytes are left in the buffer.
class LimitOverrunError : public std::runtime_error {
public:
    LimitOverrunError(const std::string& message, std::size_t consumed_bytes)
        : std::runtime_error(message), consumed(consumed_bytes) {}
    std::size_t consumed;
};

namespace detail {
class StreamState;
class WriterHandle;
} // namespace detail

/// Reads a connection's bytes (Python's asyncio.StreamReader). A handle: copies share the
/// stream. One task reads at a time (RuntimeError otherwise). Cancel safety of every read:
/// nothing is consumed by a read that is cancelled while it waits.
class StreamReader {
public:
    /// A reader not bound to a connection, fed by feed_data() and feed_eof().
    explicit StreamReader(std::size_t limit = DEFAULT_LIMIT);
    explicit StreamReader(std::shared_ptr<detail::StreamState> state) noexcept;

    /// Up to `n` bytes, waiting for at least one; all bytes until end of stream if `n` is
    /// negative; empty at end of stream.
    Coroutine<std::string> read(std::ptrdiff_t n = -1);
    /// One line, ending with "\n" (or what was left at end of stream; empty at end of stream).
    /// ValueError if the line exceeds the limit (the buffered part is dropped).
    Coroutine<std::string> readline();
    /// Exactly `n` bytes; IncompleteReadError (with what was read) if the stream ends first.
    Coroutine<std::string> readexactly(std::size_t n);
    /// The bytes up to and including `separator`. IncompleteReadError at end of stream,
    /// LimitOverrunError if the separator is not within the limit (nothing is consumed).
    Coroutine<std::string> readuntil(std::string separator = "\n");
    /// True when the buffer is empty and the stream has ended.
    [[nodiscard]] bool at_eof() const noexcept;

    /// Appends `data` to the buffer and wakes a waiting read.
    void feed_data(std::string_view data);
    /// Marks the end of stream.
    void feed_eof();
    /// Makes pending and later reads raise `exc`.
    void set_exception(std::exception_ptr exc);
    [[nodiscard]] std::exception_ptr exception() const noexcept;

private:
    friend class StreamWriter;
    std::shared_ptr<detail::StreamState> state_;
};

/// Writes to a connection (Python's asyncio.StreamWriter). A handle: copies share the stream,
/// and the connection closes when the last copy goes, if close() was not called first.
class StreamWriter {
public:
    explicit StreamWriter(std::shared_ptr<detail::WriterHandle> handle) noexcept;

    /// Buffers `data` for sending (sent at once when the socket allows); drain() waits for
    /// the buffer to shrink.
    void write(std::string_view data);
    void writelines(std::initializer_list<std::string_view> parts);
    void writelines(std::span<const std::string> parts);
    /// Closes the write end after the buffered data (TCP half close).
    void write_eof();
    [[nodiscard]] bool can_write_eof() const;
    /// Closes the connection after the buffered data is sent.
    void close();
    [[nodiscard]] bool is_closing() const;
    /// Waits until the connection is closed; raises the error that ended it, if one did.
    Coroutine<void> wait_closed();
    /// Waits until it is right to write more: returns at once below the transport's
    /// high-water mark, otherwise when the buffer has drained to the low one. Raises the
    /// reader's error, or ConnectionResetError if the connection was lost. Cancel safety:
    /// nothing is lost; the buffered data is still sent.
    Coroutine<void> drain();
    /// The transport's get_extra_info(): "peername", "sockname", "socket".
    [[nodiscard]] std::any get_extra_info(std::string_view name) const;
    /// The transport beneath.
    [[nodiscard]] Transport& transport() const;

private:
    std::shared_ptr<detail::WriterHandle> handle_;
};

/// What start_server() runs for each connection, as a task (Python's client_connected_cb).
using ClientConnectedCallback = UniqueFunction<Coroutine<void>(StreamReader, StreamWriter)>;

/// Python's keyword arguments of open_connection().
struct StreamOptions {
    std::size_t limit = DEFAULT_LIMIT;
    ConnectionOptions connection = {};
};

/// Python's keyword arguments of start_server().
struct StreamServerOptions {
    std::size_t limit = DEFAULT_LIMIT;
    ServerOptions server = {};
};

/// Connects to `host`:`port` and returns its reader and writer (Python's
/// asyncio.open_connection). Errors and cancel safety as create_connection().
Coroutine<std::pair<StreamReader, StreamWriter>> open_connection(std::string host, int port,
                                                                 StreamOptions options = {});

/// Serves `host`:`port`, running `client_connected_cb(reader, writer)` as a task for each
/// connection (Python's asyncio.start_server). An exception the callback raises goes to the
/// loop's exception handler and closes that connection.
Coroutine<Server> start_server(ClientConnectedCallback client_connected_cb, std::string host,
                               int port, StreamServerOptions options = {});

/// open_connection() over the Unix socket at `path` (Python's asyncio.open_unix_connection).
Coroutine<std::pair<StreamReader, StreamWriter>>
open_unix_connection(std::string path, std::size_t limit = DEFAULT_LIMIT);

/// start_server() on the Unix socket at `path` (Python's asyncio.start_unix_server).
Coroutine<Server> start_unix_server(ClientConnectedCallback client_connected_cb, std::string path,
                                    std::size_t limit = DEFAULT_LIMIT);

} // namespace concur::asyncio
