// asyncio.sleep: suspend the current task for a while, or (with zero) just let others run.
#pragma once

#include <chrono>
#include <coroutine>
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
    explicit SleepAwaiter(double delay) noexcept { timer_.when = delay; }
    SleepAwaiter(const SleepAwaiter&) = delete;
    SleepAwaiter& operator=(const SleepAwaiter&) = delete;
    ~SleepAwaiter() {
        if (timer_.scheduled() && task()->loop() != nullptr) {
            task()->loop()->remove_timer(&timer_); // the sleeping frame is being destroyed
        }
    }

    [[nodiscard]] bool await_ready() const noexcept { return false; }

    void await_suspend(std::coroutine_handle<> h) {
        PromiseBase& t = task_for_await("sleep");
        timer_.target = &t;
        EventLoop* loop = t.loop();
        const double delay = timer_.when; // until now the node held the delay
        if (delay <= 0) {
            // sleep(0): yield once, behind everything already ready (Python's bare yield).
            t.suspend_on(h, nullptr);
            loop->schedule(&t);
            return;
        }
        t.suspend_on(h, this);
        timer_.when = loop->time() + delay;
        loop->add_timer(&timer_);
    }

    void await_resume() {
        task()->resume_from_suspension();
        if (timer_.index == kCancelled) {
            throw_cancelled();
        }
    }

    bool cancel_suspension(const std::string* /*message*/) override {
        if (!timer_.scheduled()) {
            return false; // already due: the task is on its way, must_cancel will catch it
        }
        task()->loop()->remove_timer(&timer_);
        timer_.index = kCancelled; // the message is the task's, where cancel() stored it
        task()->wake();
        return true;
    }

private:
    [[nodiscard]] PromiseBase* task() const noexcept {
        return static_cast<PromiseBase*>(timer_.target);
    }
    [[noreturn]] void throw_cancelled() const;

    static constexpr std::uint32_t kCancelled = TimerNode::kFirstMark;

    TimerNode timer_; // the whole state: the task is its target, kCancelled its flag
};

} // namespace detail

/// Suspends the current task for `delay` (Python's asyncio.sleep); zero or less yields to the
/// other ready tasks once. Cancel safety: cancellation raises CancelledError here, timer removed.
inline detail::SleepAwaiter sleep(std::chrono::duration<double> delay) noexcept {
    return detail::SleepAwaiter(delay.count());
}

/// sleep() for `seconds` given as a number, as Python's asyncio.sleep(0.5). The lighter form in
/// a frame: a chrono argument is a temporary the coroutine's frame keeps across the suspension.
inline detail::SleepAwaiter sleep(double seconds) noexcept {
    return detail::SleepAwaiter(seconds);
}

} // namespace concur::asyncio
