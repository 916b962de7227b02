// threading.Condition, after CPython's Lib/test/lock_tests.py (ConditionTests).
//
// A waiter marks itself under the condition's lock just before wait(); wait() queues it before
// releasing the lock, so once the main thread holds the lock and sees the mark, the waiter is
// queued. That makes the notify tests independent of timing.
#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <concur/core/exceptions.hpp>
#include <concur/threading/condition.hpp>
#include <concur/threading/thread.hpp>
#include <gtest/gtest.h>

#include "common/spawn.hpp"
#include "common/wait_helpers.hpp"

namespace {

using namespace std::chrono_literals;
namespace th = concur::threading;
using concur_test::eventually;
using concur_test::Seconds;
using concur_test::spawn;

// Polls `done()` with the condition's lock held, until true or 10 s pass.
template <class F>
bool eventually_locked(th::Condition& cond, F done) {
    return eventually([&] {
        std::scoped_lock guard(cond);
        return done();
    });
}

// Queues one thread in cond.wait(timeout), then runs `notify` with the lock held; `result` is
// 1 if that wait reported a notify, 0 if it timed out.
template <class Notify>
void wait_once(th::Condition& cond, Seconds timeout, Notify notify, std::atomic<int>& result) {
    int queued = 0;
    auto t = spawn([&] {
        std::unique_lock guard(cond);
        ++queued;
        result = cond.wait(timeout) ? 1 : 0;
    });
    ASSERT_TRUE(eventually_locked(cond, [&] { return queued == 1; }));
    {
        std::scoped_lock guard(cond);
        notify();
    }
    ASSERT_TRUE(t.join(10s));
}

TEST(Condition, Acquire) {
    // By default the condition has an RLock: it can be acquired several times.
    th::Condition cond;
    cond.acquire();
    cond.acquire();
    cond.release();
    cond.release();
    th::Lock lock;
    th::Condition with_lock(lock);
    with_lock.acquire();
    EXPECT_FALSE(lock.acquire(false));
    with_lock.release();
    EXPECT_TRUE(lock.acquire(false));
    EXPECT_FALSE(with_lock.acquire(false));
    lock.release();
    {
        std::scoped_lock guard(with_lock);
        EXPECT_FALSE(lock.acquire(false));
    }
    EXPECT_FALSE(lock.locked());
    th::RLock rlock;
    th::Condition with_rlock(rlock);
    {
        std::scoped_lock guard(with_rlock);
        EXPECT_TRUE(rlock.is_owned());
        EXPECT_TRUE(with_rlock.try_lock_for(10ms));
        with_rlock.unlock();
    }
    EXPECT_FALSE(rlock.locked());
}

TEST(Condition, UnacquiredWaitAndNotify) {
    th::Condition cond;
    EXPECT_THROW(cond.wait(), concur::RuntimeError);
    EXPECT_THROW(cond.wait(0s), concur::RuntimeError);
    EXPECT_THROW(cond.notify(), concur::RuntimeError);
    EXPECT_THROW(cond.notify_all(), concur::RuntimeError);
    th::Lock lock;
    th::Condition with_lock(lock);
    EXPECT_THROW(with_lock.wait(), concur::RuntimeError);
    EXPECT_THROW(with_lock.notify(), concur::RuntimeError);
    EXPECT_FALSE(lock.locked()); // the ownership check left it as it was
    // An RLock held by another thread is not held by us.
    th::RLock rlock;
    th::Condition with_rlock(rlock);
    auto t = spawn([&] { rlock.acquire(); });
    ASSERT_TRUE(t.join(10s));
    EXPECT_THROW(with_rlock.wait(), concur::RuntimeError);
    EXPECT_THROW(with_rlock.notify(), concur::RuntimeError);
}

// CPython's _check_notify: notify(3) wakes three waiters, notify(5) the two left and three of
// the second round, notify_all() the rest. Each result is (returned, phase when it returned).
void check_notify(th::Condition& cond) {
    constexpr int kThreads = 5;
    int phase = 0;
    int queued = 0;
    std::vector<std::pair<bool, int>> first;
    std::vector<std::pair<bool, int>> second;
    std::vector<th::Thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.push_back(spawn([&] {
            std::unique_lock guard(cond);
            ++queued;
            const bool r1 = cond.wait(10s);
            first.emplace_back(r1, phase);
            ++queued;
            const bool r2 = cond.wait(10s);
            second.emplace_back(r2, phase);
        }));
    }
    ASSERT_TRUE(eventually_locked(cond, [&] { return queued == kThreads; }));
    {
        std::scoped_lock guard(cond);
        EXPECT_TRUE(first.empty());
        cond.notify(3);
        phase = 1;
    }
    ASSERT_TRUE(eventually_locked(cond, [&] { return first.size() == 3 && queued == 8; }));
    std::this_thread::sleep_for(10ms); // a chance for a fourth to wake, were notify(3) wrong
    {
        std::scoped_lock guard(cond);
        EXPECT_EQ(first, (std::vector<std::pair<bool, int>>(3, {true, 1})));
        EXPECT_TRUE(second.empty());
        // The two still in their first wait are ahead of the three in their second.
        cond.notify(5);
        phase = 2;
    }
    ASSERT_TRUE(eventually_locked(cond, [&] { return second.size() == 3 && queued == 10; }));
    {
        std::scoped_lock guard(cond);
        EXPECT_EQ(first, (std::vector<std::pair<bool, int>>{
                             {true, 1}, {true, 1}, {true, 1}, {true, 2}, {true, 2}}));
        EXPECT_EQ(second, (std::vector<std::pair<bool, int>>(3, {true, 2})));
        cond.notify_all();
        phase = 3;
    }
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(20s));
    }
    EXPECT_EQ(second, (std::vector<std::pair<bool, int>>{
                          {true, 2}, {true, 2}, {true, 2}, {true, 3}, {true, 3}}));
}

