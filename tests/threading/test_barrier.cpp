// threading.Barrier, after CPython's Lib/test/lock_tests.py (BarrierTests).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <vector>

#include <concur/core/exceptions.hpp>
#include <concur/threading/barrier.hpp>
#include <concur/threading/thread.hpp>
#include <gtest/gtest.h>

#include "common/wait_helpers.hpp"

namespace {

using namespace std::chrono_literals;
namespace th = concur::threading;
using concur_test::eventually;

constexpr int N = 5;

// CPython's run_threads: `f` runs in N - 1 new threads and in this one. Every barrier the
// tests use has a default timeout, so a bug breaks the barrier instead of hanging.
void run_threads(const std::function<void()>& f) {
    std::vector<th::Thread> threads;
    for (int i = 0; i < N - 1; ++i) {
        threads.emplace_back(th::ThreadOptions{.daemon = true}, f);
        threads.back().start();
    }
    f();
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(30s));
    }
}

TEST(Barrier, Constructor) {
    EXPECT_THROW(th::Barrier(0), concur::ValueError);
    EXPECT_THROW(th::Barrier(-1), concur::ValueError);
    th::Barrier barrier(3);
    EXPECT_EQ(barrier.parties(), 3);
    EXPECT_EQ(barrier.n_waiting(), 0);
    EXPECT_FALSE(barrier.broken());
}

// The threads pass in lockstep, `passes` times: nobody starts a phase before all ended the last.
void multipass(int passes) {
    th::Barrier barrier(N, {}, 10s);
    std::mutex mutex;
    int first = 0;
    int second = 0;
    std::atomic<int> errors{0};
    run_threads([&] {
        try {
            for (int i = 0; i < passes; ++i) {
                {
                    std::scoped_lock guard(mutex);
                    ++first;
                    errors += second != i * N ? 1 : 0;
                }
                barrier.wait();
                {
                    std::scoped_lock guard(mutex);
                    ++second;
                    errors += first != (i + 1) * N ? 1 : 0;
                }
                barrier.wait();
            }
        } catch (const th::BrokenBarrierError&) {
            ++errors;
        }
    });
    EXPECT_EQ(errors, 0);
    EXPECT_EQ(barrier.n_waiting(), 0);
    EXPECT_FALSE(barrier.broken());
}

TEST(Barrier, Lockstep) {
    multipass(1);
}

TEST(Barrier, Lockstep10) {
    multipass(10);
}

TEST(Barrier, WaitReturnsDistinctIndices) {
    th::Barrier barrier(N, {}, 10s);
    std::mutex mutex;
    std::vector<int> indices;
    run_threads([&] {
        const int index = barrier.wait();
        std::scoped_lock guard(mutex);
        indices.push_back(index);
    });
    std::sort(indices.begin(), indices.end());
    std::vector<int> expected(N);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(indices, expected);
}

TEST(Barrier, Action) {
    // Run once per round by the last thread in, before anyone leaves, with all N counted.
    std::atomic<int> calls{0};
    std::atomic<int> seen_waiting{-1};
    th::Barrier* self = nullptr;
    th::Barrier barrier(
        N,
        [&] {
            ++calls;
            seen_waiting = self->n_waiting(); // properties are readable from the action
        },
        10s);
    self = &barrier;
    std::atomic<int> errors{0};
    run_threads([&] {
        barrier.wait();
        errors += calls != 1 ? 1 : 0;
    });
    EXPECT_EQ(errors, 0);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(seen_waiting, N);
}

TEST(Barrier, ActionThrows) {
    // The last thread gets the action's exception; the others, BrokenBarrierError.
    th::Barrier barrier(
        N, [] { throw std::logic_error("action failed"); }, 10s);
    std::atomic<int> action_errors{0};
    std::atomic<int> broken_errors{0};
    run_threads([&] {
        try {
            barrier.wait();
        } catch (const std::logic_error&) {
            ++action_errors;
        } catch (const th::BrokenBarrierError&) {
            ++broken_errors;
        }
    });
    EXPECT_EQ(action_errors, 1);
    EXPECT_EQ(broken_errors, N - 1);
    EXPECT_TRUE(barrier.broken());
}

TEST(Barrier, Abort) {
    // One thread aborts instead of waiting a second time: the others are released broken.
    th::Barrier barrier(N, {}, 10s);
    std::atomic<int> passed{0};
    std::atomic<int> broken{0};
    run_threads([&] {
        try {
            if (barrier.wait() == N / 2) {
                barrier.abort();
                return;
            }
            barrier.wait();
            ++passed;
        } catch (const th::BrokenBarrierError&) {
            ++broken;
        }
    });
    EXPECT_EQ(passed, 0);
    EXPECT_EQ(broken, N - 1);
    EXPECT_TRUE(barrier.broken());
    EXPECT_THROW(barrier.wait(), th::BrokenBarrierError); // stays broken
}

