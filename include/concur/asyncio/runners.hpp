// asyncio.run and loop.run_until_complete: the entry points from synchronous code.
#pragma once

#include <type_traits>
#include <utility>

#include "concur/asyncio/coroutine.hpp"
#include "concur/asyncio/events.hpp"
#include "concur/asyncio/task.hpp"
#include "concur/core/exceptions.hpp"

namespace concur::asyncio {

/// Runs the loop until `task` is done and returns its result (or rethrows its exception;
/// CancelledError if it was cancelled). RuntimeError if the loop stopped first.
template <class T>
T run_until_complete(EventLoop& loop, Task<T> task) {
    if (task.core()->loop() != &loop) {
        throw ValueError("The future belongs to a different loop than the one specified as the "
                         "loop argument");
    }
    loop.run_until([&task] { return task.done(); });
    if (!task.done()) {
        throw RuntimeError("Event loop stopped before Future completed.");
    }
    // Python stops the loop from a done-callback of the task: the iteration after the one that
    // finished it runs too, with the task's other done-callbacks.
    loop.stop();
    loop.run_forever();
    return task.result_for_await();
}

/// Wraps `coro` in a task of `loop` and runs the loop until it is done (Python's
/// loop.run_until_complete).
template <class T>
T run_until_complete(EventLoop& loop, Coroutine<T> coro) {
    return run_until_complete(loop, loop_create_task(loop, std::move(coro)));
}

/// Python's keyword arguments of asyncio.run.
struct RunOptions {
    /// Debug mode: report callbacks and task steps slower than 0.1 s.
    bool debug = false;
};

namespace detail {
/// asyncio.run's cleanup: cancels the loop's remaining tasks, lets them finish, reports their
/// errors, shuts the default executor down, closes the loop.
void finish_run(EventLoop& loop) noexcept;
} // namespace detail

/// Runs `main` on a new event loop and returns its result, or rethrows its exception (Python's
/// asyncio.run). On the way out, tasks still pending are cancelled and awaited, the default
/// executor is shut down and the loop closed. RuntimeError if called from a running loop.
template <class T>
T run(Coroutine<T> main, RunOptions options = {}) {
    if (EventLoop::running() != nullptr) {
        throw RuntimeError("asyncio.run() cannot be called from a running event loop");
    }
    EventLoop loop;
    loop.set_debug(options.debug);
    struct Finish {
        EventLoop& loop;
        ~Finish() { detail::finish_run(loop); }
    } finish{loop};
    return run_until_complete(loop, std::move(main));
}

} // namespace concur::asyncio
