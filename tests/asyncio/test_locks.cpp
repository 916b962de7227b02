// asyncio.Lock, after CPython's test_locks.py (LockTests): FIFO order, the cancellation races,
// misuse, the guard form of `async with`, loop binding and lifetime.
#include <optional>
#include <string>
#include <vector>

#include "helpers.hpp"

namespace {

using namespace alocks_test;
using asyncio::Lock;
using concur::CancelledError;

class AioLock : public LoopTest {};

Coroutine<bool> acquire_and_record(Lock& lock, std::vector<int>& result, int tag) {
    // (Not `if (co_await ...)`: GCC 12 miscompiles a co_await in a condition.)
    const bool acquired = co_await lock.acquire();
    if (acquired) {
        result.push_back(tag);
    }
    co_return true;
}

// Takes the lock, waits for `blocker` if any, releases (CPython's lockit).
Coroutine<> lockit(Lock& lock, asyncio::Future<>* blocker) {
    auto guard = co_await lock.lock_guard();
    if (blocker != nullptr) {
        co_await *blocker;
    }
}

Coroutine<> count_acquire(Lock& lock, int& lock_count, int& call_count) {
    ++call_count;
    co_await lock.acquire();
    ++lock_count;
}

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

TEST_F(AioLock, Repr) {
    run([&]() -> Coroutine<> {
        Lock lock;
        EXPECT_TRUE(ends_with(lock.repr(), "[unlocked]>")) << lock.repr();
        EXPECT_EQ(lock.repr().rfind("<asyncio.locks.Lock object at 0x", 0), 0u) << lock.repr();
        co_await lock.acquire();
        EXPECT_TRUE(ends_with(lock.repr(), "[locked]>")) << lock.repr();
        auto t = asyncio::create_task(acquire(lock));
        co_await yield_once();
        EXPECT_TRUE(ends_with(lock.repr(), "[locked, waiters:1]>")) << lock.repr();
        lock.release();
        co_await t;
        lock.release();
    }());
}

TEST_F(AioLock, AcquireWakesWaitersInFifoOrder) {
    run([&]() -> Coroutine<> {
        Lock lock;
        std::vector<int> result;
        EXPECT_TRUE(co_await lock.acquire());
        auto t1 = asyncio::create_task(acquire_and_record(lock, result, 1));
        auto t2 = asyncio::create_task(acquire_and_record(lock, result, 2));
        co_await yield_once();
        EXPECT_EQ(result, std::vector<int>{});

        lock.release();
        co_await yield_once();
        EXPECT_EQ(result, std::vector<int>{1});
        co_await yield_once();
        EXPECT_EQ(result, std::vector<int>{1});

        auto t3 = asyncio::create_task(acquire_and_record(lock, result, 3));
        lock.release();
        co_await yield_once();
        EXPECT_EQ(result, (std::vector<int>{1, 2}));
        lock.release();
        co_await yield_once();
        EXPECT_EQ(result, (std::vector<int>{1, 2, 3}));
        for (auto* t : {&t1, &t2, &t3}) {
            EXPECT_TRUE(t->done() && t->result());
        }
        lock.release();
    }());
}

TEST_F(AioLock, CancelledAcquireLeavesNoWaiter) {
    run([&]() -> Coroutine<> {
        Lock lock;
        co_await lock.acquire();
        auto task = asyncio::create_task(acquire(lock));
        loop->call_soon([task]() mutable { task.cancel(); });
        EXPECT_THROW(co_await task, CancelledError);
        EXPECT_TRUE(ends_with(lock.repr(), "[locked]>")) << lock.repr();
        EXPECT_TRUE(lock.locked());
    }());
}

TEST_F(AioLock, CancelRaisesWithTheMessage) {
    run([&]() -> Coroutine<> {
        Lock lock;
        co_await lock.acquire();
        auto task = asyncio::create_task(acquire(lock));
        co_await yield_once();
        task.cancel("stop it");
        try {
            co_await task;
            ADD_FAILURE() << "no CancelledError";
        } catch (const CancelledError& e) {
            EXPECT_STREQ(e.what(), "stop it");
        }
    }());
}

// B is cancelled while A releases: A's release must skip B's cancelled waiter, and B's exit
// must hand the lock on to C.
TEST_F(AioLock, CancelRace) {
    run([&]() -> Coroutine<> {
        Lock lock;
        asyncio::Future<> fa;
        auto ta = asyncio::create_task(lockit(lock, &fa));
        co_await yield_once();
        EXPECT_TRUE(lock.locked());
        auto tb = asyncio::create_task(lockit(lock, nullptr));
        co_await yield_once();
        EXPECT_TRUE(ends_with(lock.repr(), "waiters:1]>"));
        auto tc = asyncio::create_task(lockit(lock, nullptr));
        co_await yield_once();
        EXPECT_TRUE(ends_with(lock.repr(), "waiters:2]>"));

        fa.set_result();
        tb.cancel();
        co_await yield_once();
        EXPECT_FALSE(lock.locked());
        EXPECT_TRUE(ta.done());
        EXPECT_TRUE(tb.cancelled());
        co_await tc;
        EXPECT_FALSE(lock.locked());
    }());
}

// bpo-32734: cancel the first waiter and release at once: only one task may get the lock.
TEST_F(AioLock, CancelReleaseRaceTakesTheLockOnce) {
    run([&]() -> Coroutine<> {
        Lock lock;
        int lock_count = 0;
        int call_count = 0;
        co_await lock.acquire();
        auto t1 = asyncio::create_task(count_acquire(lock, lock_count, call_count));
        auto t2 = asyncio::create_task(count_acquire(lock, lock_count, call_count));
        auto t3 = asyncio::create_task(count_acquire(lock, lock_count, call_count));
        co_await yield_once();
        loop->call_soon([&] {
            t1.cancel();
            lock.release();
        });
        EXPECT_THROW(co_await t1, CancelledError);
        EXPECT_EQ(lock_count, 1);
        EXPECT_EQ(call_count, 3);
        EXPECT_TRUE(t1.cancelled() && t2.done());
        t3.cancel();
        co_await yield_once();
        EXPECT_TRUE(t3.cancelled());
    }());
}

// A cancelled waiter at the head does not keep a newcomer waiting: with every waiter
// cancelled, acquire() takes the free lock at once.
TEST_F(AioLock, FinishedWaiterCancelled) {
    run([&]() -> Coroutine<> {
        Lock lock;
        co_await lock.acquire();
        auto tb = asyncio::create_task(acquire(lock));
        co_await yield_once();
        auto tc = asyncio::create_task(acquire(lock));
        tb.cancel();
        lock.release();
        co_await yield_once();
        EXPECT_TRUE(lock.locked());
        EXPECT_TRUE(tb.cancelled());
        EXPECT_TRUE(tc.done());
        co_await tc;
    }());
}

// Woken by release(), then cancelled before running: the wake-up passes to the next waiter.
TEST_F(AioLock, WaiterCancelledAfterWakeUpPassesTheLockOn) {
    run([&]() -> Coroutine<> {
        Lock lock;
        co_await lock.acquire();
        auto ta = asyncio::create_task(acquire(lock));
        auto tb = asyncio::create_task(acquire(lock));
        co_await yield_once();
        lock.release(); // wakes ta
        EXPECT_TRUE(ta.cancel());
        co_await yield_once();
        EXPECT_TRUE(ta.cancelled());
        EXPECT_FALSE(tb.done());
        co_await yield_once();
        EXPECT_TRUE(tb.done());
        EXPECT_TRUE(lock.locked());
    }());
}

TEST_F(AioLock, ReleaseNotAcquiredIsRuntimeError) {
    Lock lock;
    try {
        lock.release();
        ADD_FAILURE() << "no RuntimeError";
    } catch (const concur::RuntimeError& e) {
        EXPECT_STREQ(e.what(), "Lock is not acquired.");
    }
}

TEST_F(AioLock, ReleaseNoWaiters) {
    run([&]() -> Coroutine<> {
        Lock lock;
        co_await lock.acquire();
        EXPECT_TRUE(lock.locked());
        lock.release();
        EXPECT_FALSE(lock.locked());
    }());
}

TEST_F(AioLock, GuardIsAsyncWith) {
    run([&]() -> Coroutine<> {
        Lock lock;
        {
            auto guard = co_await lock.lock_guard();
            EXPECT_TRUE(lock.locked());
            EXPECT_TRUE(guard.owns_lock());
        }
        EXPECT_FALSE(lock.locked());
        try {
            auto guard = co_await lock.lock_guard();
            throw std::runtime_error("body failed");
        } catch (const std::runtime_error&) {
        }
        EXPECT_FALSE(lock.locked());
        auto guard = co_await lock.lock_guard();
        auto moved = std::move(guard);
        EXPECT_FALSE(guard.owns_lock());
        moved.unlock();
        EXPECT_FALSE(lock.locked());
        EXPECT_FALSE(moved.owns_lock());
    }());
}

TEST_F(AioLock, GuardReleasingAReleasedLockIsReported) {
    run([&]() -> Coroutine<> {
        Lock lock;
        auto guard = co_await lock.lock_guard();
        lock.release();
    }());
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_NE(reports[0].find("LockGuard"), std::string::npos) << reports[0];
    EXPECT_NE(reports[0].find("Lock is not acquired."), std::string::npos) << reports[0];
    reports.clear();
}

TEST(AioLockLoops, BoundToTheLoopOfItsFirstWait) {
    Lock lock;
    auto loop1 = asyncio::testing::manual_loop();
    auto loop2 = asyncio::testing::manual_loop();
    asyncio::run_until_complete(*loop1, [&]() -> Coroutine<> {
        co_await lock.acquire();
        auto t = asyncio::create_task(acquire(lock)); // waits: binds the lock to loop1
        co_await yield_once();
        lock.release();
        co_await t;
        lock.release();
    }());
    asyncio::run_until_complete(*loop2, [&]() -> Coroutine<> {
        co_await lock.acquire(); // free: no waiting, no loop involved
        auto t = asyncio::create_task(acquire(lock));
        try {
            co_await t;
            ADD_FAILURE() << "no RuntimeError";
        } catch (const concur::RuntimeError& e) {
            EXPECT_NE(std::string(e.what()).find("is bound to a different event loop"),
                      std::string::npos)
                << e.what();
        }
        lock.release();
    }());
    asyncio::detail::finish_run(*loop1);
    asyncio::detail::finish_run(*loop2);
}

// The lock goes (its frame ends) while a task waits; cancelling that task later (as
// asyncio.run's teardown does) must not touch the lock.
TEST_F(AioLock, DestroyedWhileATaskWaits) {
    Task<bool> waiter;
    run([&]() -> Coroutine<> {
        std::optional<Lock> lock(std::in_place);
        co_await lock->acquire();
        waiter = asyncio::create_task(acquire(*lock));
        co_await yield_once();
        lock.reset();
        waiter.cancel();
        EXPECT_THROW(co_await waiter, CancelledError);
    }());
}

// A waiting task destroyed with its loop leaves the lock's queue.
TEST(AioLockLifetime, TaskDestroyedWhileWaitingLeavesTheQueue) {
    Lock lock;
    {
        auto loop = asyncio::testing::manual_loop();
        loop->set_exception_handler([](asyncio::EventLoop&, const asyncio::ExceptionContext&) {});
        asyncio::run_until_complete(*loop, [&]() -> Coroutine<> {
            co_await lock.acquire();
            (void)asyncio::create_task(acquire(lock));
            co_await yield_once();
            EXPECT_TRUE(ends_with(lock.repr(), "[locked, waiters:1]>")) << lock.repr();
        }());
        loop->close(); // destroys the waiting task: "Task was destroyed but it is pending!"
    }
    EXPECT_TRUE(ends_with(lock.repr(), "[locked]>")) << lock.repr();
    lock.release();
    EXPECT_FALSE(lock.locked());
}

// A waiting task kept alive (by its handle) past its loop's close: waking it later finds no
// loop to schedule it on, and does nothing.
TEST(AioLockLifetime, WakingATaskWhoseLoopIsClosed) {
    Lock lock;
    Task<bool> waiter;
    {
        auto loop = asyncio::testing::manual_loop();
        loop->set_exception_handler([](asyncio::EventLoop&, const asyncio::ExceptionContext&) {});
        asyncio::run_until_complete(*loop, [&]() -> Coroutine<> {
            co_await lock.acquire();
            waiter = asyncio::create_task(acquire(lock));
            co_await yield_once();
        }());
        loop->close();
    }
    lock.release(); // wakes the waiter, which has no loop any more
    EXPECT_FALSE(waiter.done());
    EXPECT_FALSE(lock.locked());
}

} // namespace
