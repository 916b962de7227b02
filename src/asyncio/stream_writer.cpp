// StreamWriter, the protocol beneath streams, and the stream entry points (Python's
// asyncio.streams: StreamWriter, StreamReaderProtocol, open_connection, start_server).
#include "concur/asyncio/events.hpp"
#include "concur/asyncio/sleep.hpp"
#include "concur/asyncio/streams.hpp"
#include "concur/asyncio/task.hpp"
#include "stream_state.hpp"

namespace concur::asyncio {

namespace detail {

void StreamReaderProtocol::connection_made(Transport& transport) {
    state_->transport = transport.shared_from_this();
    if (!callback_) {
        return;
    }
    // A server's connection: run the callback as a task; what it raises is reported and
    // closes the connection (Python's _on_client_connected_done).
    Coroutine<void> handler =
        (*callback_)(StreamReader(state_), StreamWriter(std::make_shared<WriterHandle>(state_)));
    Task<void> task = create_task(std::move(handler));
    std::weak_ptr<Transport> weak = state_->transport;
    task.add_done_callback([weak](const Task<void>& done) {
        if (done.cancelled()) {
            return;
        }
        if (std::exception_ptr exc = done.exception()) {
            get_running_loop().call_exception_handler(
                {"Unhandled exception in client_connected_cb", exc});
            if (auto t = weak.lock()) {
                t->close();
            }
        }
    });
}

bool StreamReaderProtocol::eof_received() {
    state_->feed_eof();
    return true; // as Python: the writer may go on writing until it closes
}

void StreamReaderProtocol::connection_lost(std::exception_ptr exc) {
    if (exc) {
        state_->set_exception(exc);
    } else {
        state_->feed_eof();
    }
    state_->close_error = exc;
    state_->closed.set();
    state_->connection_lost = true;
    state_->wake_drainers();
}

void StreamReaderProtocol::resume_writing() {
    state_->writing_paused = false;
    state_->wake_drainers();
}

WriterHandle::~WriterHandle() {
    // The last copy of the writer went without close(): close, as Python's StreamWriter does
    // when collected. (A transport whose loop has closed is closing already.)
    if (state->transport && !state->transport->is_closing()) {
        try {
            state->transport->close();
        } catch (...) {
        }
    }
}

namespace {

std::pair<StreamReader, StreamWriter> streams_of(const std::shared_ptr<StreamState>& state) {
    return {StreamReader(state), StreamWriter(std::make_shared<WriterHandle>(state))};
}

} // namespace

} // namespace detail

using detail::StreamState;

StreamWriter::StreamWriter(std::shared_ptr<detail::WriterHandle> handle) noexcept
    : handle_(std::move(handle)) {}

Transport& StreamWriter::transport() const {
    return *handle_->state->transport;
}

void StreamWriter::write(std::string_view data) {
    transport().write(data);
}

void StreamWriter::writelines(std::initializer_list<std::string_view> parts) {
    transport().writelines(parts);
}

void StreamWriter::writelines(std::span<const std::string> parts) {
    transport().writelines(parts);
}

void StreamWriter::write_eof() {
    transport().write_eof();
}

bool StreamWriter::can_write_eof() const {
    return transport().can_write_eof();
}

void StreamWriter::close() {
    transport().close();
}

bool StreamWriter::is_closing() const {
    return transport().is_closing();
}

std::any StreamWriter::get_extra_info(std::string_view name) const {
    return transport().get_extra_info(name);
}

Coroutine<void> StreamWriter::wait_closed() {
    const std::shared_ptr<detail::WriterHandle> keep = handle_;
    StreamState& s = *keep->state;
    co_await s.closed.wait();
    if (s.close_error) {
        std::rethrow_exception(s.close_error);
    }
}

Coroutine<void> StreamWriter::drain() {
    const std::shared_ptr<detail::WriterHandle> keep = handle_;
    StreamState& s = *keep->state;
    s.rethrow_if_failed();
    if (transport().is_closing()) {
        // Let connection_lost() run, so that the error below is the right one.
        co_await sleep(0);
    }
    // Python's _drain_helper.
    if (s.connection_lost) {
        throw ConnectionResetError(ECONNRESET, "Connection lost");
    }
    while (s.writing_paused && !s.connection_lost) {
        co_await detail::StreamWait(s.drain_waiters, "drain a stream");
    }
    if (s.connection_lost && s.close_error) {
        std::rethrow_exception(s.close_error);
    }
}

Coroutine<std::pair<StreamReader, StreamWriter>> open_connection(std::string host, int port,
                                                                 StreamOptions options) {
    auto state = std::make_shared<StreamState>(options.limit);
    auto factory = [state] { return std::make_shared<detail::StreamReaderProtocol>(state); };
    co_await create_connection(std::move(factory), std::move(host), port,
                               std::move(options.connection));
    co_return detail::streams_of(state);
}

Coroutine<std::pair<StreamReader, StreamWriter>> open_unix_connection(std::string path,
                                                                      std::size_t limit) {
    auto state = std::make_shared<StreamState>(limit);
    auto factory = [state] { return std::make_shared<detail::StreamReaderProtocol>(state); };
    co_await create_unix_connection(std::move(factory), std::move(path));
    co_return detail::streams_of(state);
}

namespace {

auto stream_protocol_factory(ClientConnectedCallback callback, std::size_t limit) {
    if (limit == 0) {
        throw ValueError("Limit cannot be <= 0");
    }
    auto shared = std::make_shared<ClientConnectedCallback>(std::move(callback));
    return [shared, limit] {
        return std::make_shared<detail::StreamReaderProtocol>(std::make_shared<StreamState>(limit),
                                                              shared);
    };
}

} // namespace

Coroutine<Server> start_server(ClientConnectedCallback client_connected_cb, std::string host,
                               int port, StreamServerOptions options) {
    auto factory = stream_protocol_factory(std::move(client_connected_cb), options.limit);
    co_return co_await create_server(std::move(factory), std::move(host), port, options.server);
}

Coroutine<Server> start_unix_server(ClientConnectedCallback client_connected_cb, std::string path,
                                    std::size_t limit) {
    auto factory = stream_protocol_factory(std::move(client_connected_cb), limit);
    co_return co_await create_unix_server(std::move(factory), std::move(path));
}

} // namespace concur::asyncio
