// asyncio.timeout / timeout_at: limit the time a block of a task may take.
//
// Python's `async with asyncio.timeout(10): body` becomes
//     co_await asyncio::timeout(10s, body());                   // a coroutine
//     co_await asyncio::timeout(10s, [&](asyncio::Timeout& cm) -> Coroutine<T> { ... });
// (C++ has no `async with`: an exit that must await and turn one exception into another cannot
// be a destructor.) The callable form gets the Timeout to reschedule() or ask expired().
#pragma once

#include <chrono>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "concur/asyncio/coroutine.hpp"
#include "concur/asyncio/events.hpp"
#include "concur/asyncio/task.hpp"

namespace concur::asyncio {

/// The state of a timeout block (Python's asyncio.Timeout).
class Timeout {
public:
    /// A timeout due at `when` on the loop's clock (nullopt: none yet).
    explicit Timeout(std::optional<double> when) noexcept : when_(when) {}
    Timeout(const Timeout&) = delete;
    Timeout& operator=(const Timeout&) = delete;
    ~Timeout() { handler_.cancel(); }

    /// When the timeout is due, on the loop's clock; nullopt if it is not set.
    [[nodiscard]] std::optional<double> when() const noexcept { return when_; }

    /// Moves the deadline (nullopt: no deadline). RuntimeError outside the block.
    void reschedule(std::optional<double> when);

    /// True once the deadline has passed and the block is being (or has been) cancelled.
    [[nodiscard]] bool expired() const noexcept {
        return state_ == State::kExpiring || state_ == State::kExpired;
    }

    // Used by timeout()/timeout_at(): entering and leaving the block.
    void enter();
    /// Leaves the block that ended with `exc` (or none): raises TimeoutError for the
    /// cancellation this timeout caused, rethrows anything else.
    void exit(std::exception_ptr exc);

private:
    enum class State { kCreated, kEntered, kExpiring, kExpired, kExited };
    void on_timeout();

    std::optional<double> when_;
    TaskInfo task_;
    std::uint32_t cancelling_ = 0;
    TimerHandle handler_;
    State state_ = State::kCreated;
};

namespace detail {

template <class F>
struct TimeoutBody;
template <class T>
struct TimeoutBody<Coroutine<T>> {
    using type = T;
};

template <class F>
auto call_body(F& body, Timeout& cm) {
    if constexpr (std::is_invocable_v<F&, Timeout&>) {
        return body(cm);
    } else {
        return body();
    }
}

template <class F>
using body_result_t =
    typename TimeoutBody<decltype(call_body(std::declval<F&>(), std::declval<Timeout&>()))>::type;

template <class T>
Coroutine<T> with_timeout(std::optional<double> when, Coroutine<T> body) {
    Timeout cm(when);
    cm.enter();
    std::exception_ptr exc;
    if constexpr (std::is_void_v<T>) {
        try {
            co_await std::move(body);
        } catch (...) {
            exc = std::current_exception();
        }
        cm.exit(exc);
    } else {
        std::optional<T> result;
        try {
            result.emplace(co_await std::move(body));
        } catch (...) {
            exc = std::current_exception();
        }
        cm.exit(exc);
        co_return std::move(*result);
    }
}

template <class F, class T = body_result_t<F>>
Coroutine<T> with_timeout_fn(std::optional<double> when, F body) {
    Timeout cm(when);
    cm.enter();
    std::exception_ptr exc;
    if constexpr (std::is_void_v<T>) {
        try {
            co_await call_body(body, cm);
        } catch (...) {
            exc = std::current_exception();
        }
        cm.exit(exc);
    } else {
        std::optional<T> result;
        try {
            result.emplace(co_await call_body(body, cm));
        } catch (...) {
            exc = std::current_exception();
        }
        cm.exit(exc);
        co_return std::move(*result);
    }
}

} // namespace detail

/// Runs `body` in the current task, cancelling it if it takes longer than `delay` (nullopt:
/// no limit until rescheduled); a cancellation caused by the timeout comes out as TimeoutError,
/// any other exception unchanged (Python's `async with asyncio.timeout(delay)`). Nestable.
template <class T>
Coroutine<T> timeout(std::optional<std::chrono::duration<double>> delay, Coroutine<T> body) {
    std::optional<double> when;
    if (delay) {
        when = get_running_loop().time() + delay->count();
    }
    return detail::with_timeout(when, std::move(body));
}

/// timeout() with a callable making the body: `fn()` or `fn(Timeout&)` returning a Coroutine.
template <class F>
requires(std::is_invocable_v<F&> || std::is_invocable_v<F&, Timeout&>) auto timeout(
    std::optional<std::chrono::duration<double>> delay, F body) {
    std::optional<double> when;
    if (delay) {
        when = get_running_loop().time() + delay->count();
    }
    return detail::with_timeout_fn(when, std::move(body));
}

/// timeout() with an absolute deadline on the loop's clock (Python's timeout_at).
template <class T>
Coroutine<T> timeout_at(std::optional<double> when, Coroutine<T> body) {
    return detail::with_timeout(when, std::move(body));
}
template <class F>
requires(std::is_invocable_v<F&> ||
         std::is_invocable_v<F&, Timeout&>) auto timeout_at(std::optional<double> when, F body) {
    return detail::with_timeout_fn(when, std::move(body));
}

} // namespace concur::asyncio
