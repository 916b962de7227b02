// AsyncGenerator<T>: Python's async generators (`async def` with `yield`), for `async for`.
//
//     asyncio::AsyncGenerator<int> ticker(int n) {
//         for (int i = 0; i < n; ++i) {
//             co_await asyncio::sleep(1s);
//             co_yield i;
//         }
//     }
//     // `async for i in ticker(3):` becomes
//     auto gen = ticker(3);
//     while (auto i = co_await gen.anext()) { use(*i); }
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "concur/core/exceptions.hpp"
#include "concur/core/slot_pool.hpp"

namespace concur::asyncio {

/// A lazy asynchronous generator of T. It runs inside the task that awaits anext(), so its own
/// co_awaits suspend that task; each anext() runs it to its next co_yield (giving the value) or
/// to its end (giving nullopt); an exception it raises comes out of that anext(). Destroying it
/// (or aclose()) destroys a suspended generator's frame, running its locals' destructors.
/// Move-only.
template <class T>
class [[nodiscard]] AsyncGenerator {
public:
    struct promise_type : SlotAllocated {
        AsyncGenerator get_return_object() noexcept {
            return AsyncGenerator(std::coroutine_handle<promise_type>::from_promise(*this));
        }
        std::suspend_always initial_suspend() noexcept { return {}; }

        struct YieldAwaiter {
            [[nodiscard]] bool await_ready() const noexcept { return false; }
            std::coroutine_handle<>
            await_suspend(std::coroutine_handle<promise_type> h) const noexcept {
                return h.promise().consumer; // back to the task awaiting anext()
            }
            void await_resume() const noexcept {}
        };
        YieldAwaiter yield_value(T value) {
            current.emplace(std::move(value));
            return {};
        }
        YieldAwaiter final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { exception = std::current_exception(); }

        std::coroutine_handle<> consumer;
        std::optional<T> current;
        std::exception_ptr exception;
    };

    AsyncGenerator(AsyncGenerator&& other) noexcept : h_(std::exchange(other.h_, {})) {}
    AsyncGenerator& operator=(AsyncGenerator&& other) noexcept {
        if (this != &other) {
            reset();
            h_ = std::exchange(other.h_, {});
        }
        return *this;
    }
    ~AsyncGenerator() { reset(); }

    /// Awaitable: the next value, or nullopt once the generator is exhausted (Python's
    /// __anext__ and StopAsyncIteration). Cancel safety: cancelling the awaiting task raises
    /// CancelledError at the generator's current co_await, inside it.
    auto anext() {
        struct Awaiter {
            std::coroutine_handle<promise_type> h;
            [[nodiscard]] bool await_ready() const noexcept { return !h || h.done(); }
            std::coroutine_handle<> await_suspend(std::coroutine_handle<> consumer) const noexcept {
                h.promise().consumer = consumer;
                h.promise().current.reset();
                return h; // run the generator in the awaiting task, up to its next co_yield
            }
            std::optional<T> await_resume() const {
                if (!h) {
                    return std::nullopt;
                }
                promise_type& p = h.promise();
                if (p.exception) {
                    std::rethrow_exception(std::exchange(p.exception, nullptr));
                }
                if (h.done()) {
                    return std::nullopt;
                }
                return std::move(p.current);
            }
        };
        return Awaiter{h_};
    }

    /// Finishes the generator now, destroying its frame (Python's aclose()).
    void aclose() noexcept { reset(); }

private:
    explicit AsyncGenerator(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}
    void reset() noexcept {
        if (h_) {
            h_.destroy();
            h_ = {};
        }
    }
    std::coroutine_handle<promise_type> h_;
};

} // namespace concur::asyncio
