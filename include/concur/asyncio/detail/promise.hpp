// The promise behind every Coroutine<T>. A coroutine awaited by another runs inline, as Python's
// `await coro` does; one given to create_task() becomes the task itself: its frame holds the
// task's state, so a task is one allocation (from the slot pool).
#pragma once

#include <coroutine>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

#include "concur/asyncio/detail/future_core.hpp"
#include "concur/asyncio/detail/runnable.hpp"

namespace concur::asyncio {
template <class T>
class Coroutine;
} // namespace concur::asyncio

namespace concur::asyncio::detail {

class PromiseBase;

/// The task being stepped on this thread (Python's current_task()), or null.
PromiseBase* current_task() noexcept;

/// The task a suspending awaitable belongs to; RuntimeError outside a task.
PromiseBase& task_for_await(const char* what);

class PromiseBase : public FutureCore, public Runnable {
public:
    PromiseBase() noexcept : FutureCore(nullptr) { run = &PromiseBase::step; }

    // Lazy. (A task cancelled before its first step never runs: step() finishes it.)
    std::suspend_always initial_suspend() noexcept { return {}; }

    struct FinalAwaiter {
        [[nodiscard]] bool await_ready() const noexcept { return false; }
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) const noexcept {
            PromiseBase& p = h.promise();
            if (p.is_task_) {
                p.finish_task(); // may free the frame: touch nothing after
                return std::noop_coroutine();
            }
            if (p.link_) {
                return p.link_; // awaited inline: back to the awaiting coroutine
            }
            return std::noop_coroutine();
        }
        void await_resume() const noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }

    void unhandled_exception() noexcept {
        exception_ = std::current_exception();
        has_exception_ = true;
    }

    /// Makes this coroutine a task of `loop` and schedules its first step.
    void start_task(EventLoop* loop, std::coroutine_handle<> root);

    /// Python's Task.cancel(msg): cancels what the task awaits, or has it raise CancelledError
    /// at its next step. False if the task is done.
    bool cancel(const std::string* message) override;

    /// Raises the CancelledError the task owes (clearing must_cancel_).
    [[noreturn]] void throw_cancelled();

    /// Called by an awaitable about to suspend the current task on `on` (which may be null if
    /// the suspension cannot be cancelled): records where to resume and what to cancel.
    void suspend_on(std::coroutine_handle<> h, Suspension* on) noexcept {
        link_ = h;
        waiting_on_ = on;
    }
    /// Schedules the task's next step (a suspension it waited on is over). Does nothing for a
    /// task whose loop was closed under it.
    void wake() noexcept;

    /// Called by that awaitable as it resumes: raises CancelledError if a cancel() came that the
    /// suspension itself could not deliver.
    void resume_from_suspension() {
        waiting_on_ = nullptr;
        if (must_cancel_) {
            throw_cancelled();
        }
    }

    [[nodiscard]] bool is_task() const noexcept { return is_task_; }
    [[nodiscard]] std::string name() const;
    void set_name(std::string name);
    [[nodiscard]] std::uint32_t cancelling() const noexcept {
        return extras_ ? extras_->num_cancels_requested : 0;
    }
    std::uint32_t uncancel() noexcept {
        if (cancelling() > 0 && --extras_->num_cancels_requested == 0) {
            must_cancel_ = false;
        }
        return cancelling();
    }
    [[nodiscard]] std::string repr() const override;

    /// True if `r` is a task's step (not a callback): for the loop's debug reports.
    static bool is_step(const Runnable* r) noexcept { return r->run == &PromiseBase::step; }

    /// The handle of the coroutine this promise belongs to.
    virtual std::coroutine_handle<> handle() noexcept = 0;

    // Linked list of a loop's pending tasks (EventLoop owns the links).
    PromiseBase* prev_task_ = nullptr;
    PromiseBase* next_task_ = nullptr;

    /// Marks a coroutine about to be run inline; false if it already ran (or is a task).
    bool start_inline() noexcept {
        if (started_ || is_task_) {
            return false;
        }
        started_ = true;
        return true;
    }

    /// Awaited inline: makes `awaiting` the coroutine to resume when this one returns.
    void set_continuation(std::coroutine_handle<> awaiting) noexcept { link_ = awaiting; }

protected:
    /// Reports "Task exception was never retrieved" when that is so.
    ~PromiseBase() override;

private:
    static void step(Runnable* self);
    void finish_task() noexcept;

    // A task: the innermost coroutine of its await chain, where it is suspended. Awaited
    // inline: the awaiting coroutine to resume. A coroutine is one or the other, never both.
    std::coroutine_handle<> link_;
    Suspension* waiting_on_ = nullptr;
};

/// The typed promise: the coroutine's return value.
template <class T>
class Promise final : public PromiseBase {
public:
    Promise() noexcept {} // NOLINT: value_ is constructed by return_value
    ~Promise() override {
        if (this->has_value_) {
            value_.~T();
        }
    }

    Coroutine<T> get_return_object() noexcept;

    template <class U>
    void return_value(U&& value) {
        ::new (static_cast<void*>(&value_)) T(std::forward<U>(value));
        this->has_value_ = true;
    }

    [[nodiscard]] T& value() noexcept { return value_; }

    std::coroutine_handle<> handle() noexcept override {
        return std::coroutine_handle<Promise>::from_promise(*this);
    }

protected:
    void destroy() noexcept override {
        std::coroutine_handle<Promise>::from_promise(*this).destroy();
    }

private:
    union {
        T value_;
    };
};

template <>
class Promise<void> final : public PromiseBase {
public:
    Coroutine<void> get_return_object() noexcept;
    void return_void() noexcept {}
    std::coroutine_handle<> handle() noexcept override {
        return std::coroutine_handle<Promise>::from_promise(*this);
    }

protected:
    void destroy() noexcept override {
        std::coroutine_handle<Promise>::from_promise(*this).destroy();
    }
};

} // namespace concur::asyncio::detail
