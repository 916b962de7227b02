// StreamReader (Python's asyncio.streams.StreamReader, method for method) and the state it
// shares with its writer and protocol.
#include "concur/asyncio/streams.hpp"

#include "stream_state.hpp"

namespace concur::asyncio {

namespace detail {

StreamState::StreamState(std::size_t buffer_limit) : limit(buffer_limit) {
    if (limit == 0) {
        throw ValueError("Limit cannot be <= 0");
    }
}

std::string StreamState::take(std::size_t n) {
    std::string out(buffer_.view().substr(0, n));
    drop(n);
    return out;
}

void StreamState::drop(std::size_t n) {
    buffer_.consume(n);
    maybe_resume_transport();
}

void StreamState::maybe_resume_transport() {
    if (paused && size() <= limit) {
        paused = false;
        transport->resume_reading();
    }
}

void StreamState::feed_data(std::string_view data) {
    if (data.empty()) {
        return;
    }
    buffer_.append(data);
    wake_reader();
    // Python pauses the transport once the buffer holds twice the limit.
    if (transport && !paused && size() > 2 * limit) {
        transport->pause_reading();
        paused = true;
    }
}

void StreamState::feed_eof() {
    eof = true;
    wake_reader();
}

void StreamState::set_exception(std::exception_ptr exc) {
    exception_ = std::move(exc);
    wake_reader();
}

void StreamState::wake_reader() noexcept {
    for (WaitNode* w = data_waiters.front(); w != nullptr; w = WaitList::next(w)) {
        if (!w->done()) {
            w->set_result();
        }
    }
}

void StreamState::wake_drainers() noexcept {
    for (WaitNode* w = drain_waiters.front(); w != nullptr; w = WaitList::next(w)) {
        if (!w->done()) {
            w->set_result();
        }
    }
}

namespace {

// Python's _wait_for_data: one reader at a time, and a paused transport reads again.
StreamWait wait_for_data(StreamState& s, const char* func) {
    if (!s.data_waiters.empty()) {
        throw RuntimeError(std::string(func) +
                           "() called while another coroutine is already waiting for incoming "
                           "data");
    }
    if (s.paused) {
        s.paused = false;
        s.transport->resume_reading();
    }
    return StreamWait(s.data_waiters, "read from a stream");
}

} // namespace

} // namespace detail

using detail::StreamState;

IncompleteReadError::IncompleteReadError(std::string partial_bytes,
                                         std::optional<std::size_t> expected_bytes)
    : EOFError(std::to_string(partial_bytes.size()) + " bytes read on a total of " +
               (expected_bytes ? std::to_string(*expected_bytes) : std::string("undefined")) +
               " expected bytes"),
      partial(std::move(partial_bytes)), expected(expected_bytes) {}

StreamReader::StreamReader(std::size_t limit) : state_(std::make_shared<StreamState>(limit)) {}

StreamReader::StreamReader(std::shared_ptr<detail::StreamState> state) noexcept
    : state_(std::move(state)) {}

bool StreamReader::at_eof() const noexcept {
    return state_->eof && state_->size() == 0;
}

void StreamReader::feed_data(std::string_view data) {
    if (state_->eof) {
        throw RuntimeError("feed_data after feed_eof");
    }
    state_->feed_data(data);
}

void StreamReader::feed_eof() {
    state_->feed_eof();
}

void StreamReader::set_exception(std::exception_ptr exc) {
    state_->set_exception(std::move(exc));
}

std::exception_ptr StreamReader::exception() const noexcept {
    return state_->exception_;
}

Coroutine<std::string> StreamReader::read(std::ptrdiff_t n) {
    const std::shared_ptr<StreamState> keep = state_;
    StreamState& s = *keep;
    s.rethrow_if_failed();
    if (n == 0) {
        co_return std::string();
    }
    if (n < 0) {
        std::string all;
        for (;;) {
            while (s.size() == 0 && !s.eof) {
                co_await detail::wait_for_data(s, "read");
                s.rethrow_if_failed();
            }
            if (s.size() == 0) {
                co_return all;
            }
            all += s.take(s.size());
        }
    }
    if (s.size() == 0 && !s.eof) {
        co_await detail::wait_for_data(s, "read");
        s.rethrow_if_failed();
    }
    co_return s.take(static_cast<std::size_t>(n));
}

Coroutine<std::string> StreamReader::readexactly(std::size_t n) {
    const std::shared_ptr<StreamState> keep = state_;
    StreamState& s = *keep;
    s.rethrow_if_failed();
    while (s.size() < n) {
        if (s.eof) {
            throw IncompleteReadError(s.take(s.size()), n);
        }
        co_await detail::wait_for_data(s, "readexactly");
        s.rethrow_if_failed();
    }
    co_return s.take(n);
}

Coroutine<std::string> StreamReader::readuntil(std::string separator) {
    const std::shared_ptr<StreamState> keep = state_;
    StreamState& s = *keep;
    if (separator.empty()) {
        throw ValueError("Separator should be at least one-byte string");
    }
    s.rethrow_if_failed();
    const std::size_t seplen = separator.size();
    std::size_t offset = 0;
    std::size_t isep = std::string_view::npos;
    for (;;) {
        const std::size_t buflen = s.size();
        if (buflen >= offset + seplen) {
            isep = s.view().find(separator, offset);
            if (isep != std::string_view::npos) {
                break;
            }
            // Where the next search starts: a separator may straddle what arrives next.
            offset = buflen + 1 - seplen;
            if (offset > s.limit) {
                throw LimitOverrunError("Separator is not found, and chunk exceed the limit",
                                        offset);
            }
        }
        if (s.eof) {
            throw IncompleteReadError(s.take(s.size()), std::nullopt);
        }
        co_await detail::wait_for_data(s, "readuntil");
        s.rethrow_if_failed();
    }
    if (isep > s.limit) {
        throw LimitOverrunError("Separator is found, but chunk is longer than limit", isep);
    }
    co_return s.take(isep + seplen);
}

Coroutine<std::string> StreamReader::readline() {
    const std::shared_ptr<StreamState> keep = state_;
    StreamState& s = *keep;
    std::optional<LimitOverrunError> overrun;
    try {
        co_return co_await readuntil("\n");
    } catch (IncompleteReadError& e) {
        co_return std::move(e.partial);
    } catch (const LimitOverrunError& e) {
        overrun = e;
    }
    // As Python: drop the line that did not fit (up to its separator, or all that is there).
    if (s.view().substr(overrun->consumed).starts_with('\n')) {
        s.drop(overrun->consumed + 1);
    } else {
        s.drop(s.size());
    }
    throw ValueError(overrun->what());
}

} // namespace concur::asyncio
