// threading.Lock, after CPython's Lib/test/lock_tests.py (BaseLockTests, LockTests).
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <concur/core/exceptions.hpp>
#include <concur/threading/event.hpp>
#include <concur/threading/lock.hpp>
#include <concur/threading/thread.hpp>
#include <gtest/gtest.h>
#include <sys/syscall.h>

namespace {

using namespace std::chrono_literals;
namespace th = concur::threading;
using Seconds = std::chrono::duration<double>;

// Polls `done` until it holds or `limit` passes: for states nothing signals, such as "that
// thread is now blocked".
template <class F>
bool eventually(F done, Seconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(100us);
    }
    return true;
}

// True while thread `tid` sleeps in futex() on `address` (Linux: /proc/.../syscall shows the
// system call a blocked thread is in, and its arguments). Lock's only member is its futex word.
bool sleeping_on(long tid, const void* address) {
    std::ifstream file("/proc/self/task/" + std::to_string(tid) + "/syscall");
    long number = -1;
    std::string first_argument;
    if (!(file >> number >> first_argument) || number != SYS_futex) {
        return false;
    }
    return std::stoull(first_argument, nullptr, 16) == reinterpret_cast<std::uintptr_t>(address);
}

// Starts a daemon thread running `fn` (daemon: a failed test must not hang the process's exit).
template <class F>
th::Thread spawn(F fn) {
    th::Thread t({.daemon = true}, std::move(fn));
    t.start();
    return t;
}

TEST(Lock, AcquireRelease) {
    th::Lock lock;
    EXPECT_FALSE(lock.locked());
    EXPECT_TRUE(lock.acquire());
    EXPECT_TRUE(lock.locked());
    lock.release();
    EXPECT_FALSE(lock.locked());
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
    std::atomic<int> result{-1};
    auto t = spawn([&] { result = lock.acquire(false) ? 1 : 0; });
    ASSERT_TRUE(t.join(10s));
    EXPECT_EQ(result, 0);
    lock.release();
}

TEST(Lock, AcquireContended) {
    // Five threads block on a held lock; none gets through until it is released.
    th::Lock lock;
    lock.acquire();
    std::atomic<int> started{0};
    std::atomic<int> finished{0};
    std::vector<th::Thread> threads;
    for (int i = 0; i < 5; ++i) {
        threads.push_back(spawn([&] {
            ++started;
            lock.acquire();
            lock.release();
            ++finished;
        }));
    }
    ASSERT_TRUE(eventually([&] { return started == 5; }));
    std::this_thread::sleep_for(10ms); // a chance to run ahead, were the lock broken
    EXPECT_EQ(finished, 0);
    lock.release();
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(10s));
    }
    EXPECT_EQ(finished, 5);
}

TEST(Lock, ScopedLockIsWith) {
    th::Lock lock;
    {
        std::scoped_lock guard(lock);
        EXPECT_TRUE(lock.locked());
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
    std::atomic<int> result{-1};
    Seconds elapsed{};
    auto t = spawn([&] {
        const auto start = std::chrono::steady_clock::now();
        result = lock.acquire(true, 50ms) ? 1 : 0;
        elapsed = std::chrono::steady_clock::now() - start;
    });
    ASSERT_TRUE(t.join(10s));
    EXPECT_EQ(result, 0);
    EXPECT_GE(elapsed, 30ms);
    EXPECT_LT(elapsed, 5s);
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
    std::vector<th::Thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.push_back(spawn([&] {
            for (int j = 0; j < 20000; ++j) {
                std::scoped_lock guard(lock);
                ++counter;
            }
        }));
    }
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(30s));
    }
    EXPECT_EQ(counter, 80000);
}

TEST(Lock, TimedOutWaiterDoesNotSwallowTheWakeUp) {
    // A release wakes one sleeper. If that sleeper's timeout expires at the same moment, it
    // must take the lock or pass the wake-up on; otherwise the other sleeper, whose timeout is
    // long, sleeps on beside a free lock. Each round queues a short-timeout waiter, then a
    // long-timeout one, and releases just before the first one's deadline.
    th::Lock lock;
    const auto short_timeout = 20ms;
    for (int round = 0; round < 80; ++round) {
        SCOPED_TRACE(round);
        lock.acquire();
        std::atomic<long> short_tid{0};
        std::atomic<std::chrono::steady_clock::time_point> short_start{};
        auto short_waiter = spawn([&] {
            short_tid = th::get_native_id();
            short_start = std::chrono::steady_clock::now();
            if (lock.acquire(true, short_timeout)) {
                lock.release();
            }
        });
        // On a loaded machine the short wait may end before it is seen; the round still checks
        // that the long waiter gets the lock, whatever the timing.
        eventually([&] { return sleeping_on(short_tid, &lock); }, short_timeout);
        std::atomic<long> long_tid{0};
        std::atomic<int> long_result{-1};
        auto long_waiter = spawn([&] {
            long_tid = th::get_native_id();
            long_result = lock.acquire(true, 5s) ? 1 : 0;
            if (long_result == 1) {
                lock.release();
            }
        });
        eventually([&] { return sleeping_on(long_tid, &lock); }, short_timeout);
        std::this_thread::sleep_until(short_start.load() + short_timeout - 10us * (round % 20));
        lock.release();
        ASSERT_TRUE(short_waiter.join(10s));
        ASSERT_TRUE(long_waiter.join(10s));
        ASSERT_EQ(long_result, 1) << "a free lock left a waiter asleep";
    }
}

} // namespace
