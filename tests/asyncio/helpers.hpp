// Helpers of the tests of asyncio's locks and queues: a ManualClock loop per test (sleeps take
// no wall time), whose exception handler must stay silent, and one-line coroutines that await
// a primitive, for create_task() (Python's `create_task(lock.acquire())`).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "concur/asyncio.hpp"
#include "concur/core/traceback.hpp"

namespace alocks_test {

namespace asyncio = concur::asyncio;
using asyncio::Coroutine;
using asyncio::Task;
using namespace std::chrono_literals;

/// A test on its own ManualClock loop. TearDown cancels the tasks still pending and lets them
/// finish (as asyncio.run does), closes the loop, and fails the test if anything reached the
/// loop's exception handler (an exception never retrieved, a task destroyed pending...).
class LoopTest : public ::testing::Test {
protected:
    void SetUp() override {
        loop->set_exception_handler(
            [this](asyncio::EventLoop&, const asyncio::ExceptionContext& c) {
                reports.push_back(c.message + " " + concur::format_exception(c.exception) + " " +
                                  c.task + c.future);
            });
    }
    void TearDown() override {
        (void)loop->call_later(kDeadlock, [this] { loop->stop(); });
        asyncio::detail::finish_run(*loop);
        for (const std::string& r : reports) {
            ADD_FAILURE() << "unexpected report: " << r;
        }
    }

    /// Runs `coro` as a task of the loop until it is done; its result or exception. A
    /// deadlock (every task waiting, no timer left) fails at once instead of hanging: the
    /// ManualClock jumps to a timer an hour away, which stops the loop ("Event loop stopped
    /// before Future completed.").
    template <class T>
    T run(Coroutine<T> coro) {
        asyncio::TimerHandle watchdog = loop->call_later(kDeadlock, [this] { loop->stop(); });
        struct Cancel {
            asyncio::TimerHandle& h;
            ~Cancel() { h.cancel(); }
        } cancel{watchdog};
        return asyncio::run_until_complete(*loop, std::move(coro));
    }

    static constexpr std::chrono::hours kDeadlock{1};

    asyncio::testing::ManualClock* clock = nullptr;
    std::unique_ptr<asyncio::EventLoop> loop = asyncio::testing::manual_loop(&clock);
    std::vector<std::string> reports;
};

/// `await x.acquire()` as a coroutine of its own.
template <class P>
Coroutine<bool> acquire(P& primitive) {
    co_return co_await primitive.acquire();
}

/// `await event.wait()` / `await cond.wait()` as a coroutine of its own.
template <class P>
Coroutine<bool> wait(P& primitive) {
    co_return co_await primitive.wait();
}

/// `await q.get()` as a coroutine of its own.
template <class Q>
Coroutine<typename Q::value_type> get(Q& q) {
    co_return co_await q.get();
}

/// `await q.put(item)` as a coroutine of its own.
template <class Q>
Coroutine<> put(Q& q, typename Q::value_type item) {
    co_await q.put(std::move(item));
}

/// `await q.join()` as a coroutine of its own.
template <class Q>
Coroutine<> join(Q& q) {
    co_await q.join();
}

/// `n` tasks of `coro()`, created in order (CPython's make_tasks in test_locks.py).
template <class F>
auto make_tasks(int n, F& coro) {
    using T = typename std::invoke_result_t<F&>::value_type;
    std::vector<Task<T>> tasks;
    for (int i = 0; i < n; ++i) {
        tasks.push_back(asyncio::create_task(coro()));
    }
    return tasks;
}

/// Lets every task that is ready now run one step (Python's `await asyncio.sleep(0)`).
inline auto yield_once() {
    return asyncio::sleep(0s);
}

/// True if awaiting `task` raises CancelledError (the task is done and cancelled).
template <class T>
bool ended_cancelled(const Task<T>& task) {
    return task.done() && task.cancelled();
}

} // namespace alocks_test
