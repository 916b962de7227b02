// Between the loop and threads: wrap_future, run_coroutine_threadsafe, run_in_executor,
// to_thread, and `co_await` on a futures::Future.
#pragma once

#include <concepts>
#include <exception>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include "concur/asyncio/coroutine.hpp"
#include "concur/asyncio/detail/concurrent_await.hpp"
#include "concur/asyncio/events.hpp"
#include "concur/asyncio/future.hpp"
#include "concur/asyncio/task.hpp"
#include "concur/futures/executor.hpp"
#include "concur/futures/future.hpp"
#include "concur/futures/process_pool_executor.hpp"

namespace concur::futures {

/// A task may `co_await` a concurrent future (a thread's or a process's result): the task is
/// suspended, not the loop. Declared here, in the future's namespace so that lookup finds it,
/// by the asyncio layer: concur::futures itself knows nothing of event loops.
template <class T>
asyncio::detail::ConcurrentFutureAwaiter<T> operator co_await(Future<T> future) noexcept {
    return asyncio::detail::ConcurrentFutureAwaiter<T>(std::move(future));
}

} // namespace concur::futures

namespace concur::asyncio {

/// An asyncio::Future of `loop` that follows the concurrent future `f` (Python's
/// wrap_future): it gets f's result, exception or cancellation; cancelling it cancels f.
template <class T>
Future<T> wrap_future(futures::Future<T> f, EventLoop& loop) {
    Future<T> wrapped(loop);
    // The loop-bound handle must only be touched on the loop's thread: the completing thread
    // carries it as a raw pointer to an owner that the loop deletes.
    struct Owner {
        Future<T> future;
    };
    auto* owner = new Owner{wrapped};
    f.add_done_callback([owner, &loop](const futures::Future<T>& done) {
        loop.call_soon_threadsafe([owner, done]() {
            std::unique_ptr<Owner> o(owner);
            Future<T>& target = o->future;
            if (target.done()) {
                return;
            }
            if (done.cancelled()) {
                target.cancel();
            } else if (auto exc = done.exception()) {
                target.set_exception(exc);
            } else if constexpr (std::is_void_v<T>) {
                target.set_result();
            } else {
                target.set_result(done.result());
            }
        });
    });
    wrapped.add_done_callback([f](const Future<T>& w) mutable {
        if (w.cancelled()) {
            f.cancel();
        }
    });
    return wrapped;
}
template <class T>
Future<T> wrap_future(futures::Future<T> f) {
    return wrap_future(std::move(f), get_running_loop());
}

/// Runs `fn(args...)` in a process pool and returns an asyncio::Future for its result (Python's
/// loop.run_in_executor(process_pool, ...)): the call and its arguments are serialised.
template <class E, class F, class... Args>
requires std::same_as<E, futures::ProcessPoolExecutor>
auto run_in_executor(EventLoop& loop, E* executor, F fn, Args... args) {
    return wrap_future(executor->submit(fn, std::move(args)...), loop);
}

/// Runs `fn(args...)` in `executor` (the loop's default executor if null) and returns an
/// asyncio::Future for its result (Python's loop.run_in_executor).
template <class F, class... Args>
auto run_in_executor(EventLoop& loop, futures::Executor* executor, F&& fn, Args&&... args) {
    futures::Executor& ex = executor != nullptr ? *executor : loop.default_executor();
    return wrap_future(ex.submit(std::forward<F>(fn), std::forward<Args>(args)...), loop);
}

/// Runs `fn(args...)` in the loop's default executor and awaits its result (Python's
/// asyncio.to_thread). Cancel safety: the call is cancelled if it has not started yet;
/// otherwise it finishes in its thread and its result is dropped.
template <class F, class... Args, class R = futures::detail::call_result_t<F, Args...>>
Coroutine<R> to_thread(F fn, Args... args) {
    co_return co_await run_in_executor(get_running_loop(), nullptr, std::move(fn),
                                       std::move(args)...);
}

/// Submits `coro` to `loop` from another thread and returns a concurrent future for its
/// result (Python's run_coroutine_threadsafe). Cancelling the concurrent future cancels the
/// task.
template <class T>
futures::Future<T> run_coroutine_threadsafe(Coroutine<T> coro, EventLoop& loop) {
    futures::Future<T> result;
    loop.call_soon_threadsafe([coro = std::move(coro), result, &loop]() mutable {
        if (!result.set_running_or_notify_cancel()) {
            return; // cancelled before the loop got to it
        }
        Task<T> task = loop_create_task(loop, std::move(coro));
        task.add_done_callback([result](const Task<T>& done) mutable {
            try {
                if (done.cancelled()) {
                    result.set_exception(CancelledError());
                } else if (auto exc = done.exception()) {
                    result.set_exception(exc);
                } else if constexpr (std::is_void_v<T>) {
                    result.set_result();
                } else {
                    result.set_result(done.result());
                }
            } catch (const InvalidStateError&) {
                // cancelled from the other side meanwhile
            }
        });
        // The other side cancelling (from any thread) reaches the task on its loop, carried as
        // a raw pointer the loop releases.
        auto* owner = new Task<T>(std::move(task));
        result.add_done_callback([owner, &loop](const futures::Future<T>& f) {
            try {
                loop.call_soon_threadsafe([owner, cancelled = f.cancelled()] {
                    std::unique_ptr<Task<T>> t(owner);
                    if (cancelled) {
                        t->cancel();
                    }
                });
            } catch (...) {
                // the loop is closed: the task is gone with it
            }
        });
    });
    return result;
}

} // namespace concur::asyncio
