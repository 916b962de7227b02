// asyncio.Semaphore and BoundedSemaphore, after CPython's test_locks.py (SemaphoreTests): FIFO
// order even with units free, no unit lost to a cancelled waiter, misuse.
#include <string>
#include <vector>

#include "helpers.hpp"

namespace {

using namespace alocks_test;
using asyncio::BoundedSemaphore;
using asyncio::Semaphore;
using concur::CancelledError;

class AioSemaphore : public LoopTest {};

Coroutine<bool> acquire_and_record(Semaphore& sem, std::vector<int>& result, int tag) {
    co_await sem.acquire();
    result.push_back(tag);
    co_return true;
}

TEST_F(AioSemaphore, InitialValueZeroIsLocked) {
    Semaphore sem(0);
    EXPECT_TRUE(sem.locked());
}

TEST_F(AioSemaphore, NegativeValueIsValueError) {
    try {
        Semaphore sem(-1);
        ADD_FAILURE() << "no ValueError";
    } catch (const concur::ValueError& e) {
        EXPECT_STREQ(e.what(), "Semaphore initial value must be >= 0");
    }
}

TEST_F(AioSemaphore, Repr) {
    run([&]() -> Coroutine<> {
        Semaphore sem;
        EXPECT_NE(sem.repr().find("[unlocked, value:1]>"), std::string::npos) << sem.repr();
        co_await sem.acquire();
        EXPECT_NE(sem.repr().find("[locked]>"), std::string::npos) << sem.repr();
        auto t = asyncio::create_task(acquire(sem));
        co_await yield_once();
        EXPECT_NE(sem.repr().find("[locked, waiters:1]>"), std::string::npos) << sem.repr();
        sem.release();
        co_await t;
        sem.release();
        EXPECT_NE(sem.repr().find("[unlocked, value:1]>"), std::string::npos) << sem.repr();
    }());
}

TEST_F(AioSemaphore, Acquire) {
    run([&]() -> Coroutine<> {
        Semaphore sem(3);
        std::vector<int> result;
        EXPECT_TRUE(co_await sem.acquire());
        EXPECT_TRUE(co_await sem.acquire());
        EXPECT_FALSE(sem.locked());

        auto t1 = asyncio::create_task(acquire_and_record(sem, result, 1));
        auto t2 = asyncio::create_task(acquire_and_record(sem, result, 2));
        auto t3 = asyncio::create_task(acquire_and_record(sem, result, 3));
        co_await yield_once();
        EXPECT_EQ(result, std::vector<int>{1});
        EXPECT_TRUE(sem.locked());
        EXPECT_NE(sem.repr().find("waiters:2"), std::string::npos) << sem.repr();

        auto t4 = asyncio::create_task(acquire_and_record(sem, result, 4));
        sem.release();
        sem.release(); // both units go to t2 and t3, already woken
        EXPECT_TRUE(sem.locked());
        co_await yield_once();
        EXPECT_EQ(result, (std::vector<int>{1, 2, 3}));
        EXPECT_TRUE(sem.locked());
        EXPECT_NE(sem.repr().find("waiters:1"), std::string::npos) << sem.repr();
        EXPECT_TRUE(t1.done() && t2.done() && t3.done());
        EXPECT_FALSE(t4.done());
        sem.release();
        co_await t4;
    }());
}

TEST_F(AioSemaphore, CancelledAcquireLeavesNoWaiter) {
    run([&]() -> Coroutine<> {
        Semaphore sem;
        co_await sem.acquire();
        auto task = asyncio::create_task(acquire(sem));
        loop->call_soon([task]() mutable { task.cancel(); });
        EXPECT_THROW(co_await task, CancelledError);
        EXPECT_EQ(sem.repr().find("waiters"), std::string::npos) << sem.repr();
        EXPECT_TRUE(sem.locked());
    }());
}

TEST_F(AioSemaphore, CancelBeforeAwokenSkipsTheCancelled) {
    run([&]() -> Coroutine<> {
        Semaphore sem(0);
        auto t1 = asyncio::create_task(acquire(sem));
        auto t2 = asyncio::create_task(acquire(sem));
        auto t3 = asyncio::create_task(acquire(sem));
        auto t4 = asyncio::create_task(acquire(sem));
        co_await yield_once();
        t1.cancel();
        t2.cancel();
        sem.release();
        co_await yield_once();
        co_await yield_once();
        EXPECT_TRUE(t3.done());
        EXPECT_FALSE(t4.done());
        t4.cancel();
        co_await yield_once();
    }());
}

TEST_F(AioSemaphore, AcquireHang) {
    run([&]() -> Coroutine<> {
        Semaphore sem(0);
        auto t1 = asyncio::create_task(acquire(sem));
        auto t2 = asyncio::create_task(acquire(sem));
        co_await yield_once();
        t1.cancel();
        sem.release();
        co_await yield_once();
        co_await yield_once();
        EXPECT_TRUE(sem.locked());
        EXPECT_TRUE(t2.done());
    }());
}

// Woken, then cancelled before it ran: the unit goes back and to the next waiter.
TEST_F(AioSemaphore, CancelAfterWakeUpGivesTheUnitBack) {
    run([&]() -> Coroutine<> {
        Semaphore sem(0);
        auto t1 = asyncio::create_task(acquire(sem));
        auto t2 = asyncio::create_task(acquire(sem));
        co_await yield_once();
        sem.release(); // wakes t1
        EXPECT_TRUE(t1.cancel());
        co_await yield_once();
        EXPECT_TRUE(t1.cancelled());
        co_await t2; // t1's unit, passed on
        EXPECT_TRUE(sem.locked());

        auto t3 = asyncio::create_task(acquire(sem));
        co_await yield_once();
        sem.release(); // wakes t3
        t3.cancel();
        co_await yield_once();
        EXPECT_TRUE(t3.cancelled());
        EXPECT_NE(sem.repr().find("[unlocked, value:1]>"), std::string::npos) << sem.repr();
    }());
}

Coroutine<> hold_then_cancel(Semaphore& sem, Task<>& other) {
    {
        auto guard = co_await sem.lock_guard();
        co_await yield_once();
    }
    other.cancel();
}

Coroutine<> hold_forbidden(Semaphore& sem) {
    auto guard = co_await sem.lock_guard();
    ADD_FAILURE() << "acquired after being cancelled";
}

TEST_F(AioSemaphore, AcquireNoHang) {
    run([&]() -> Coroutine<> {
        Semaphore sem(1);
        Task<> t2;
        auto t1 = asyncio::create_task(hold_then_cancel(sem, t2));
        t2 = asyncio::create_task(hold_forbidden(sem));
        auto [r1, r2] = co_await asyncio::gather({.return_exceptions = true}, t1, t2);
        EXPECT_TRUE(r1.has_value());
        EXPECT_THROW(r2.value(), CancelledError);
        co_await asyncio::wait_for(acquire(sem), 1s); // not hung: the unit came back
    }());
}

TEST_F(AioSemaphore, BoundedReleaseTooManyIsValueError) {
    BoundedSemaphore sem;
    try {
        sem.release();
        ADD_FAILURE() << "no ValueError";
    } catch (const concur::ValueError& e) {
        EXPECT_STREQ(e.what(), "BoundedSemaphore released too many times");
    }
    Semaphore& base = sem; // the bound holds through the base class too
    EXPECT_THROW(base.release(), concur::ValueError);
}

TEST_F(AioSemaphore, ReleaseNoWaiters) {
    run([&]() -> Coroutine<> {
        Semaphore sem;
        co_await sem.acquire();
        EXPECT_TRUE(sem.locked());
        sem.release();
        EXPECT_FALSE(sem.locked());
    }());
}

Coroutine<> twice(Semaphore& sem, std::vector<std::string>& result, std::string tag) {
    co_await sem.acquire();
    result.push_back(tag + "_1");
    co_await asyncio::sleep(0.01s);
    sem.release();
    co_await sem.acquire();
    result.push_back(tag + "_2");
    co_await asyncio::sleep(0.01s);
    sem.release();
}

TEST_F(AioSemaphore, FifoOrder) {
    run([&]() -> Coroutine<> {
        Semaphore sem(1);
        std::vector<std::string> result;
        auto t1 = asyncio::create_task(twice(sem, result, "c1"));
        auto t2 = asyncio::create_task(twice(sem, result, "c2"));
        auto t3 = asyncio::create_task(twice(sem, result, "c3"));
        co_await asyncio::gather(t1, t2, t3);
        EXPECT_EQ(result,
                  (std::vector<std::string>{"c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"}));
    }());
}

Coroutine<bool> release_then_reacquire(Semaphore& sem, std::vector<int>& result) {
    co_await sem.acquire();
    result.push_back(2);
    sem.release();
    co_await sem.acquire();
    result.push_back(4);
    co_return true;
}

// A release by a task that then acquires again queues it behind the waiters (FIFO).
TEST_F(AioSemaphore, FifoOrder2) {
    run([&]() -> Coroutine<> {
        Semaphore sem(1);
        std::vector<int> result;
        auto t1 = asyncio::create_task(acquire_and_record(sem, result, 1));
        auto t2 = asyncio::create_task(release_then_reacquire(sem, result));
        auto t3 = asyncio::create_task(acquire_and_record(sem, result, 3));
        co_await yield_once();
        sem.release();
        sem.release();
        co_await asyncio::gather(t1, t2, t3);
        EXPECT_EQ(result, (std::vector<int>{1, 2, 3, 4}));
    }());
}

TEST_F(AioSemaphore, FifoOrder3CancelledFirst) {
    run([&]() -> Coroutine<> {
        Semaphore sem(0);
        std::vector<int> result;
        auto t1 = asyncio::create_task(acquire_and_record(sem, result, 1));
        auto t2 = asyncio::create_task(acquire_and_record(sem, result, 2));
        auto t3 = asyncio::create_task(acquire_and_record(sem, result, 3));
        co_await yield_once();
        t1.cancel();
        co_await yield_once();
        sem.release();
        sem.release();
        co_await asyncio::gather({.return_exceptions = true}, t1, t2, t3);
        EXPECT_EQ(result, (std::vector<int>{2, 3}));
    }());
}

Coroutine<bool> record(std::vector<int>& result, int tag) {
    result.push_back(tag);
    co_return true;
}

// A successful acquire() wakes the waiters that queued behind it while units were free.
TEST_F(AioSemaphore, FifoOrder4SuccessfulAcquireWakesTheQueue) {
    run([&]() -> Coroutine<> {
        Semaphore sem(0);
        std::vector<int> result;
        Task<bool> t4;
        auto c1 = [&]() -> Coroutine<bool> {
            EXPECT_TRUE(sem.locked());
            co_await sem.acquire();
            EXPECT_TRUE(sem.locked());                    // the units left went to c2 and c3
            t4 = asyncio::create_task(record(result, 4)); // runs after c3, not c2
            result.push_back(1);
            co_return true;
        };
        auto c2 = [&]() -> Coroutine<bool> {
            sem.release();
            sem.release();
            sem.release();
            EXPECT_TRUE(sem.locked()); // two units free, but c1 (woken) has not run yet
            co_await sem.acquire();
            result.push_back(2);
            co_return true;
        };
        auto t1 = asyncio::create_task(c1());
        auto t2 = asyncio::create_task(c2());
        auto t3 = asyncio::create_task(acquire_and_record(sem, result, 3));
        co_await yield_once();
        EXPECT_NE(sem.repr().find("waiters:3"), std::string::npos) << sem.repr();
        co_await yield_once();
        co_await asyncio::gather(t1, t2, t3, t4);
        EXPECT_EQ(result, (std::vector<int>{1, 2, 3, 4}));
    }());
}

TEST_F(AioSemaphore, GuardsOfBothKinds) {
    run([&]() -> Coroutine<> {
        Semaphore sem(2);
        BoundedSemaphore bounded(1);
        {
            auto g1 = co_await sem.lock_guard();
            auto g2 = co_await sem.lock_guard();
            auto g3 = co_await bounded.lock_guard();
            EXPECT_TRUE(sem.locked());
            EXPECT_TRUE(bounded.locked());
        }
        EXPECT_NE(sem.repr().find("value:2"), std::string::npos) << sem.repr();
        EXPECT_FALSE(bounded.locked());
        EXPECT_THROW(bounded.release(), concur::ValueError);
    }());
}

} // namespace
