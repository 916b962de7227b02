// asyncio.Future: a result that a callback or another task sets later, awaitable by tasks.
#pragma once

#include <exception>
#include <new>
#include <type_traits>
#include <utility>

#include "concur/asyncio/detail/future_handle.hpp"
#include "concur/asyncio/events.hpp"
#include "concur/core/exceptions.hpp"

namespace concur::asyncio {

namespace detail {

template <class T>
class FutureState final : public FutureCore {
public:
    explicit FutureState(EventLoop* loop) noexcept : FutureCore(loop) {}
    ~FutureState() override {
        if (log_traceback_) {
            report_unretrieved("Future exception was never retrieved", exception_);
        }
        if (has_value_) {
            value_.~T();
        }
    }
    template <class... Args>
    void set_value(Args&&... args) {
        ::new (static_cast<void*>(&value_)) T(std::forward<Args>(args)...);
        has_value_ = true;
    }
    T& value() noexcept { return value_; }
    void complete(bool with_exception) noexcept {
        state_ = State::kFinished;
        has_exception_ = with_exception;
        log_traceback_ = with_exception;
        notify_done();
    }
    void store_exception(std::exception_ptr e) noexcept { exception_ = std::move(e); }

protected:
    void destroy() noexcept override { delete this; }

private:
    union {
        T value_;
    };
};

template <>
class FutureState<void> final : public FutureCore {
public:
    explicit FutureState(EventLoop* loop) noexcept : FutureCore(loop) {}
    ~FutureState() override {
        if (log_traceback_) {
            report_unretrieved("Future exception was never retrieved", exception_);
        }
    }
    void set_value() noexcept {}
    void complete(bool with_exception) noexcept {
        state_ = State::kFinished;
        has_exception_ = with_exception;
        log_traceback_ = with_exception;
        notify_done();
    }
    void store_exception(std::exception_ptr e) noexcept { exception_ = std::move(e); }

protected:
    void destroy() noexcept override { delete this; }
};

} // namespace detail

/// A loop-bound future (Python's asyncio.Future): set_result()/set_exception() complete it,
/// tasks `co_await` it, done-callbacks are scheduled on the loop. A handle: copies share one
/// state. Not thread-safe: from other threads use call_soon_threadsafe, or futures::Future.
template <class T = void>
class Future : public detail::FutureHandle<Future<T>, T, detail::FutureState<T>> {
    using Base = detail::FutureHandle<Future<T>, T, detail::FutureState<T>>;

public:
    /// A pending future of the running loop; RuntimeError if none runs.
    Future() : Base(new detail::FutureState<T>(&get_running_loop())) {}
    /// A pending future of `loop`.
    explicit Future(EventLoop& loop) : Base(new detail::FutureState<T>(&loop)) {}

    /// Stores the result and wakes awaiters; InvalidStateError if already done.
    template <class... Args>
    void set_result(Args&&... value) {
        check_pending();
        this->state_->set_value(std::forward<Args>(value)...);
        this->state_->complete(false);
    }

    /// Stores an exception for result() and awaiters to raise; InvalidStateError if done.
    void set_exception(std::exception_ptr exc) {
        check_pending();
        this->state_->store_exception(std::move(exc));
        this->state_->complete(true);
    }
    template <class E>
    requires(!std::is_same_v<std::decay_t<E>, std::exception_ptr>) void set_exception(E&& exc) {
        set_exception(std::make_exception_ptr(std::forward<E>(exc)));
    }

    /// Wraps a state whose reference the caller hands over.
    static Future adopt(detail::FutureState<T>* state) noexcept { return Future(state); }

private:
    friend Base;
    explicit Future(detail::FutureState<T>* state) noexcept : Base(state) {}

    void check_pending() const {
        if (this->state_->done()) {
            throw InvalidStateError("invalid state: " + this->state_->repr());
        }
    }
};

} // namespace concur::asyncio