TEST(Condition, Notify) {
    th::Condition cond;
    check_notify(cond);
    check_notify(cond); // a second time: the internal state is still right
    th::Lock lock;
    th::Condition with_lock(lock);
    check_notify(with_lock);
}

TEST(Condition, NotifyIsFifo) {
    th::Condition cond;
    constexpr int kThreads = 6;
    int queued = 0;
    std::vector<int> order;
    std::vector<th::Thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.push_back(spawn([&, i] {
            std::unique_lock guard(cond);
            ++queued;
            if (cond.wait(10s)) {
                order.push_back(i);
            }
        }));
        // The next waiter starts only once this one is queued.
        ASSERT_TRUE(eventually_locked(cond, [&] { return queued == i + 1; }));
    }
    for (int i = 0; i < kThreads; ++i) {
        {
            std::scoped_lock guard(cond);
            cond.notify();
        }
        ASSERT_TRUE(eventually_locked(cond, [&] { return order.size() == std::size_t(i) + 1; }));
    }
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(10s));
    }
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

TEST(Condition, NotifyWithoutWaitersOrWithNonPositiveCount) {
    th::Condition cond;
    std::unique_lock guard(cond);
    cond.notify();
    cond.notify(10);
    cond.notify_all();
    guard.unlock();
    std::atomic<int> result{-1};
    ASSERT_NO_FATAL_FAILURE(wait_once(
        cond, 200ms,
        [&] {
            cond.notify(0);
            cond.notify(-1);
        },
        result));
    EXPECT_EQ(result, 0);
}

TEST(Condition, Timeout) {
    th::Condition cond;
    std::atomic<int> false_results{0};
    std::atomic<int> in_bounds{0};
    std::vector<th::Thread> threads;
    for (int i = 0; i < 5; ++i) {
        threads.push_back(spawn([&] {
            std::unique_lock guard(cond);
            const auto start = std::chrono::steady_clock::now();
            false_results += cond.wait(50ms) ? 0 : 1;
            const auto elapsed = std::chrono::steady_clock::now() - start;
            in_bounds += (elapsed >= 30ms && elapsed < 5s) ? 1 : 0;
        }));
    }
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(10s));
    }
    EXPECT_EQ(false_results, 5);
    EXPECT_EQ(in_bounds, 5);
    std::scoped_lock guard(cond);
    EXPECT_FALSE(cond.wait(0s));
    EXPECT_FALSE(cond.wait(-1s));
}

TEST(Condition, WaitFor) {
    th::Condition cond;
    int state = 0;
    std::atomic<int> result{-1};
    auto t = spawn([&] {
        std::unique_lock guard(cond);
        result = cond.wait_for([&] { return state == 4; }, 10s) ? 1 : 0;
        EXPECT_EQ(state, 4);
    });
    for (int i = 0; i < 4; ++i) {
        std::this_thread::sleep_for(1ms);
        std::scoped_lock guard(cond);
        ++state;
        cond.notify();
    }
    ASSERT_TRUE(t.join(10s));
    EXPECT_EQ(result, 1);
}

TEST(Condition, WaitForTimeoutIsTotal) {
    // Notifications keep coming, but the predicate stays false: wait_for gives up when the
    // timeout has passed in all, not after a quiet spell of that length.
    th::Condition cond;
    int state = 0;
    std::atomic<bool> done{false};
    std::atomic<int> result{-1};
    Seconds elapsed{};
    auto t = spawn([&] {
        std::unique_lock guard(cond);
        const auto start = std::chrono::steady_clock::now();
        result = cond.wait_for([&] { return state < 0; }, 100ms) ? 1 : 0;
        elapsed = std::chrono::steady_clock::now() - start;
        done = true;
    });
    const auto limit = std::chrono::steady_clock::now() + 5s;
    while (!done && std::chrono::steady_clock::now() < limit) {
        {
            std::scoped_lock guard(cond);
            ++state;
            cond.notify();
        }
        std::this_thread::sleep_for(1ms);
    }
    ASSERT_TRUE(t.join(10s));
    EXPECT_EQ(result, 0);
    EXPECT_GE(elapsed, 60ms);
    EXPECT_LT(elapsed, 5s);
}

