// concurrent.futures.Future: the result of a call that may not have finished yet.
#pragma once

#include <compare>
#include <cstdio>
#include <exception>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>

#include "concur/core/exceptions.hpp"
#include "concur/core/timeout.hpp"
#include "concur/core/traceback.hpp"
#include "concur/core/unique_function.hpp"
#include "concur/futures/detail/future_state.hpp"

namespace concur::futures {

template <class T>
class Future;

namespace detail {
template <class T>
Future<T> adopt(FutureState<T>* state) noexcept;
template <class T>
FutureState<T>* state_of(const Future<T>& future) noexcept;
} // namespace detail

/// The eventual result of a call (Python's concurrent.futures.Future): thread-safe, waitable
/// with a timeout, cancellable until it runs. A Future is a handle: copies share one state, as
/// Python references share one object. Executors create futures; `Future<T>()` makes a pending
/// one for code that completes it by hand (set_result / set_exception).
template <class T>
class Future {
    static_assert(!std::is_reference_v<T>, "Future<T&> is not supported: use a pointer");

public:
    /// A new pending future.
    Future() : state_(new detail::FutureState<T>()) {}

    Future(const Future& other) noexcept : state_(other.state_) {
        if (state_ != nullptr) {
            state_->retain();
        }
    }
    Future(Future&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
    Future& operator=(Future other) noexcept {
        std::swap(state_, other.state_);
        return *this;
    }
    ~Future() {
        if (state_ != nullptr) {
            state_->release();
        }
    }

    /// Attempts to cancel the call: false if it is running or finished; true if it is (now)
    /// cancelled, after which waiters are woken and callbacks run.
    bool cancel() noexcept { return state_->cancel(); }

    /// True if the call was cancelled.
    [[nodiscard]] bool cancelled() const noexcept {
        return state_->status() == detail::FutureStateBase::kCancelled;
    }

    /// True if the call is running (or its result is being stored) and cannot be cancelled.
    [[nodiscard]] bool running() const noexcept {
        const auto s = state_->status();
        return s == detail::FutureStateBase::kRunning || s == detail::FutureStateBase::kCompleting;
    }

    /// True if the call finished or was cancelled.
    [[nodiscard]] bool done() const noexcept { return state_->done(); }

    /// The call's return value, waiting at most `timeout`. Rethrows the call's own exception;
    /// CancelledError if cancelled; TimeoutError if not done in time. The reference stays valid
    /// while any handle to this future lives.
    std::add_lvalue_reference_t<T> result(Timeout timeout = std::nullopt) const {
        wait_done(timeout);
        if (state_->has_exception()) {
            std::rethrow_exception(state_->exception());
        }
        if constexpr (!std::is_void_v<T>) {
            return state_->value();
        }
    }

    /// The exception the call raised (null if it returned), waiting at most `timeout`;
    /// CancelledError if cancelled, TimeoutError if not done in time.
    std::exception_ptr exception(Timeout timeout = std::nullopt) const {
        wait_done(timeout);
        return state_->has_exception() ? state_->exception() : nullptr;
    }

    /// Calls `fn(future)` when the future finishes or is cancelled, at once (in this thread) if
    /// it already has. Callbacks run in the order added, in the thread that completes the
    /// future; one that throws is logged and the others still run.
    template <class F>
    requires std::is_invocable_v < F&, const Future<T>
    & > void add_done_callback(F&& fn) {
        auto* node = new CallbackListener(std::forward<F>(fn));
        if (!state_->add_listener(node)) {
            node->on_done(*state_);
            delete node;
        }
    }

    /// For executors: marks the future running (true) unless it was cancelled (false).
    /// Calling it twice, or after the future finished, is a RuntimeError.
    bool set_running_or_notify_cancel() { return state_->set_running_or_notify_cancel(); }

    /// Stores the result and wakes waiters; InvalidStateError if already done.
    template <class... Args>
    void set_result(Args&&... value) {
        if (!state_->set_value(std::forward<Args>(value)...)) {
            throw InvalidStateError(invalid_state_message());
        }
    }

    /// Stores an exception for result() to rethrow; InvalidStateError if already done.
    void set_exception(std::exception_ptr exc) {
        if (!state_->set_exception(std::move(exc))) {
            throw InvalidStateError(invalid_state_message());
        }
    }
    template <class E>
    requires(!std::is_same_v<std::decay_t<E>, std::exception_ptr>) void set_exception(E&& exc) {
        set_exception(std::make_exception_ptr(std::forward<E>(exc)));
    }

    /// "<Future at 0x... state=pending>", as Python's repr.
    [[nodiscard]] std::string repr() const {
        static constexpr const char* kNames[] = {"pending",  "running", "running", "cancelled",
                                                 "finished", "?",       "?",       "?"};
        char buf[96];
        std::snprintf(buf, sizeof buf, "<Future at %p state=%s%s>",
                      static_cast<const void*>(state_), kNames[state_->status()],
                      state_->status() == detail::FutureStateBase::kFinished
                          ? (state_->has_exception() ? " raised" : " returned")
                          : "");
        return buf;
    }

    /// Futures compare by identity, so they can key a std::map or std::unordered_map (the
    /// course's `{executor.submit(...): item}` dictionaries).
    friend bool operator==(const Future& a, const Future& b) noexcept {
        return a.state_ == b.state_;
    }
    friend std::strong_ordering operator<=>(const Future& a, const Future& b) noexcept {
        return std::compare_three_way{}(a.state_, b.state_);
    }

private:
    friend Future detail::adopt<T>(detail::FutureState<T>* state) noexcept;
    friend detail::FutureState<T>* detail::state_of<T>(const Future& future) noexcept;

    struct AdoptTag {};
    Future(AdoptTag /*tag*/, detail::FutureState<T>* state) noexcept : state_(state) {}

    void wait_done(Timeout timeout) const {
        if (!state_->done() && !state_->wait_until(Deadline::after(timeout))) {
            throw TimeoutError();
        }
        if (state_->status() == detail::FutureStateBase::kCancelled) {
            throw CancelledError();
        }
    }

    std::string invalid_state_message() const {
        return "invalid state for this operation: " + repr();
    }

    struct CallbackListener final : detail::Listener {
        template <class F>
        explicit CallbackListener(F&& f) : fn(std::forward<F>(f)) {}
        void on_done(detail::FutureStateBase& state) noexcept override {
            auto& typed = static_cast<detail::FutureState<T>&>(state);
            typed.retain();
            const Future future(AdoptTag{}, &typed);
            try {
                fn(future);
            } catch (...) {
                log_exception("exception calling callback for " + future.repr(),
                              std::current_exception());
            }
        }
        [[nodiscard]] bool is_callback() const noexcept override { return true; }
        UniqueFunction<void(const Future&)> fn;
    };

    detail::FutureState<T>* state_;
};

namespace detail {
/// Wraps a state whose reference the caller hands over.
template <class T>
Future<T> adopt(FutureState<T>* state) noexcept {
    return Future<T>(typename Future<T>::AdoptTag{}, state);
}
template <class T>
FutureState<T>* state_of(const Future<T>& future) noexcept {
    return future.state_;
}
} // namespace detail

} // namespace concur::futures

template <class T>
struct std::hash<concur::futures::Future<T>> {
    std::size_t operator()(const concur::futures::Future<T>& f) const noexcept {
        return std::hash<const void*>{}(concur::futures::detail::state_of(f));
    }
};
