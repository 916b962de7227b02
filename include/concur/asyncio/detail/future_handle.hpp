// What asyncio::Future<T> and Task<T> have in common: a reference-counted handle onto a
// loop-bound state, with Python's reading API, done-callbacks, and awaiting.
#pragma once

#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "concur/asyncio/detail/future_core.hpp"
#include "concur/asyncio/detail/promise.hpp"
#include "concur/asyncio/events.hpp"
#include "concur/core/exceptions.hpp"
#include "concur/core/unique_function.hpp"

namespace concur::asyncio::detail {

/// Awaiting a future or task from a task: suspends it until the future is done (unless it
/// already is), then gives the result or raises. Cancel safety: cancelling the awaiting task
/// cancels the awaited future (a task: Task::cancel), as in Python; shield() prevents that.
template <class Handle>
struct FutureAwaiter final : Waiter {
    explicit FutureAwaiter(Handle h) noexcept : future(std::move(h)) {}
    FutureAwaiter(const FutureAwaiter&) = delete;
    FutureAwaiter& operator=(const FutureAwaiter&) = delete;
    ~FutureAwaiter() override {
        if (registered) {
            future.core()->remove_waiter(this); // the awaiting frame is being destroyed
        }
    }

    [[nodiscard]] bool await_ready() const noexcept { return future.done(); }

    void await_suspend(std::coroutine_handle<> h) {
        PromiseBase& t = task_for_await("await a future");
        FutureCore* core = future.core();
        if (core->loop() != t.loop()) {
            throw RuntimeError("Task " + t.repr() + " got Future " + core->repr() +
                               " attached to a different loop");
        }
        if (static_cast<FutureCore*>(&t) == core) {
            throw RuntimeError("Task cannot await on itself: " + t.repr());
        }
        task = &t;
        t.suspend_on(h, core);
        core->add_waiter(this);
    }

    void on_done(FutureCore& /*future*/) noexcept override { task->wake(); }

    auto await_resume() -> decltype(std::declval<Handle&>().result_for_await()) {
        if (task != nullptr) {
            task->resume_from_suspension();
        }
        return future.result_for_await();
    }

    Handle future;
    PromiseBase* task = nullptr;
};

/// The reading half of Future<T> and Task<T>, over a state type with value() and the
/// FutureCore fields.
template <class Derived, class T, class State>
class FutureHandle {
public:
    FutureHandle() = default;
    FutureHandle(const FutureHandle& other) noexcept : state_(other.state_) {
        if (state_ != nullptr) {
            state_->retain();
        }
    }
    FutureHandle(FutureHandle&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
    FutureHandle& operator=(const FutureHandle& other) noexcept {
        FutureHandle copy(other);
        std::swap(state_, copy.state_);
        return *this;
    }
    FutureHandle& operator=(FutureHandle&& other) noexcept {
        std::swap(state_, other.state_);
        return *this;
    }
    ~FutureHandle() {
        if (state_ != nullptr) {
            state_->release();
        }
    }

    /// Cancels the future (a task: what it awaits), scheduling callbacks; false if done.
    bool cancel(std::optional<std::string> msg = std::nullopt) {
        return state_->cancel(msg ? &*msg : nullptr);
    }
    [[nodiscard]] bool cancelled() const noexcept { return state_->cancelled(); }
    [[nodiscard]] bool done() const noexcept { return state_->done(); }

    /// The result. InvalidStateError if not done; CancelledError if cancelled; rethrows the
    /// stored exception. The reference is valid while a handle lives.
    std::add_lvalue_reference_t<T> result() const {
        check_result();
        if constexpr (!std::is_void_v<T>) {
            return state_->value();
        }
    }

    /// The stored exception (null if there is none). InvalidStateError if not done;
    /// CancelledError if cancelled.
    [[nodiscard]] std::exception_ptr exception() const {
        if (!state_->done()) {
            throw InvalidStateError("Exception is not set.");
        }
        if (state_->cancelled()) {
            std::rethrow_exception(state_->cancelled_error());
        }
        return state_->has_exception() ? state_->take_exception() : nullptr;
    }

    /// Schedules `fn(future)` on the loop once the future is done (at once if it is). An
    /// exception from `fn` goes to the loop's exception handler.
    template <class F>
    requires std::is_invocable_v<F&, const Derived&>
    void add_done_callback(F&& fn) const {
        auto* node = new CallbackNode(std::forward<F>(fn));
        if (state_->done()) {
            node->future = static_cast<const Derived&>(*this);
            state_->loop()->schedule(node);
        } else {
            state_->add_waiter(node);
        }
    }

    /// The loop the future belongs to.
    [[nodiscard]] EventLoop& get_loop() const noexcept { return *state_->loop(); }

    /// Awaitable from a task of the same loop.
    FutureAwaiter<Derived> operator co_await() const noexcept {
        return FutureAwaiter<Derived>(static_cast<const Derived&>(*this));
    }

    [[nodiscard]] std::string repr() const { return state_->repr(); }
    explicit operator bool() const noexcept { return state_ != nullptr; }
    friend bool operator==(const FutureHandle& a, const FutureHandle& b) noexcept {
        return a.state_ == b.state_;
    }

    // For this module's awaitables.
    [[nodiscard]] FutureCore* core() const noexcept { return state_; }
    /// Gives up the handle's reference to the caller, leaving the handle empty.
    State* release_state() noexcept { return std::exchange(state_, nullptr); }
    [[nodiscard]] State* state() const noexcept { return state_; }
    /// The result as `co_await` gives it: a copy (or, for move-only types, moved out).
    T result_for_await() const {
        check_result();
        if constexpr (!std::is_void_v<T>) {
            if constexpr (std::is_copy_constructible_v<T>) {
                return state_->value();
            } else {
                return std::move(state_->value());
            }
        }
    }

protected:
    explicit FutureHandle(State* state) noexcept : state_(state) {}

    void check_result() const {
        if (!state_->done()) {
            throw InvalidStateError("Result is not set.");
        }
        if (state_->cancelled()) {
            std::rethrow_exception(state_->cancelled_error());
        }
        if (state_->has_exception()) {
            std::rethrow_exception(state_->take_exception());
        }
        state_->mark_retrieved();
    }

    struct CallbackNode final : Waiter, Runnable {
        template <class F>
        explicit CallbackNode(F&& f) : fn(std::forward<F>(f)) {
            owned_by_future = true;
            run = &CallbackNode::call;
        }
        void on_done(FutureCore& core) noexcept override {
            core.retain();
            future = Derived::adopt(static_cast<State*>(&core));
            core.loop()->schedule(this);
        }
        static void call(Runnable* self) {
            std::unique_ptr<CallbackNode> node(static_cast<CallbackNode*>(self));
            if (!node->future.get_loop().discarding()) {
                node->fn(node->future);
            }
        }
        UniqueFunction<void(const Derived&)> fn;
        // Empty until the future is done (a default-constructed Future would make a new state
        // on the running loop, and throw without one).
        Derived future = Derived::adopt(nullptr);
    };

    State* state_ = nullptr;
};

} // namespace concur::asyncio::detail
