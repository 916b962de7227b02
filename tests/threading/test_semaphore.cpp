// threading.Semaphore and BoundedSemaphore, after CPython's Lib/test/lock_tests.py
// (BaseSemaphoreTests, SemaphoreTests, BoundedSemaphoreTests).
#include <array>
#include <atomic>
#include <chrono>
#include <climits>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <concur/core/exceptions.hpp>
#include <concur/threading/semaphore.hpp>
#include <concur/threading/thread.hpp>
#include <gtest/gtest.h>

#include "threading/lock_checks.hpp"

namespace {

using namespace std::chrono_literals;
using namespace threading_test;
namespace th = concur::threading;

// How many times the semaphore can be acquired without waiting; gives them back after.
int available(th::Semaphore& sem) {
    int n = 0;
    while (sem.acquire(false)) {
        ++n;
    }
    if (n > 0) {
        sem.release(n);
    }
    return n;
}

// The tests common to both kinds, after BaseSemaphoreTests.
template <class S>
class SemaphoreKinds : public ::testing::Test {};
using Kinds = ::testing::Types<th::Semaphore, th::BoundedSemaphore>;
TYPED_TEST_SUITE(SemaphoreKinds, Kinds);

TYPED_TEST(SemaphoreKinds, Constructor) {
    EXPECT_THROW(TypeParam(-1), concur::ValueError);
    EXPECT_THROW(TypeParam(INT_MIN), concur::ValueError);
    TypeParam zero(0);
    EXPECT_FALSE(zero.acquire(false));
}

TYPED_TEST(SemaphoreKinds, Acquire) {
    TypeParam one(1);
    EXPECT_TRUE(one.acquire());
    one.release();
    TypeParam two(2);
    EXPECT_TRUE(two.acquire());
    EXPECT_TRUE(two.acquire());
    two.release();
    two.release();
    EXPECT_EQ(available(two), 2);
}

TYPED_TEST(SemaphoreKinds, AcquireContended) {
    // Ten threads take two units each from a semaphore of 7 with one unit already taken: each
    // phase lets through exactly what it released. A thread notes the phase it got a unit in.
    TypeParam sem(7);
    sem.acquire();
    std::atomic<int> phase{0};
    std::atomic<int> taken{0};
    std::array<std::atomic<int>, 3> per_phase{};
    std::vector<th::Thread> threads;
    for (int i = 0; i < 10; ++i) {
        threads.push_back(spawn([&] {
            for (int k = 0; k < 2; ++k) {
                if (!sem.acquire(true, 20s)) {
                    return;
                }
                ++per_phase[static_cast<std::size_t>(phase.load())];
                ++taken;
            }
        }));
    }
    ASSERT_TRUE(eventually([&] { return taken == 6; }));
    std::this_thread::sleep_for(10ms); // a chance to overshoot, were the count wrong
    EXPECT_EQ(taken, 6);
    phase = 1;
    for (int i = 0; i < 7; ++i) {
        sem.release();
    }
    ASSERT_TRUE(eventually([&] { return taken == 13; }));
    phase = 2;
    sem.release(6);
    ASSERT_TRUE(eventually([&] { return taken == 19; }));
    EXPECT_FALSE(sem.acquire(false)); // still locked: one thread waits for its second unit
    sem.release();
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(10s));
    }
    EXPECT_EQ(taken, 20);
    EXPECT_EQ(per_phase[0], 6);
    EXPECT_EQ(per_phase[1], 7);
    EXPECT_EQ(per_phase[2], 7);
}

TYPED_TEST(SemaphoreKinds, TryAcquire) {
    TypeParam sem(2);
    EXPECT_TRUE(sem.acquire(false));
    EXPECT_TRUE(sem.acquire(false));
    EXPECT_FALSE(sem.acquire(false));
    sem.release();
    EXPECT_TRUE(sem.try_lock());
    EXPECT_FALSE(sem.try_lock());
}

TYPED_TEST(SemaphoreKinds, TryAcquireContended) {
    TypeParam sem(4);
    sem.acquire();
    std::atomic<int> successes{0};
    std::atomic<int> failures{0};
    std::vector<th::Thread> threads;
    for (int i = 0; i < 5; ++i) {
        threads.push_back(spawn([&] {
            for (int k = 0; k < 2; ++k) {
                (sem.acquire(false) ? successes : failures)++;
            }
        }));
    }
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(10s));
    }
    EXPECT_EQ(successes, 3);
    EXPECT_EQ(failures, 7);
}

TYPED_TEST(SemaphoreKinds, AcquireTimeout) {
    TypeParam sem(2);
    EXPECT_THROW(sem.acquire(false, 1s), concur::ValueError);
    EXPECT_TRUE(sem.acquire(true, 5ms));
    EXPECT_TRUE(sem.acquire(true, 5ms));
    EXPECT_FALSE(sem.acquire(true, 5ms));
    sem.release();
    EXPECT_TRUE(sem.acquire(true, 5ms));
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(sem.acquire(true, 50ms));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_GE(elapsed, 30ms);
    EXPECT_LT(elapsed, 5s);
    EXPECT_FALSE(sem.try_lock_for(5ms));
    EXPECT_FALSE(sem.try_lock_until(std::chrono::steady_clock::now() + 5ms));
    // A negative timeout does not wait (and, unlike Lock's, is no error).
    EXPECT_FALSE(sem.acquire(true, -1s));
    sem.release();
    EXPECT_TRUE(sem.acquire(true, -1s));
}

