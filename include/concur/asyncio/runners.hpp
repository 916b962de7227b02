// asyncio.run and loop.run_until_complete: the entry points from synchronous code.
#pragma once

#include <cstdint>
#include <memory>
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
    /// Ctrl-C handling, as Python's asyncio.Runner: when run() is called from the main thread
    /// and SIGINT has its default disposition, a first SIGINT cancels the main task (run() then
    /// throws KeyboardInterrupt) and a second one ends the process by SIGINT. false leaves
    /// SIGINT alone (Python has no such option: it always does this).
    bool handle_sigint = true;
};

namespace detail {
/// asyncio.run's cleanup: cancels the loop's remaining tasks, lets them finish, reports their
/// errors, shuts the default executor down, closes the loop.
void finish_run(EventLoop& loop) noexcept;

/// asyncio.run's SIGINT handler (Python's Runner._on_sigint), in place from construction to
/// destruction when `enabled`, on the main thread, and SIGINT's disposition is SIG_DFL. The
/// destructor restores SIG_DFL unless the handler was replaced meanwhile.
class RunSigint {
public:
    RunSigint(EventLoop& loop, TaskInfo main_task, bool enabled);
    RunSigint(const RunSigint&) = delete;
    RunSigint& operator=(const RunSigint&) = delete;
    ~RunSigint();

    /// How many SIGINTs the handler has seen (Python's Runner._interrupt_count).
    [[nodiscard]] int interrupts() const noexcept;
    /// KeyboardInterrupt if a SIGINT came when the main task was already done (Python's
    /// handler raises it there and then).
    void raise_if_late() const;

private:
    struct State;
    EventLoop& loop_;
    std::shared_ptr<State> state_; // null when not installed
    std::uint64_t generation_ = 0;
};
} // namespace detail

/// Runs `main` on a new event loop and returns its result, or rethrows its exception (Python's
/// asyncio.run). On the way out, tasks still pending are cancelled and awaited, the default
/// executor is shut down and the loop closed. RuntimeError if called from a running loop.
/// KeyboardInterrupt if a SIGINT cancelled `main` (see RunOptions::handle_sigint).
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
    Task<T> task = loop_create_task(loop, std::move(main));
    // Destroyed before `finish`: SIGINT has its default action again while the remaining tasks
    // are cancelled, as in Python.
    detail::RunSigint sigint(loop, TaskInfo(static_cast<detail::PromiseBase*>(task.core())),
                             options.handle_sigint);
    try {
        if constexpr (std::is_void_v<T>) {
            run_until_complete(loop, task);
            sigint.raise_if_late();
        } else {
            T result = run_until_complete(loop, task);
            sigint.raise_if_late();
            return result;
        }
    } catch (const CancelledError&) {
        if (sigint.interrupts() > 0 && task.uncancel() == 0) {
            throw KeyboardInterrupt();
        }
        throw;
    }
}

} // namespace concur::asyncio
