// The transport of sockets and pipes on the selector loop (Python's _SelectorSocketTransport
// and the unix pipe transports): reads when the descriptor is readable, writes at once and
// buffers the rest, flow control by water marks, closing in Python's order.
#pragma once

#include <any>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "byte_buffer.hpp"
#include "concur/asyncio/detail/loop_resource.hpp"
#include "concur/asyncio/detail/runnable.hpp"
#include "concur/asyncio/events.hpp"
#include "concur/asyncio/transports.hpp"

namespace concur::asyncio::detail {

class FdTransport;

/// Who keeps count of a transport's life (a Server, for close_clients() and wait_closed()).
class TransportOwner {
public:
    virtual void attach(FdTransport* transport) noexcept = 0;
    virtual void detach(FdTransport* transport) noexcept = 0;

protected:
    ~TransportOwner() = default;
};

class FdTransport final : public Transport, public LoopResource {
public:
    enum class Kind : unsigned char {
        kSocket,    // reads and writes (send with MSG_NOSIGNAL, shutdown for write_eof)
        kReadPipe,  // reads only
        kWritePipe, // writes only (SIGPIPE held off while writing)
    };

    /// Makes a transport of `fd` (non-blocking, now owned), calls the protocol's
    /// connection_made() and starts reading. If connection_made() throws, the error goes to the
    /// loop's handler and the transport is aborted.
    static std::shared_ptr<FdTransport> start(EventLoop& loop, int fd, Kind kind,
                                              std::shared_ptr<BaseProtocol> protocol,
                                              std::shared_ptr<TransportOwner> owner = nullptr);

    FdTransport(EventLoop& loop, int fd, Kind kind, std::shared_ptr<BaseProtocol> protocol,
                std::shared_ptr<TransportOwner> owner);
    ~FdTransport() override;

    [[nodiscard]] std::any get_extra_info(std::string_view name) const override;
    [[nodiscard]] bool is_closing() const noexcept override { return closing_; }
    void close() override;
    void set_protocol(std::shared_ptr<BaseProtocol> protocol) override;
    [[nodiscard]] BaseProtocol* get_protocol() const noexcept override { return protocol_.get(); }

    [[nodiscard]] bool is_reading() const noexcept override { return !paused_ && !closing_; }
    void pause_reading() override;
    void resume_reading() override;

    void write(std::string_view data) override;
    void write_eof() override;
    [[nodiscard]] bool can_write_eof() const noexcept override { return kind_ == Kind::kSocket; }
    void abort() override;
    [[nodiscard]] std::size_t get_write_buffer_size() const noexcept override {
        return buffer_.size();
    }
    [[nodiscard]] std::pair<std::size_t, std::size_t> get_write_buffer_limits() const override {
        return {low_, high_};
    }
    void set_write_buffer_limits(std::optional<std::size_t> high,
                                 std::optional<std::size_t> low) override;

    void loop_closing() noexcept override;

    /// Closes with `exc` as the reason, dropping buffered data (Python's _force_close).
    void force_close(std::exception_ptr exc);

private:
    struct Watcher : Runnable {
        FdTransport* self = nullptr;
    };
    static void on_readable(Runnable* r);
    static void on_writable(Runnable* r);
    static void on_iteration_end(Runnable* r);

    void read_ready();
    void read_eof();
    void write_ready();
    ssize_t send_some(const char* data, std::size_t size);
    void fatal_error(std::exception_ptr exc, const char* message);
    void call_connection_lost(std::exception_ptr exc);
    void maybe_pause_protocol();
    void maybe_resume_protocol();
    void watch_reading();
    void stop_reading() noexcept;
    void stop_writing() noexcept;
    void release_fd() noexcept;

    EventLoop* loop_;
    int fd_;
    Kind kind_;
    std::shared_ptr<BaseProtocol> protocol_;
    Protocol* stream_protocol_ = nullptr;  // protocol_ as a Protocol, or null
    BufferedProtocol* buffered_ = nullptr; // protocol_ as a BufferedProtocol, or null
    std::shared_ptr<TransportOwner> owner_;
    std::shared_ptr<FdTransport> keep_; // the loop's reference, until connection_lost has run

    Watcher reader_;
    Watcher writer_;
    Watcher flusher_;   // sends at the end of the loop's iteration what write() buffered
    ByteBuffer buffer_; // the unsent bytes
    std::size_t high_ = 64 * 1024;
    std::size_t low_ = 16 * 1024;
    unsigned conn_lost_ = 0; // writes after the connection was lost (Python's _conn_lost)
    bool closing_ = false;
    bool paused_ = false;          // pause_reading()
    bool reading_ = false;         // the read watch is set
    bool writing_ = false;         // the write watch is set
    bool flush_queued_ = false;    // flusher_ waits for the iteration's end
    bool protocol_paused_ = false; // pause_writing() was called
    bool eof_ = false;             // write_eof()
    bool made_ = false;            // connection_made() was called

    std::any sockname_;
    std::any peername_;
};

} // namespace concur::asyncio::detail