// The tallies of the reset tests: N - 1 threads find the barrier broken (none passes it), then
// all N pass it again once it is reset, without an error on the way.
struct ResetTally {
    std::atomic<int> passed{0};
    std::atomic<int> broken{0};
    std::atomic<int> again{0};
    std::atomic<int> errors{0};

    void expect_broken_once_then_passed_again() const {
        EXPECT_EQ(errors, 0);
        EXPECT_EQ(passed, 0);
        EXPECT_EQ(broken, N - 1);
        EXPECT_EQ(again, N);
    }
};

TEST(Barrier, Reset) {
    // A reset releases the waiting threads broken; the barrier then works again.
    th::Barrier barrier(N, {}, 10s);
    ResetTally tally;
    run_threads([&] {
        try {
            if (barrier.wait() == N / 2) {
                // Wait until the other threads are all in the barrier.
                if (!eventually([&] { return barrier.n_waiting() == N - 1; })) {
                    ++tally.errors;
                }
                barrier.reset();
            } else {
                try {
                    barrier.wait();
                    ++tally.passed;
                } catch (const th::BrokenBarrierError&) {
                    ++tally.broken;
                }
            }
            barrier.wait(); // pass the barrier again
            ++tally.again;
        } catch (const th::BrokenBarrierError&) {
            ++tally.errors;
        }
    });
    tally.expect_broken_once_then_passed_again();
    EXPECT_FALSE(barrier.broken());
}

TEST(Barrier, AbortAndReset) {
    // A broken barrier can be reset once everyone has left it.
    th::Barrier barrier(N, {}, 10s);
    th::Barrier barrier2(N, {}, 10s);
    ResetTally tally;
    run_threads([&] {
        try {
            try {
                if (barrier.wait() == N / 2) {
                    barrier.abort();
                } else {
                    barrier.wait();
                    ++tally.passed;
                }
            } catch (const th::BrokenBarrierError&) {
                ++tally.broken;
            }
            // Synchronise and reset: first so that everyone has left, then so that nobody
            // enters before the reset.
            if (barrier2.wait() == N / 2) {
                barrier.reset();
            }
            barrier2.wait();
            barrier.wait();
            ++tally.again;
        } catch (const th::BrokenBarrierError&) {
            ++tally.errors;
        }
    });
    tally.expect_broken_once_then_passed_again();
}

TEST(Barrier, TimeoutBreaksTheBarrier) {
    // N - 1 threads wait 50 ms for a last one that never comes: each gets BrokenBarrierError,
    // the barrier is broken, and the latecomer is turned away.
    th::Barrier barrier(N, {}, 10s);
    std::atomic<int> broken{0};
    std::vector<th::Thread> threads;
    for (int i = 0; i < N - 1; ++i) {
        threads.emplace_back(th::ThreadOptions{.daemon = true}, [&] {
            try {
                barrier.wait(50ms);
            } catch (const th::BrokenBarrierError&) {
                ++broken;
            }
        });
        threads.back().start();
    }
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(10s));
    }
    EXPECT_EQ(broken, N - 1);
    EXPECT_TRUE(barrier.broken());
    EXPECT_EQ(barrier.n_waiting(), 0);
    EXPECT_THROW(barrier.wait(), th::BrokenBarrierError);
    barrier.reset();
    EXPECT_FALSE(barrier.broken());
}

TEST(Barrier, DefaultTimeout) {
    th::Barrier barrier(2, {}, 50ms);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(barrier.wait(), th::BrokenBarrierError);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_GE(elapsed, 30ms);
    EXPECT_LT(elapsed, 5s);
    EXPECT_TRUE(barrier.broken());
}

TEST(Barrier, SingleThread) {
    th::Barrier barrier(1);
    EXPECT_EQ(barrier.wait(), 0);
    EXPECT_EQ(barrier.wait(), 0);
    int calls = 0;
    th::Barrier with_action(1, [&] { ++calls; });
    with_action.wait();
    with_action.wait();
    EXPECT_EQ(calls, 2);
}

TEST(Barrier, NWaiting) {
    th::Barrier barrier(3, {}, 10s);
    std::vector<th::Thread> threads;
    for (int i = 0; i < 2; ++i) {
        threads.emplace_back(th::ThreadOptions{.daemon = true}, [&] { barrier.wait(); });
        threads.back().start();
        ASSERT_TRUE(eventually([&] { return barrier.n_waiting() == i + 1; }));
    }
    EXPECT_FALSE(barrier.broken());
    barrier.wait();
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(10s));
    }
    EXPECT_EQ(barrier.n_waiting(), 0);
}

TEST(Barrier, StdFunctionAction) {
    std::atomic<int> calls{0};
    std::function<void()> action = [&] { ++calls; };
    th::Barrier barrier(1, action);
    barrier.wait();
    EXPECT_EQ(calls, 1);
}

} // namespace
