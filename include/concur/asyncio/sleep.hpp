// asyncio.sleep: suspend the current task for a while, or (with zero) just let others run.
#pragma once

#include <chrono>
#include <coroutine>
#include <memory>
#include <string>

#include "concur/asyncio/detail/future_core.hpp"
#include "concur/asyncio/detail/promise.hpp"
#include "concur/asyncio/detail/timer_heap.hpp"
#include "concur/asyncio/events.hpp"

namespace concur::asyncio {

namespace detail {

/// The awaitable of sleep(): its timer node lives here, in the sleeping coroutine's frame, so
/// a sleep allocates nothing. Cancel safety: cancelling the task removes the timer and raises
/// CancelledError at this co_await.
class SleepAwaiter final : public Suspension {
public:
    explicit SleepAwaiter(double delay) noexcept : delay_(delay) {}
    SleepAwaiter(const SleepAwaiter&) = delete;
    SleepAwaiter& operator=(const SleepAwaiter&) = delete;
    ~SleepAwaiter() {
        if (task_ != nullptr && timer_.scheduled()) {
            task_->loop()->remove_timer(&timer_); // the sleeping frame is being destroyed
        }
    }

    [[nodiscard]] bool await_ready() const noexcept { return false; }

    void await_suspend(std::coroutine_handle<> h) {
        PromiseBase& t = task_for_await("sleep");
        task_ = &t;
        EventLoop* loop = t.loop();
        if (delay_ <= 0) {
            // sleep(0): yield once, behind everything already ready (Python's bare yield).
            t.suspend_on(h, nullptr);
            loop->schedule(&t);
            return;
        }
        t.suspend_on(h, this);
        timer_.when = loop->time() + delay_;
        timer_.target = &t;
        loop->add_timer(&timer_);
    }

    void await_resume() {
        task_->resume_from_suspension();
        if (cancelled_) {
            throw_cancelled();
        }
    }

    bool cancel_suspension(const std::string* message) override {
        if (!timer_.scheduled()) {
            return false; // already due: the task is on its way, must_cancel will catch it
        }
        task_->loop()->remove_timer(&timer_);
        cancelled_ = true;
        if (message != nullptr) {
            message_ = std::make_unique<std::string>(*message);
        }
        task_->loop()->schedule(task_);
        return true;
    }

private:
    [[noreturn]] void throw_cancelled() const;

    TimerNode timer_;
    PromiseBase* task_ = nullptr;
    std::unique_ptr<std::string> message_;
    double delay_;
    bool cancelled_ = false;
};

} // namespace detail

/// Suspends the current task for `delay` (Python's asyncio.sleep); zero or less yields to the
/// other ready tasks once. Cancel safety: cancellation raises CancelledError here, timer removed.
inline detail::SleepAwaiter sleep(std::chrono::duration<double> delay) noexcept {
    return detail::SleepAwaiter(delay.count());
}

} // namespace concur::asyncio
