// Checks that Lock, RLock and Semaphore share (CPython's BaseLockTests): each test file runs
// them on its own primitive, around what is particular to it.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <concur/threading/thread.hpp>

#include "common/sleeping_on.hpp"
#include "common/spawn.hpp"
#include "common/wait_helpers.hpp"

namespace threading_test {

using namespace std::chrono_literals;
using concur_test::eventually;
using concur_test::Seconds;
using concur_test::sleeping_on;
using concur_test::spawn;

/// Runs `fn` in another thread and returns its result.
template <class F>
auto in_other_thread(F fn) {
    decltype(fn()) result{};
    auto t = spawn([&] { result = fn(); });
    EXPECT_TRUE(t.join(10s));
    return result;
}

/// acquire() and release() of a fresh `L` show in locked().
template <class L>
void check_acquire_release() {
    L lock;
    EXPECT_FALSE(lock.locked());
    EXPECT_TRUE(lock.acquire());
    EXPECT_TRUE(lock.locked());
    lock.release();
    EXPECT_FALSE(lock.locked());
}

/// Five threads each run `pass` (which acquires and releases `lock`) while this thread holds
/// `lock`: none gets through until this thread releases it, then all do.
template <class L, class Pass>
void check_waiters_pass_after_release(L& lock, Pass pass) {
    std::atomic<int> started{0};
    std::atomic<int> finished{0};
    std::vector<concur::threading::Thread> threads;
    for (int i = 0; i < 5; ++i) {
        threads.push_back(spawn([&] {
            ++started;
            pass();
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

/// Python's `with lock: raise ...`: the lock is released on the way out.
template <class L>
void expect_released_when_with_block_throws(L& lock) {
    EXPECT_THROW(
        {
            std::scoped_lock guard(lock);
            throw std::logic_error("inside with");
        },
        std::logic_error);
    EXPECT_FALSE(lock.locked());
}

/// Another thread's acquire with a 50 ms timeout, while this thread holds `lock`, gives up:
/// false, after about 50 ms.
template <class L>
void expect_timed_acquire_gives_up_elsewhere(L& lock) {
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
}

/// Runs `section` `times` times on each of four threads at once; returns once all have ended.
template <class Section>
void run_on_four_threads(int times, Section section) {
    std::vector<concur::threading::Thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.push_back(spawn([&] {
            for (int j = 0; j < times; ++j) {
                section();
            }
        }));
    }
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(30s));
    }
}

/// A release wakes one sleeper. If that sleeper's timeout expires at the same moment, it must
/// take the unit or pass the wake-up on; otherwise the other sleeper, whose timeout is long,
/// sleeps on beside a free unit. Each round queues a short-timeout waiter, then a long-timeout
/// one, and releases just before the first one's deadline. The short waiter gives back what it
/// gets.
///
/// `prim` is a Lock or a Semaphore, whose futex word is its first member. `take()` makes it
/// unavailable at the start of a round; `give_back()` runs in the long waiter once it got the
/// unit, to leave `prim` as the next round expects. `failure` says what a lost wake-up means.
template <class P, class Take, class GiveBack>
void expect_no_lost_wake_up(P& prim, Take take, GiveBack give_back, const char* failure) {
    const auto short_timeout = 20ms;
    for (int round = 0; round < 80; ++round) {
        SCOPED_TRACE(round);
        take();
        std::atomic<long> short_tid{0};
        std::atomic<std::chrono::steady_clock::time_point> short_start{};
        auto short_waiter = spawn([&] {
            short_tid = concur::threading::get_native_id();
            short_start = std::chrono::steady_clock::now();
            if (prim.acquire(true, short_timeout)) {
                prim.release();
            }
        });
        // On a loaded machine the short wait may end before it is seen; the round still checks
        // that the long waiter gets the unit, whatever the timing.
        eventually([&] { return sleeping_on(short_tid, &prim); }, short_timeout);
        std::atomic<long> long_tid{0};
        std::atomic<int> long_result{-1};
        auto long_waiter = spawn([&] {
            long_tid = concur::threading::get_native_id();
            long_result = prim.acquire(true, 5s) ? 1 : 0;
            if (long_result == 1) {
                give_back();
            }
        });
        eventually([&] { return sleeping_on(long_tid, &prim); }, short_timeout);
        std::this_thread::sleep_until(short_start.load() + short_timeout - 10us * (round % 20));
        prim.release();
        ASSERT_TRUE(short_waiter.join(10s));
        ASSERT_TRUE(long_waiter.join(10s));
        ASSERT_EQ(long_result, 1) << failure;
    }
}

} // namespace threading_test
