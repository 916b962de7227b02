// multiprocessing.connection: Pipe() and the Connection objects at its ends. A message is a
// length-prefixed frame, in Python's format (a 4-byte big-endian length, or -1 then an 8-byte
// one), so a message may be larger than the pipe's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "concur/core/timeout.hpp"
#include "concur/multiprocessing/detail/inherited_fds.hpp"
#include "concur/multiprocessing/exceptions.hpp"
#include "concur/multiprocessing/reduction.hpp"

namespace concur::multiprocessing {

/// One end of a Pipe (Python's multiprocessing.connection.Connection). Owns its descriptor:
/// move-only, closed by the destructor. Not for concurrent use by several threads (as in
/// Python); a Queue adds the locks for that.
class Connection {
public:
    /// A closed connection (what deserialisation starts from).
    Connection() = default;
    /// Takes ownership of `fd`.
    Connection(int fd, bool readable, bool writable) noexcept
        : fd_(fd), readable_(readable), writable_(writable) {}
    Connection(Connection&& other) noexcept
        : fd_(std::exchange(other.fd_, -1)), readable_(other.readable_),
          writable_(other.writable_) {}
    Connection& operator=(Connection&& other) noexcept;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection() { close(); }

    /// Sends `obj`, serialised (Python's send(); "picklable" = cereal-serialisable).
    template <class T>
    void send(const T& obj) {
        send_bytes(dumps(obj));
    }
    /// Receives one object sent by send<T>(). EOFError when the peer has closed and nothing is
    /// left to read.
    template <class T>
    T recv() {
        return loads<T>(recv_bytes());
    }

    /// Sends `buf` as one message.
    void send_bytes(std::string_view buf);
    /// Sends `size` bytes of `buf` from `offset` (all the rest when size is npos) as one
    /// message. ValueError if they are not inside `buf`.
    void send_bytes(std::string_view buf, std::size_t offset, std::size_t size = npos);
    /// The same, for bytes.
    void send_bytes(std::span<const std::byte> buf, std::size_t offset = 0,
                    std::size_t size = npos) {
        send_bytes(std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()), offset,
                   size);
    }
    /// Receives one message. OSError("bad message length") if it is longer than `maxlength`
    /// (the connection is then unusable for reading); EOFError at end of file.
    std::string recv_bytes(std::size_t maxlength = npos);
    /// Receives one message into `buf` from `offset`; returns its length. BufferTooShort if it
    /// does not fit (the message is then lost: see python-differences.md).
    std::size_t recv_bytes_into(std::span<std::byte> buf, std::size_t offset = 0);

    /// True if there is something to read (or the peer has closed), waiting at most `timeout`
    /// (zero: just check; std::nullopt: wait forever).
    bool poll(Timeout timeout = std::chrono::duration<double>(0));

    /// Closes the descriptor (idempotent).
    void close() noexcept;
    [[nodiscard]] bool closed() const noexcept { return fd_ < 0; }
    [[nodiscard]] bool readable() const noexcept { return readable_; }
    [[nodiscard]] bool writable() const noexcept { return writable_; }
    /// The descriptor. OSError if closed.
    [[nodiscard]] int fileno() const;

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    /// Saved as an inherited descriptor (see detail::share_fd()): a Connection travels as a
    /// Process argument. The loaded one owns a duplicate of the descriptor.
    template <class Archive>
    void save(Archive& archive) const {
        archive(detail::share_fd(fileno()), readable_, writable_);
    }
    template <class Archive>
    void load(Archive& archive) {
        std::uint32_t index = 0;
        bool readable = false;
        bool writable = false;
        archive(index, readable, writable);
        *this = Connection(duplicate(detail::inherited_fd(index)), readable, writable);
    }

private:
    void check_readable() const;
    void check_writable() const;
    // Reads one frame's length; false at a clean end of file.
    bool read_length(std::uint64_t& length);
    void read_exact(char* data, std::size_t size);
    void bad_message_length();
    static int duplicate(int fd);

    int fd_ = -1;
    bool readable_ = false;
    bool writable_ = false;
};

/// A pair of connected Connections (Python's multiprocessing.Pipe). Duplex: both ends read and
/// write. Otherwise the first only reads and the second only writes. A write to an end whose
/// peer is closed is a BrokenPipeError, never a SIGPIPE.
std::pair<Connection, Connection> Pipe(bool duplex = true);

namespace connection {

/// Waits until at least one of `connections` is ready to read (or its peer has closed), for at
/// most `timeout`; returns the ready ones, in the order given, empty on timeout (Python's
/// multiprocessing.connection.wait). OSError for a closed or write-only connection.
std::vector<Connection*> wait(const std::vector<Connection*>& connections,
                              Timeout timeout = std::nullopt);
/// The same for descriptors, such as a process's sentinel: the ready ones.
std::vector<int> wait(const std::vector<int>& fds, Timeout timeout = std::nullopt);

} // namespace connection

} // namespace concur::multiprocessing
