#include "concur/asyncio/detail/promise.hpp"

#include "concur/asyncio/events.hpp"
#include "concur/asyncio/sleep.hpp"
#include "concur/core/exceptions.hpp"

namespace concur::asyncio::detail {

namespace {
// Set while a task is stepped: what current_task() returns and awaitables suspend.
thread_local PromiseBase* tls_current_task = nullptr;
} // namespace

PromiseBase* current_task() noexcept {
    return tls_current_task;
}

PromiseBase& task_for_await(const char* what) {
    if (tls_current_task == nullptr) {
        throw RuntimeError(std::string("cannot ") + what +
                           " outside a task: run the coroutine with asyncio::run() or "
                           "create_task()");
    }
    return *tls_current_task;
}

PromiseBase::~PromiseBase() {
    if (log_traceback_ && has_exception_) {
        report_unretrieved("Task exception was never retrieved", exception_);
    }
}

void PromiseBase::start_task(EventLoop* loop, std::coroutine_handle<> root) {
    loop_ = loop;
    is_task_ = true;
    task_id_ = static_cast<std::uint32_t>(loop->next_task_id());
    link_ = root;
    loop->link_task(this);
    loop->schedule(this);
}

void PromiseBase::step(Runnable* self) {
    auto* task = static_cast<PromiseBase*>(self);
    if (!task->started_) {
        task->started_ = true;
        if (task->must_cancel_) {
            // Cancelled before its first step: Python throws CancelledError into the coroutine
            // at its start, so its body never runs. Finish it so, without running it.
            task->must_cancel_ = false;
            const std::string* message = task->cancel_message();
            task->exception_ =
                std::make_exception_ptr(CancelledError(message != nullptr ? *message : ""));
            task->has_exception_ = true;
            task->finish_task();
            return;
        }
    }
    EventLoop* loop = task->loop_;
    PromiseBase* const outer = tls_current_task; // a loop nested in a task's thread: none
    tls_current_task = task;
    loop->set_current_task(task);
    task->retain(); // it may finish inside resume(); we look at it once more after
    task->link_.resume();
    loop->set_current_task(outer);
    tls_current_task = outer;
    if (task->must_cancel_ && !task->done() && task->waiting_on_ != nullptr) {
        // cancel() came while the task ran (it cancelled itself, or something it called did):
        // as Python's __step, cancel what it now waits on, so that it wakes at once.
        if (task->waiting_on_->cancel_suspension(task->cancel_message())) {
            task->must_cancel_ = false;
        }
    }
    task->release();
}

void PromiseBase::wake() noexcept {
    if (loop_ != nullptr) {
        loop_->schedule(this);
    }
}

void PromiseBase::finish_task() noexcept {
    EventLoop* loop = loop_;
    loop->unlink_task(this);
    waiting_on_ = nullptr;
    if (has_exception_) {
        // A coroutine that ends by raising CancelledError makes its task cancelled, as Python's.
        bool cancelled = false;
        try {
            std::rethrow_exception(exception_);
        } catch (const CancelledError&) {
            cancelled = true;
        } catch (...) {
        }
        state_ = cancelled ? State::kCancelled : State::kFinished;
        log_traceback_ = !cancelled;
    } else if (must_cancel_) {
        // Cancelled right before its coroutine returned: Python's task ends cancelled.
        must_cancel_ = false;
        const std::string* message = cancel_message();
        exception_ = std::make_exception_ptr(CancelledError(message != nullptr ? *message : ""));
        has_exception_ = true;
        state_ = State::kCancelled;
    } else {
        state_ = State::kFinished;
    }
    notify_done();
    release(); // the loop's reference: frees the frame if no handle remains
}

bool PromiseBase::cancel(const std::string* message) {
    log_traceback_ = false;
    if (done() || loop_ == nullptr) {
        return false;
    }
    if (!is_task_) {
        return FutureCore::cancel(message);
    }
    ++extras().num_cancels_requested;
    if (message != nullptr) {
        extras().cancel_message = *message;
    }
    if (waiting_on_ != nullptr && waiting_on_->cancel_suspension(message)) {
        // What the task awaits will wake it with CancelledError. (Python keeps the waiter: it
        // may be a task that swallows the cancellation, to be cancelled again later.)
        return true;
    }
    must_cancel_ = true; // its next step raises CancelledError
    return true;
}

void PromiseBase::throw_cancelled() {
    must_cancel_ = false;
    const std::string* message = cancel_message();
    throw CancelledError(message != nullptr ? *message : "");
}

std::string PromiseBase::name() const {
    return extras_ && extras_->name ? *extras_->name : "Task-" + std::to_string(task_id_);
}

void PromiseBase::set_name(std::string name) {
    extras().name = std::move(name);
}

std::string PromiseBase::repr() const {
    if (!is_task_) {
        return FutureCore::repr();
    }
    std::string state;
    switch (state_) {
    case State::kPending:
        state = cancelling() > 0 ? "cancelling" : "pending";
        break;
    case State::kCancelled:
        state = "cancelled";
        break;
    case State::kFinished:
        state = has_exception_ ? "finished exception" : "finished";
        break;
    }
    return "<Task " + state + " name='" + name() + "'>";
}

void SleepAwaiter::throw_cancelled() const {
    const std::string* message = task()->cancel_message();
    throw CancelledError(message != nullptr ? *message : "");
}

} // namespace concur::asyncio::detail
