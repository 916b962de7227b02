// threading.RLock, after CPython's Lib/test/lock_tests.py (BaseLockTests, RLockTests).
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <concur/core/exceptions.hpp>
#include <concur/threading/event.hpp>
#include <concur/threading/rlock.hpp>
#include <concur/threading/thread.hpp>
#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
namespace th = concur::threading;
using Seconds = std::chrono::duration<double>;

template <class F>
th::Thread spawn(F fn) {
    th::Thread t({.daemon = true}, std::move(fn));
    t.start();
    return t;
}

// Runs `fn` in another thread and returns its result.
template <class F>
auto in_other_thread(F fn) {
    decltype(fn()) result{};
    auto t = spawn([&] { result = fn(); });
    EXPECT_TRUE(t.join(10s));
    return result;
}

TEST(RLock, AcquireRelease) {
    th::RLock lock;
    EXPECT_FALSE(lock.locked());
    EXPECT_TRUE(lock.acquire());
    EXPECT_TRUE(lock.locked());
    lock.release();
    EXPECT_FALSE(lock.locked());
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
    std::atomic<int> started{0};
    std::atomic<int> finished{0};
    std::vector<th::Thread> threads;
    for (int i = 0; i < 5; ++i) {
        threads.push_back(spawn([&] {
            ++started;
            lock.acquire();
            lock.acquire();
            lock.release();
            lock.release();
            ++finished;
        }));
    }
    const auto limit = std::chrono::steady_clock::now() + 10s;
    while (started < 5 && std::chrono::steady_clock::now() < limit) {
        std::this_thread::sleep_for(1ms);
    }
    ASSERT_EQ(started, 5);
    std::this_thread::sleep_for(10ms); // a chance to run ahead, were the lock broken
    EXPECT_EQ(finished, 0);
    lock.release();
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(10s));
    }
    EXPECT_EQ(finished, 5);
}

TEST(RLock, ScopedLockIsWith) {
    th::RLock lock;
    {
        std::scoped_lock outer(lock);
        std::scoped_lock inner(lock);
        EXPECT_TRUE(lock.is_owned());
    }
    EXPECT_FALSE(lock.locked());
    EXPECT_THROW(
        {
            std::scoped_lock guard(lock);
            throw std::logic_error("inside with");
        },
        std::logic_error);
    EXPECT_FALSE(lock.locked());
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
    Seconds elapsed{};
    const bool got = in_other_thread([&] {
        const auto start = std::chrono::steady_clock::now();
        const bool result = lock.acquire(true, 50ms);
        elapsed = std::chrono::steady_clock::now() - start;
        return result;
    });
    EXPECT_FALSE(got);
    EXPECT_GE(elapsed, 30ms);
    EXPECT_LT(elapsed, 5s);
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
    std::vector<th::Thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.push_back(spawn([&] {
            for (int j = 0; j < 10000; ++j) {
                std::scoped_lock outer(lock);
                std::scoped_lock inner(lock);
                ++counter;
            }
        }));
    }
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(30s));
    }
    EXPECT_EQ(counter, 40000);
}

} // namespace
