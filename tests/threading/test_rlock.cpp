// threading.RLock, after CPython's Lib/test/lock_tests.py (BaseLockTests, RLockTests).
#include <chrono>
#include <cstdint>
#include <mutex>

#include <concur/core/exceptions.hpp>
#include <concur/threading/event.hpp>
#include <concur/threading/rlock.hpp>
#include <concur/threading/thread.hpp>
#include <gtest/gtest.h>

#include "threading/lock_checks.hpp"

namespace {

using namespace std::chrono_literals;
using namespace threading_test;
namespace th = concur::threading;

TEST(RLock, AcquireRelease) {
    check_acquire_release<th::RLock>();
}

TEST(RLock, Reacquire) {
    th::RLock lock;
    lock.acquire();
    lock.acquire();
    lock.release();
    lock.acquire();
    lock.release();
    EXPECT_TRUE(lock.locked());
    lock.release();
    EXPECT_FALSE(lock.locked());
}

TEST(RLock, TryAcquire) {
    th::RLock lock;
    EXPECT_TRUE(lock.acquire(false));
    EXPECT_TRUE(lock.acquire(false)); // the owner always gets in again
    EXPECT_TRUE(lock.try_lock());
    lock.release();
    lock.release();
    lock.unlock();
    EXPECT_FALSE(lock.locked());
}

TEST(RLock, TryAcquireContended) {
    th::RLock lock;
    lock.acquire();
    EXPECT_FALSE(in_other_thread([&] { return lock.acquire(false); }));
    EXPECT_FALSE(in_other_thread([&] { return lock.try_lock_for(10ms); }));
    lock.release();
    EXPECT_TRUE(in_other_thread([&] {
        const bool got = lock.acquire(false);
        lock.release();
        return got;
    }));
}

TEST(RLock, AcquireContended) {
    th::RLock lock;
    lock.acquire();
    check_waiters_pass_after_release(lock, [&] {
        lock.acquire();
        lock.acquire();
        lock.release();
        lock.release();
    });
}

TEST(RLock, ScopedLockIsWith) {
    th::RLock lock;
    {
        std::scoped_lock outer(lock);
        std::scoped_lock inner(lock);
        EXPECT_TRUE(lock.is_owned());
    }
    EXPECT_FALSE(lock.locked());
    expect_released_when_with_block_throws(lock);
}

TEST(RLock, TimeoutArguments) {
    th::RLock lock;
    EXPECT_THROW(lock.acquire(false, 1s), concur::ValueError);
    EXPECT_THROW(lock.acquire(true, -100s), concur::ValueError);
    // Checked for the owner too, before the recursion shortcut.
    lock.acquire();
    EXPECT_THROW(lock.acquire(false, 1s), concur::ValueError);
    lock.release();
    EXPECT_FALSE(lock.locked());
    EXPECT_TRUE(lock.acquire(true, Seconds(concur::TIMEOUT_MAX)));
    lock.release();
}

TEST(RLock, TimeoutReturnsFalse) {
    th::RLock lock;
    lock.acquire();
    expect_timed_acquire_gives_up_elsewhere(lock);
    lock.release();
}

TEST(RLock, ReleaseUnacquired) {
    th::RLock lock;
    EXPECT_THROW(lock.release(), concur::RuntimeError);
    lock.acquire();
    lock.acquire();
    lock.release();
    lock.acquire();
    lock.release();
    lock.release();
    EXPECT_THROW(lock.release(), concur::RuntimeError);
}

TEST(RLock, ReleaseSaveUnacquired) {
    th::RLock lock;
    EXPECT_THROW(lock.release_save(), concur::RuntimeError);
    lock.acquire();
    lock.acquire();
    lock.release();
    lock.release();
    EXPECT_THROW(lock.release_save(), concur::RuntimeError);
}

TEST(RLock, DifferentThreadCannotRelease) {
    th::RLock lock;
    th::Event acquired;
    th::Event finish;
    auto owner = spawn([&] {
        lock.acquire();
        acquired.set();
        finish.wait(10s);
        lock.release();
    });
    ASSERT_TRUE(acquired.wait(10s));
    EXPECT_THROW(lock.release(), concur::RuntimeError);
    EXPECT_THROW(lock.release_save(), concur::RuntimeError);
    EXPECT_TRUE(lock.locked()); // still the other thread's
    finish.set();
    ASSERT_TRUE(owner.join(10s));
    EXPECT_FALSE(lock.locked());
}

TEST(RLock, IsOwned) {
    th::RLock lock;
    EXPECT_FALSE(lock.is_owned());
    lock.acquire();
    EXPECT_TRUE(lock.is_owned());
    lock.acquire();
    EXPECT_TRUE(lock.is_owned());
    EXPECT_FALSE(in_other_thread([&] { return lock.is_owned(); }));
    lock.release();
    EXPECT_TRUE(lock.is_owned());
    lock.release();
    EXPECT_FALSE(lock.is_owned());
}

TEST(RLock, ReleaseSaveAndAcquireRestore) {
    // What Condition::wait does: release every level, let others in, then take all back.
    th::RLock lock;
    lock.acquire();
    lock.acquire();
    lock.acquire();
    const std::uint64_t saved = lock.release_save();
    EXPECT_EQ(saved, 3U);
    EXPECT_FALSE(lock.locked());
    EXPECT_FALSE(lock.is_owned());
    EXPECT_TRUE(in_other_thread([&] {
        const bool got = lock.acquire(false);
        lock.release();
        return got;
    }));
    lock.acquire_restore(saved);
    EXPECT_TRUE(lock.is_owned());
    lock.release();
    lock.release();
    EXPECT_TRUE(lock.locked());
    lock.release();
    EXPECT_FALSE(lock.locked());
    EXPECT_THROW(lock.release(), concur::RuntimeError);
}

TEST(RLock, TryLockUntil) {
    th::RLock lock;
    EXPECT_TRUE(lock.try_lock_until(std::chrono::steady_clock::now() + 10ms));
    EXPECT_TRUE(lock.try_lock_until(std::chrono::steady_clock::now() - 1s)); // recursion
    EXPECT_FALSE(in_other_thread(
        [&] { return lock.try_lock_until(std::chrono::steady_clock::now() + 10ms); }));
    lock.unlock();
    lock.unlock();
    EXPECT_FALSE(lock.locked());
}

TEST(RLock, MutualExclusion) {
    th::RLock lock;
    long counter = 0; // plain: the lock alone must keep the increments apart (TSan checks)
    ASSERT_NO_FATAL_FAILURE(run_on_four_threads(10000, [&] {
        std::scoped_lock outer(lock);
        std::scoped_lock inner(lock);
        ++counter;
    }));
    EXPECT_EQ(counter, 40000);
}

} // namespace
