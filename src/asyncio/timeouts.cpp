#include "concur/asyncio/timeouts.hpp"

#include "concur/core/exceptions.hpp"

namespace concur::asyncio {

void Timeout::enter() {
    if (state_ != State::kCreated) {
        throw RuntimeError("Timeout has already been entered");
    }
    task_ = current_task();
    if (!task_) {
        throw RuntimeError("Timeout should be used inside a task");
    }
    state_ = State::kEntered;
    cancelling_ = task_.cancelling();
    reschedule(when_);
}

void Timeout::reschedule(std::optional<double> when) {
    if (state_ != State::kEntered) {
        throw RuntimeError("Cannot change state of an expiring, expired or exited timeout");
    }
    when_ = when;
    handler_.cancel();
    handler_ = TimerHandle();
    if (!when) {
        return;
    }
    EventLoop& loop = get_running_loop();
    // Already due: the cancellation is scheduled at once (Python's call_soon).
    handler_ = loop.call_at(std::max(*when, loop.time()), [this] { on_timeout(); });
}

void Timeout::on_timeout() {
    task_.cancel();
    state_ = State::kExpiring;
}

void Timeout::exit(std::exception_ptr exc) {
    handler_.cancel();
    handler_ = TimerHandle();
    if (state_ == State::kExpiring) {
        state_ = State::kExpired;
        // Ours to handle only if no one else asked to cancel the task meanwhile.
        if (task_.uncancel() <= cancelling_ && exc) {
            try {
                std::rethrow_exception(exc);
            } catch (const CancelledError&) {
                throw TimeoutError();
            } catch (...) {
                // Any other exception goes out as it is.
            }
        }
    } else if (state_ == State::kEntered) {
        state_ = State::kExited;
    }
    if (exc) {
        std::rethrow_exception(exc);
    }
}

} // namespace concur::asyncio