TYPED_TEST(SemaphoreKinds, DefaultValueIsOne) {
    TypeParam sem;
    sem.acquire();
    std::atomic<bool> finished{false};
    auto t = spawn([&] {
        if (sem.acquire(true, 10s)) {
            sem.release();
            finished = true;
        }
    });
    std::this_thread::sleep_for(10ms); // a chance to get through, were the value wrong
    EXPECT_FALSE(finished);
    sem.release();
    ASSERT_TRUE(t.join(10s));
    EXPECT_TRUE(finished);
}

TYPED_TEST(SemaphoreKinds, ScopedLockIsWith) {
    TypeParam sem(2);
    auto with = [&](bool raise) {
        std::scoped_lock outer(sem);
        EXPECT_TRUE(sem.acquire(false));
        sem.release();
        std::scoped_lock inner(sem);
        EXPECT_FALSE(sem.acquire(false));
        if (raise) {
            throw std::logic_error("inside with");
        }
    };
    with(false);
    EXPECT_EQ(available(sem), 2);
    EXPECT_THROW(with(true), std::logic_error);
    EXPECT_EQ(available(sem), 2);
}

TYPED_TEST(SemaphoreKinds, ReleaseN) {
    TypeParam sem(3);
    for (int i = 0; i < 3; ++i) {
        sem.acquire();
    }
    EXPECT_THROW(sem.release(0), concur::ValueError);
    EXPECT_THROW(sem.release(-1), concur::ValueError);
    sem.release(3);
    EXPECT_EQ(available(sem), 3);
}

TYPED_TEST(SemaphoreKinds, ReleaseNWakesNWaiters) {
    TypeParam sem(5);
    for (int i = 0; i < 5; ++i) {
        sem.acquire();
    }
    std::atomic<int> passed{0};
    std::vector<th::Thread> threads;
    for (int i = 0; i < 5; ++i) {
        threads.push_back(spawn([&] {
            if (sem.acquire(true, 10s)) {
                ++passed;
            }
        }));
    }
    sem.release(3);
    ASSERT_TRUE(eventually([&] { return passed == 3; }));
    std::this_thread::sleep_for(10ms); // a chance to overshoot, were release(3) wrong
    EXPECT_EQ(passed, 3);
    sem.release(2);
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(10s));
    }
    EXPECT_EQ(passed, 5);
    EXPECT_FALSE(sem.acquire(false));
}

TYPED_TEST(SemaphoreKinds, NeverMoreHoldersThanTheValue) {
    // Timed acquires racing with releases: at most two holders at a time, and no unit lost.
    TypeParam sem(2);
    std::atomic<int> holders{0};
    std::atomic<int> too_many{0};
    std::vector<th::Thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.push_back(spawn([&, i] {
            for (int k = 0; k < 2000; ++k) {
                if (sem.acquire(true, std::chrono::microseconds(50 * (i + k % 3)))) {
                    too_many += (++holders > 2) ? 1 : 0;
                    --holders;
                    sem.release();
                }
            }
        }));
    }
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(60s));
    }
    EXPECT_EQ(too_many, 0);
    EXPECT_EQ(available(sem), 2);
}

TEST(Semaphore, ReleaseBeyondTheInitialValue) {
    // An unbounded semaphore counts every release.
    th::Semaphore sem(1);
    sem.release();
    EXPECT_TRUE(sem.acquire(false));
    EXPECT_TRUE(sem.acquire(false));
    EXPECT_FALSE(sem.acquire(false));
    sem.release(5);
    EXPECT_EQ(available(sem), 5);
}

TEST(Semaphore, Overflow) {
    th::Semaphore sem(INT_MAX);
    sem.release(INT_MAX);
    EXPECT_THROW(sem.release(2), std::overflow_error);
    EXPECT_TRUE(sem.acquire(false)); // unchanged by the failed release
}

TEST(Semaphore, TimedOutWaiterDoesNotSwallowTheWakeUp) {
    // As for Lock. The semaphore starts at 0 and the long waiter keeps the unit it gets, so
    // every round starts with nothing to take.
    th::Semaphore sem(0);
    expect_no_lost_wake_up(
        sem, [] {}, [] {}, "a released unit left a waiter asleep");
}

TEST(BoundedSemaphore, ReleaseUnacquired) {
    th::BoundedSemaphore sem;
    EXPECT_THROW(sem.release(), concur::ValueError);
    sem.acquire();
    sem.release();
    EXPECT_THROW(sem.release(), concur::ValueError);
}

TEST(BoundedSemaphore, ReleaseTooManyChangesNothing) {
    th::BoundedSemaphore sem(3);
    sem.acquire();
    sem.acquire();
    try {
        sem.release(3);
        ADD_FAILURE() << "release(3) with one unit out of three left did not throw";
    } catch (const concur::ValueError& e) {
        EXPECT_STREQ(e.what(), "Semaphore released too many times");
    }
    EXPECT_EQ(available(sem), 1);
    sem.release(2);
    EXPECT_EQ(available(sem), 3);
    EXPECT_THROW(sem.unlock(), concur::ValueError);
}

} // namespace
