// threading.Lock, after CPython's Lib/test/lock_tests.py (BaseLockTests, LockTests).
#include <chrono>
#include <mutex>

#include <concur/core/exceptions.hpp>
#include <concur/threading/event.hpp>
#include <concur/threading/lock.hpp>
#include <concur/threading/thread.hpp>
#include <gtest/gtest.h>

#include "threading/lock_checks.hpp"

namespace {

using namespace std::chrono_literals;
using namespace threading_test;
namespace th = concur::threading;

TEST(Lock, AcquireRelease) {
    check_acquire_release<th::Lock>();
}

TEST(Lock, TryAcquire) {
    th::Lock lock;
    EXPECT_TRUE(lock.acquire(false));
    EXPECT_FALSE(lock.acquire(false));
    lock.release();
    EXPECT_TRUE(lock.try_lock());
    EXPECT_FALSE(lock.try_lock());
    lock.unlock();
}

TEST(Lock, TryAcquireContended) {
    th::Lock lock;
    lock.acquire();
    EXPECT_FALSE(in_other_thread([&] { return lock.acquire(false); }));
    lock.release();
}

TEST(Lock, AcquireContended) {
    // Five threads block on a held lock; none gets through until it is released.
    th::Lock lock;
    lock.acquire();
    check_waiters_pass_after_release(lock, [&] {
        lock.acquire();
        lock.release();
    });
}

TEST(Lock, ScopedLockIsWith) {
    th::Lock lock;
    {
        std::scoped_lock guard(lock);
        EXPECT_TRUE(lock.locked());
    }
    EXPECT_FALSE(lock.locked());
    expect_released_when_with_block_throws(lock);
}

TEST(Lock, TimeoutArguments) {
    th::Lock lock;
    // No timeout for a non-blocking call; no negative timeout.
    EXPECT_THROW(lock.acquire(false, 1s), concur::ValueError);
    EXPECT_THROW(lock.acquire(true, -100s), concur::ValueError);
    EXPECT_FALSE(lock.locked());
    EXPECT_TRUE(lock.acquire(true, Seconds(concur::TIMEOUT_MAX)));
    lock.release();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(lock.acquire(true, 5s));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s); // a free lock does not wait
    lock.release();
}

TEST(Lock, TimeoutReturnsFalse) {
    th::Lock lock;
    lock.acquire();
    expect_timed_acquire_gives_up_elsewhere(lock);
    EXPECT_FALSE(lock.try_lock_for(10ms));
    EXPECT_FALSE(lock.try_lock_until(std::chrono::steady_clock::now() + 10ms));
    lock.release();
    EXPECT_TRUE(lock.try_lock_for(10ms));
    lock.release();
    EXPECT_TRUE(lock.try_lock_until(std::chrono::steady_clock::now() + 10ms));
    lock.release();
}

TEST(Lock, Reacquire) {
    // Not reentrant: the thread's second acquire waits for someone to release.
    th::Lock lock;
    th::Event first;
    th::Event second;
    auto t = spawn([&] {
        lock.acquire();
        first.set();
        lock.acquire();
        second.set();
    });
    ASSERT_TRUE(first.wait(10s));
    EXPECT_FALSE(second.wait(20ms));
    lock.release();
    EXPECT_TRUE(second.wait(10s));
    ASSERT_TRUE(t.join(10s));
    EXPECT_TRUE(lock.locked());
    lock.release();
}

TEST(Lock, DifferentThreadRelease) {
    th::Lock lock;
    lock.acquire();
    auto t = spawn([&] { lock.release(); });
    ASSERT_TRUE(t.join(10s));
    EXPECT_FALSE(lock.locked());
    EXPECT_TRUE(lock.acquire(false));
    lock.release();
}

TEST(Lock, StateAfterTimeout) {
    // CPython issue #11618: a timed-out acquire leaves the lock usable.
    th::Lock lock;
    lock.acquire();
    EXPECT_FALSE(lock.acquire(true, 10ms));
    lock.release();
    EXPECT_FALSE(lock.locked());
    EXPECT_TRUE(lock.acquire(false));
    lock.release();
}

TEST(Lock, ReleaseUnlocked) {
    th::Lock lock;
    EXPECT_THROW(lock.release(), concur::RuntimeError);
    lock.acquire();
    lock.release();
    EXPECT_THROW(lock.release(), concur::RuntimeError);
}

TEST(Lock, MutualExclusion) {
    th::Lock lock;
    long counter = 0; // plain: the lock alone must keep the increments apart (TSan checks)
    ASSERT_NO_FATAL_FAILURE(run_on_four_threads(20000, [&] {
        std::scoped_lock guard(lock);
        ++counter;
    }));
    EXPECT_EQ(counter, 80000);
}

TEST(Lock, TimedOutWaiterDoesNotSwallowTheWakeUp) {
    // The caller takes the lock before each round; the long waiter gives it back.
    th::Lock lock;
    expect_no_lost_wake_up(
        lock, [&] { lock.acquire(); }, [&] { lock.release(); }, "a free lock left a waiter asleep");
}

} // namespace
