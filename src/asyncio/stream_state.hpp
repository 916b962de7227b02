// What a stream's reader, writer and protocol share (Python's StreamReader internals,
// FlowControlMixin and StreamReaderProtocol): the receive buffer and its waiter, the drain
// waiters, and the connection's end.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "byte_buffer.hpp"
#include "concur/asyncio/detail/wait_list.hpp"
#include "concur/asyncio/locks.hpp"
#include "concur/asyncio/streams.hpp"
#include "concur/asyncio/transports.hpp"

namespace concur::asyncio::detail {

class StreamState {
public:
    explicit StreamState(std::size_t limit);

    // --- the reader's buffer
    [[nodiscard]] std::size_t size() const noexcept { return buffer_.size(); }
    [[nodiscard]] std::string_view view() const noexcept { return buffer_.view(); }
    /// Removes and returns the first `n` buffered bytes; resumes a paused transport.
    std::string take(std::size_t n);
    void drop(std::size_t n);
    void feed_data(std::string_view data);
    void feed_eof();
    void set_exception(std::exception_ptr exc);
    void maybe_resume_transport();
    void rethrow_if_failed() const {
        if (exception_) {
            std::rethrow_exception(exception_);
        }
    }

    std::size_t limit;
    bool eof = false;
    std::exception_ptr exception_;
    std::shared_ptr<Transport> transport; // null for a reader fed by hand
    bool paused = false;                  // the transport's reading was paused for the buffer

    // --- the one task waiting for data (Python's _waiter)
    WaitList data_waiters;
    void wake_reader() noexcept;

    // --- flow control (Python's FlowControlMixin)
    bool writing_paused = false;
    bool connection_lost = false;
    WaitList drain_waiters;
    void wake_drainers() noexcept;

    // --- the connection's end, for wait_closed()
    Event closed;
    std::exception_ptr close_error;

private:
    ByteBuffer buffer_;
};

/// Waits for the stream to change: data, end of stream, an error (Python's _wait_for_data)
/// or a drained buffer (a drain waiter). Cancel safety: the waiter leaves, nothing else.
class StreamWait {
public:
    StreamWait(WaitList& list, const char* what) noexcept : list_(&list), what_(what) {}
    StreamWait(const StreamWait&) = delete;
    StreamWait& operator=(const StreamWait&) = delete;

    [[nodiscard]] bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
        PromiseBase& t = task_for_await(what_);
        wait_in(*list_, node_, t, &t, h);
    }
    void await_resume() {
        node_.unlink();
        raise_if_cancelled(*node_.task, node_);
    }

private:
    WaitList* list_;
    const char* what_;
    WaitNode node_;
};

/// Python's StreamReaderProtocol: feeds the reader, tracks flow control, and for a server
/// starts the client_connected_cb task.
class StreamReaderProtocol final : public Protocol {
public:
    StreamReaderProtocol(std::shared_ptr<StreamState> state,
                         std::shared_ptr<ClientConnectedCallback> callback = nullptr) noexcept
        : state_(std::move(state)), callback_(std::move(callback)) {}

    void connection_made(Transport& transport) override;
    void data_received(std::string_view data) override { state_->feed_data(data); }
    bool eof_received() override;
    void connection_lost(std::exception_ptr exc) override;
    void pause_writing() override { state_->writing_paused = true; }
    void resume_writing() override;

private:
    std::shared_ptr<StreamState> state_;
    std::shared_ptr<ClientConnectedCallback> callback_;
};

/// What StreamWriter copies share: the stream, and the duty to close the connection when the
/// last copy goes.
class WriterHandle {
public:
    explicit WriterHandle(std::shared_ptr<StreamState> s) noexcept : state(std::move(s)) {}
    WriterHandle(const WriterHandle&) = delete;
    WriterHandle& operator=(const WriterHandle&) = delete;
    ~WriterHandle();

    std::shared_ptr<StreamState> state;
};

} // namespace concur::asyncio::detail