TEST(Condition, WaitForReturnsThePredicatesLastValue) {
    th::Condition cond;
    int value = 0;
    std::unique_lock guard(cond);
    EXPECT_EQ(cond.wait_for([&] { return value; }, 10ms), 0);
    guard.unlock();
    int calls = 0;
    std::atomic<int> result{-1};
    auto t = spawn([&] {
        std::unique_lock inner(cond);
        result = cond.wait_for(
            [&] {
                ++calls;
                return value;
            },
            10s);
    });
    // The first call happens with the lock held, just before the first wait().
    ASSERT_TRUE(eventually_locked(cond, [&] { return calls > 0; }));
    {
        std::scoped_lock inner(cond);
        value = 7;
        cond.notify_all();
    }
    ASSERT_TRUE(t.join(10s));
    EXPECT_EQ(result, 7);
}

TEST(Condition, WaitForTrueAtOnceNeedsNoLock) {
    // As in CPython, a predicate already true returns before the ownership check.
    th::Condition cond;
    EXPECT_TRUE(cond.wait_for([] { return true; }));
    EXPECT_THROW(cond.wait_for([] { return false; }, 10ms), concur::RuntimeError);
}

TEST(Condition, WaitRestoresTheRecursionLevel) {
    th::RLock rlock;
    th::Condition cond(rlock);
    cond.acquire();
    cond.acquire();
    // The other thread can only notify while wait() has released both levels.
    auto t = spawn([&] {
        std::scoped_lock guard(cond);
        cond.notify();
    });
    EXPECT_TRUE(cond.wait(10s));
    EXPECT_TRUE(rlock.is_owned());
    cond.release();
    EXPECT_TRUE(rlock.is_owned());
    cond.release();
    EXPECT_FALSE(rlock.locked());
    EXPECT_THROW(cond.release(), concur::RuntimeError);
    ASSERT_TRUE(t.join(10s));
}

TEST(Condition, NotifiedAtTimeoutReportsTrue) {
    // The waiter's timeout expires while the notifier holds the lock, then the notifier
    // notifies: the notify counted this waiter, so its wait() reports it instead of losing it.
    th::Condition cond;
    std::atomic<int> result{-1};
    ASSERT_NO_FATAL_FAILURE(wait_once(
        cond, 20ms,
        [&] {
            std::this_thread::sleep_for(100ms); // the waiter's deadline passes meanwhile
            cond.notify();
        },
        result));
    EXPECT_EQ(result, 1);
}

TEST(Condition, TimedOutWaiterLeavesTheQueue) {
    // A waiter that timed out must not absorb a later notify meant for the next waiter.
    th::Condition cond;
    {
        std::scoped_lock guard(cond);
        EXPECT_FALSE(cond.wait(10ms));
    }
    std::atomic<int> result{-1};
    ASSERT_NO_FATAL_FAILURE(wait_once(
        cond, 10s, [&] { cond.notify(); }, result));
    EXPECT_EQ(result, 1);
}

TEST(Condition, ProducersAndConsumers) {
    th::Condition cond;
    std::deque<int> items;
    bool closed = false;
    long consumed_sum = 0;
    constexpr int kPerProducer = 2000;
    std::vector<th::Thread> consumers;
    for (int c = 0; c < 2; ++c) {
        consumers.push_back(spawn([&] {
            std::unique_lock guard(cond);
            for (;;) {
                if (!cond.wait_for([&] { return !items.empty() || closed; }, 10s)) {
                    return; // a lost notify: the test fails below
                }
                if (items.empty()) {
                    return;
                }
                consumed_sum += items.front();
                items.pop_front();
            }
        }));
    }
    std::vector<th::Thread> producers;
    for (int p = 0; p < 2; ++p) {
        producers.push_back(spawn([&] {
            for (int i = 1; i <= kPerProducer; ++i) {
                std::scoped_lock guard(cond);
                items.push_back(i);
                cond.notify();
            }
        }));
    }
    for (auto& t : producers) {
        ASSERT_TRUE(t.join(30s));
    }
    {
        std::scoped_lock guard(cond);
        closed = true;
        cond.notify_all();
    }
    for (auto& t : consumers) {
        ASSERT_TRUE(t.join(30s));
    }
    EXPECT_EQ(consumed_sum, 2L * kPerProducer * (kPerProducer + 1) / 2);
}

} // namespace
