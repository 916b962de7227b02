// Coroutine<T>: what `async def f() -> T` is in Python: calling it makes a coroutine object that
// runs when awaited or wrapped in a task.
#pragma once

#include <coroutine>
#include <exception>
#include <type_traits>
#include <utility>

#include "concur/asyncio/detail/promise.hpp"
#include "concur/core/exceptions.hpp"

namespace concur::asyncio {

/// A lazy coroutine returning T (Python's coroutine object): `Coroutine<int> f() { co_return 1; }`.
/// Nothing runs until it is awaited (`co_await f()`, which runs it inline in the awaiting task)
/// or given to create_task() (which schedules it as a task of its own). Move-only; destroying
/// an unstarted or unfinished coroutine destroys its frame.
template <class T = void>
class [[nodiscard]] Coroutine {
public:
    using promise_type = detail::Promise<T>;
    using value_type = T;

    Coroutine() = default;
    explicit Coroutine(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}
    Coroutine(Coroutine&& other) noexcept : h_(std::exchange(other.h_, {})) {}
    Coroutine& operator=(Coroutine&& other) noexcept {
        if (this != &other) {
            reset();
            h_ = std::exchange(other.h_, {});
        }
        return *this;
    }
    Coroutine(const Coroutine&) = delete;
    Coroutine& operator=(const Coroutine&) = delete;
    ~Coroutine() { reset(); }

    /// True if this holds a coroutine (not moved from, not given to a task).
    explicit operator bool() const noexcept { return static_cast<bool>(h_); }

    /// Awaiting runs the coroutine in the awaiting task and gives its value (or rethrows).
    auto operator co_await() && noexcept {
        struct Awaiter {
            std::coroutine_handle<promise_type> h;
            [[nodiscard]] bool await_ready() const noexcept { return false; }
            std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) const {
                if (!h) {
                    throw RuntimeError("cannot await an empty coroutine (moved from, or given "
                                       "to a task)");
                }
                if (!h.promise().start_inline()) {
                    throw RuntimeError("cannot reuse already awaited coroutine");
                }
                h.promise().set_continuation(awaiting);
                return h; // symmetric transfer: no stack growth, no trip through the loop
            }
            T await_resume() const {
                promise_type& p = h.promise();
                if (p.has_exception()) {
                    std::rethrow_exception(p.take_exception());
                }
                if constexpr (!std::is_void_v<T>) {
                    return std::move(p.value());
                }
            }
        };
        return Awaiter{h_};
    }

    /// Hands the coroutine over (to a task): this becomes empty.
    std::coroutine_handle<promise_type> release() noexcept { return std::exchange(h_, {}); }

private:
    void reset() noexcept {
        if (h_) {
            h_.destroy();
            h_ = {};
        }
    }

    std::coroutine_handle<promise_type> h_;
};

namespace detail {
template <class T>
Coroutine<T> Promise<T>::get_return_object() noexcept {
    return Coroutine<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Coroutine<void> Promise<void>::get_return_object() noexcept {
    return Coroutine<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}
} // namespace detail

} // namespace concur::asyncio
