// asyncio.Barrier's reset() and abort(), after CPython's test_locks.py (BarrierTests).
#include <string>
#include <vector>

#include "helpers.hpp"

namespace {

using namespace alocks_test;
using asyncio::Barrier;
using asyncio::BrokenBarrierError;
using concur::CancelledError;

class AioBarrierReset : public LoopTest {
protected:
    static constexpr int N = 5;
};

bool has(const Barrier& b, const std::string& text) {
    return b.repr().find(text) != std::string::npos;
}

TEST_F(AioBarrierReset, ResetEmptyBarrier) {
    run([&]() -> Coroutine<> {
        Barrier barrier(1);
        auto t = asyncio::create_task(barrier.reset());
        co_await yield_once();
        EXPECT_TRUE(t.done());
        EXPECT_EQ(barrier.n_waiting(), 0);
        EXPECT_FALSE(barrier.broken());
    }());
}

TEST_F(AioBarrierReset, ResetWhileTasksWait) {
    run([&]() -> Coroutine<> {
        Barrier barrier(N);
        int broken = 0;
        auto coro = [&]() -> Coroutine<> {
            try {
                co_await barrier.wait();
            } catch (const BrokenBarrierError& e) {
                EXPECT_STREQ(e.what(), "Abort or reset of barrier");
                ++broken;
            }
        };
        auto tasks = make_tasks(N - 1, coro);
        co_await yield_once();
        auto reset = asyncio::create_task(barrier.reset());
        co_await asyncio::gather(std::move(tasks));
        co_await reset;
        EXPECT_EQ(broken, N - 1);
        EXPECT_EQ(barrier.n_waiting(), 0);
        EXPECT_FALSE(has(barrier, "resetting"));
        EXPECT_FALSE(barrier.broken());
    }());
}

// A reset while some released tasks have not left yet: those get BrokenBarrierError.
TEST_F(AioBarrierReset, ResetWhenTasksHalfDraining) {
    run([&]() -> Coroutine<> {
        Barrier barrier(N);
        constexpr int rest_of_tasks = N / 2;
        int broken = 0;
        int out = 0;
        auto coro = [&]() -> Coroutine<> {
            bool passed = true;
            try {
                co_await barrier.wait();
            } catch (const BrokenBarrierError&) {
                ++broken; // still inside when the reset came
                passed = false;
            }
            if (passed && N - ++out == rest_of_tasks) {
                co_await barrier.reset(); // `rest_of_tasks` tasks still inside
            }
        };
        co_await asyncio::gather(make_tasks(N, coro));
        EXPECT_EQ(broken, rest_of_tasks);
        EXPECT_EQ(barrier.n_waiting(), 0);
        EXPECT_FALSE(has(barrier, "resetting"));
        EXPECT_FALSE(barrier.broken());
    }());
}

TEST_F(AioBarrierReset, ResetWhenTasksHalfDrainingHalfBlocking) {
    run([&]() -> Coroutine<> {
        Barrier barrier(N);
        constexpr int blocking_tasks = N / 2;
        int results1 = 0;
        int results2 = 0;
        int count = 0;
        auto coro = [&]() -> Coroutine<> {
            bool broken = false;
            try {
                co_await barrier.wait();
            } catch (const BrokenBarrierError&) {
                broken = true;
            }
            if (broken) {
                ++results1; // still waiting when the reset came: wait again
                co_await barrier.wait();
                co_return;
            }
            if (++count > blocking_tasks) {
                co_await barrier.reset(); // the blocked ones get BrokenBarrierError
                co_await barrier.wait();
            } else {
                try {
                    co_await barrier.wait();
                } catch (const BrokenBarrierError&) {
                    ++results2; // never: these wait for the draining to end
                }
            }
        };
        co_await asyncio::gather(make_tasks(N, coro));
        EXPECT_EQ(results1, blocking_tasks);
        EXPECT_EQ(results2, 0);
        EXPECT_EQ(barrier.n_waiting(), 0);
        EXPECT_FALSE(has(barrier, "resetting"));
        EXPECT_FALSE(barrier.broken());
    }());
}

TEST_F(AioBarrierReset, ResetWhileTasksWaitThenWaitAgain) {
    run([&]() -> Coroutine<> {
        Barrier barrier(N);
        int results1 = 0;
        int results2 = 0;
        auto coro1 = [&]() -> Coroutine<> {
            try {
                co_await barrier.wait();
            } catch (const BrokenBarrierError&) {
                ++results1;
            }
            co_await barrier.wait();
            ++results2;
        };
        auto coro2 = [&]() -> Coroutine<> {
            co_await barrier.wait();
            ++results2;
        };
        auto tasks = make_tasks(N - 1, coro1);
        auto reset = asyncio::create_task(barrier.reset());
        co_await yield_once();
        auto last = asyncio::create_task(coro2());
        co_await asyncio::gather(std::move(tasks));
        co_await asyncio::gather(reset, last);
        EXPECT_FALSE(barrier.broken());
        EXPECT_EQ(results1, N - 1);
        EXPECT_EQ(results2, N);
        EXPECT_EQ(barrier.n_waiting(), 0);
    }());
}

TEST_F(AioBarrierReset, ResetWhileTasksDraining) {
    run([&]() -> Coroutine<> {
        Barrier barrier(N);
        int results1 = 0;
        int results2 = 0;
        int results3 = 0;
        int count = 0;
        auto coro = [&]() -> Coroutine<> {
            co_await barrier.wait();
            if (++count == N) {
                co_await barrier.reset(); // the last one out: nobody inside, back to filling
                co_await barrier.wait();
            } else {
                try {
                    co_await barrier.wait();
                    ++results1;
                } catch (const BrokenBarrierError&) {
                    ++results2;
                }
            }
            co_await barrier.wait();
            ++results3;
        };
        co_await asyncio::gather(make_tasks(N, coro));
        EXPECT_FALSE(barrier.broken());
        EXPECT_EQ(results1, N - 1);
        EXPECT_EQ(results2, 0);
        EXPECT_EQ(results3, N);
        EXPECT_EQ(barrier.n_waiting(), 0);
    }());
}

TEST_F(AioBarrierReset, AbortEmptyBarrier) {
    run([&]() -> Coroutine<> {
        Barrier barrier(1);
        auto t = asyncio::create_task(barrier.abort());
        co_await yield_once();
        EXPECT_EQ(barrier.n_waiting(), 0);
        EXPECT_TRUE(barrier.broken());
        try {
            co_await barrier.wait();
            ADD_FAILURE() << "no BrokenBarrierError";
        } catch (const BrokenBarrierError& e) {
            EXPECT_STREQ(e.what(), "Barrier aborted");
        }
    }());
}

TEST_F(AioBarrierReset, AbortWhenTasksHalfDrainingHalfBlocking) {
    run([&]() -> Coroutine<> {
        Barrier barrier(N);
        constexpr int blocking_tasks = N / 2;
        int results1 = 0;
        int results2 = 0;
        int count = 0;
        auto coro = [&]() -> Coroutine<> {
            bool broken = false;
            try {
                co_await barrier.wait();
            } catch (const BrokenBarrierError&) {
                broken = true;
            }
            if (broken) {
                ++results1; // still draining when the abort came
            } else if (++count > blocking_tasks) {
                co_await barrier.abort(); // BrokenBarrierError for every task
            } else {
                try {
                    co_await barrier.wait();
                } catch (const BrokenBarrierError&) {
                    ++results2; // blocked (already drained) tasks
                }
            }
        };
        co_await asyncio::gather(make_tasks(N, coro));
        EXPECT_TRUE(barrier.broken());
        EXPECT_EQ(results1, blocking_tasks);
        EXPECT_EQ(results2, N - blocking_tasks - 1);
        EXPECT_EQ(barrier.n_waiting(), 0);
        EXPECT_FALSE(has(barrier, "resetting"));
    }());
}

// threading's lock_tests.test_reset: one task fails inside the barrier and aborts it.
TEST_F(AioBarrierReset, AbortWhenATaskFails) {
    run([&]() -> Coroutine<> {
        Barrier barrier(N);
        int results1 = 0;
        int results2 = 0;
        auto coro = [&]() -> Coroutine<> {
            bool failed = false;
            try {
                const int i = co_await barrier.wait();
                if (i == N / 2) {
                    throw std::runtime_error("failed");
                }
                co_await barrier.wait();
                ++results1;
            } catch (const BrokenBarrierError&) {
                ++results2;
            } catch (const std::runtime_error&) {
                failed = true; // (no co_await in a handler)
            }
            if (failed) {
                co_await barrier.abort();
            }
        };
        co_await asyncio::gather(make_tasks(N, coro));
        EXPECT_TRUE(barrier.broken());
        EXPECT_EQ(results1, 0);
        EXPECT_EQ(results2, N - 1);
        EXPECT_EQ(barrier.n_waiting(), 0);
    }());
}

// threading's lock_tests.test_abort_and_reset.
TEST_F(AioBarrierReset, AbortThenReset) {
    run([&]() -> Coroutine<> {
        Barrier barrier1(N);
        Barrier barrier2(N);
        int results1 = 0;
        int results2 = 0;
        int results3 = 0;
        auto coro = [&]() -> Coroutine<> {
            bool failed = false;
            try {
                const int i = co_await barrier1.wait();
                if (i == N / 2) {
                    throw std::runtime_error("failed");
                }
                co_await barrier1.wait();
                ++results1;
            } catch (const BrokenBarrierError&) {
                ++results2;
            } catch (const std::runtime_error&) {
                failed = true;
            }
            if (failed) {
                co_await barrier1.abort();
            }
            // Everyone out of barrier1 before the reset, nobody in before it is done.
            const int i = co_await barrier2.wait(); // not in the condition: GCC 12 bug
            if (i == N / 2) {
                co_await barrier1.reset();
            }
            co_await barrier2.wait();
            co_await barrier1.wait();
            ++results3;
        };
        co_await asyncio::gather(make_tasks(N, coro));
        EXPECT_FALSE(barrier1.broken());
        EXPECT_EQ(results1, 0);
        EXPECT_EQ(results2, N - 1);
        EXPECT_EQ(results3, N);
        EXPECT_EQ(barrier1.n_waiting(), 0);
    }());
}

} // namespace
