// asyncio.wait_for and asyncio.shield.
#pragma once

#include <chrono>
#include <coroutine>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "concur/asyncio/coroutine.hpp"
#include "concur/asyncio/detail/future_handle.hpp"
#include "concur/asyncio/future.hpp"
#include "concur/asyncio/gather.hpp"
#include "concur/asyncio/task.hpp"
#include "concur/asyncio/timeouts.hpp"

namespace concur::asyncio {

namespace detail {

/// Waits for a future to be done without passing the waiter's cancellation on to it, and
/// without its result: what shield() and wait_for's "cancel, then wait" are made of.
template <class H>
class DoneWaiter final : public Waiter, public Suspension {
public:
    /// `shielded`: the waiting task's cancellation wakes it with CancelledError and leaves the
    /// future alone; otherwise the task waits on (its cancellation is already delivered).
    DoneWaiter(H future, bool shielded) noexcept
        : future_(std::move(future)), shielded_(shielded) {}
    DoneWaiter(const DoneWaiter&) = delete;
    DoneWaiter& operator=(const DoneWaiter&) = delete;
    ~DoneWaiter() override {
        if (registered) {
            future_.core()->remove_waiter(this);
        }
    }

    [[nodiscard]] bool await_ready() const noexcept { return future_.done(); }
    void await_suspend(std::coroutine_handle<> h) {
        task_ = &task_for_await("await");
        task_->suspend_on(h, shielded_ ? this : nullptr);
        future_.core()->add_waiter(this);
    }
    void await_resume() {
        if (task_ != nullptr) {
            task_->resume_from_suspension();
            if (cancelled_) {
                const std::string* message = task_->cancel_message();
                throw CancelledError(message != nullptr ? *message : "");
            }
        }
    }

    void on_done(FutureCore& /*future*/) noexcept override { task_->wake(); }

    bool cancel_suspension(const std::string* /*message*/) override {
        if (!registered) {
            return false;
        }
        future_.core()->remove_waiter(this);
        cancelled_ = true;
        task_->wake();
        return true;
    }

    [[nodiscard]] const H& future() const noexcept { return future_; }

private:
    H future_;
    PromiseBase* task_ = nullptr;
    bool shielded_;
    bool cancelled_ = false;
};

template <class H>
class ShieldAwaiter {
public:
    explicit ShieldAwaiter(H inner) : waiter_(std::move(inner), true) {}
    [[nodiscard]] bool await_ready() const noexcept { return waiter_.await_ready(); }
    void await_suspend(std::coroutine_handle<> h) { waiter_.await_suspend(h); }
    auto await_resume() {
        try {
            waiter_.await_resume();
        } catch (...) {
            // The awaiting task was cancelled: the inner one runs on; its exception, if it
            // comes, is not reported as never retrieved (as Python's shield).
            if (!waiter_.future().done()) {
                waiter_.future().add_done_callback([](const H& inner) {
                    if (!inner.cancelled()) {
                        (void)inner.exception();
                    }
                });
            }
            throw;
        }
        return waiter_.future().result_for_await();
    }

private:
    DoneWaiter<H> waiter_;
};

} // namespace detail

namespace detail {
template <class H, class T = awaitable_value_t<H>>
Coroutine<T> shielded(H inner) {
    co_return co_await ShieldAwaiter<H>(std::move(inner));
}
} // namespace detail

/// Awaits `aw` (a task, future, or coroutine run as a task) while protecting it from
/// cancellation: if the awaiting task is cancelled, CancelledError is raised here but the
/// inner task runs on (Python's shield). Cancel safety: the inner task is never cancelled
/// through this await.
template <class A>
requires requires {
    typename detail::awaitable_task_t<A>;
}
auto shield(A&& aw) {
    // A Coroutine, so that it composes as Python's shield (which returns a future) does:
    // `co_await wait_for(shield(task), 5s)`.
    return detail::shielded(detail::AwaitableTask<std::decay_t<A>>::make(std::forward<A>(aw)));
}

namespace detail {

template <class H, class T = awaitable_value_t<H>>
Coroutine<T> await_handle(H h) {
    co_return co_await h;
}

template <class H, class T = awaitable_value_t<H>>
Coroutine<T> cancel_and_wait_then_result(H h) {
    // Python's wait_for with timeout <= 0: cancel, wait for the end, and turn a cancellation
    // into TimeoutError.
    h.cancel();
    co_await DoneWaiter<H>(h, false);
    try {
        co_return h.result_for_await();
    } catch (const CancelledError&) {
        throw TimeoutError();
    }
}

} // namespace detail

/// Awaits `aw` for at most `timeout` (nullopt: no limit); on timeout the awaited work is
/// cancelled, waited for, and TimeoutError raised (Python's wait_for). A coroutine runs in the
/// current task; a task is cancelled through the await. Cancel safety: cancelling the waiting
/// task cancels the awaited work, as awaiting it directly would.
template <class T>
Coroutine<T> wait_for(Coroutine<T> aw, std::optional<std::chrono::duration<double>> timeout) {
    if (timeout && timeout->count() <= 0) {
        Task<T> task = create_task(std::move(aw));
        return detail::cancel_and_wait_then_result(std::move(task));
    }
    return asyncio::timeout(timeout, std::move(aw));
}
template <class H>
requires(std::is_same_v<H, Task<detail::awaitable_value_t<H>>> ||
         std::is_same_v<H, Future<detail::awaitable_value_t<H>>>)
    Coroutine<detail::awaitable_value_t<H>> wait_for(
        H aw, std::optional<std::chrono::duration<double>> timeout) {
    if (timeout && timeout->count() <= 0) {
        if (aw.done()) {
            return detail::await_handle(std::move(aw));
        }
        return detail::cancel_and_wait_then_result(std::move(aw));
    }
    return asyncio::timeout(timeout, detail::await_handle(std::move(aw)));
}

/// wait_for() with the timeout in seconds, as Python writes it: wait_for(aw, 0.5).
template <class A>
auto wait_for(A aw, double timeout_seconds)
    -> decltype(wait_for(std::move(aw), std::optional<std::chrono::duration<double>>())) {
    return wait_for(std::move(aw), std::optional<std::chrono::duration<double>>(
                                       std::chrono::duration<double>(timeout_seconds)));
}

} // namespace concur::asyncio
