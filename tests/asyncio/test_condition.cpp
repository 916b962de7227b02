// asyncio.Condition, after CPython's test_locks.py (ConditionTests): notify order, the lock
// re-acquired even on cancellation, the CancelledError kept, no lost wake-up.
#include <string>
#include <vector>

#include "helpers.hpp"

namespace {

using namespace alocks_test;
using asyncio::Condition;
using asyncio::Lock;
using concur::CancelledError;

class AioCondition : public LoopTest {};

// Acquires, waits, records `tag`; releases the lock afterwards if `release`.
Coroutine<bool> wait_and_record(Condition& cond, std::vector<int>& result, int tag, bool release) {
    co_await cond.acquire();
    const bool woken = co_await cond.wait(); // not in a condition: GCC 12 miscompiles that
    if (woken) {
        result.push_back(tag);
        if (release) {
            cond.release();
        }
    }
    co_return true;
}

TEST_F(AioCondition, WaitReacquiresInNotifyOrder) {
    run([&]() -> Coroutine<> {
        Condition cond;
        std::vector<int> result;
        auto t1 = asyncio::create_task(wait_and_record(cond, result, 1, false));
        auto t2 = asyncio::create_task(wait_and_record(cond, result, 2, false));
        auto t3 = asyncio::create_task(wait_and_record(cond, result, 3, false));
        co_await yield_once();
        EXPECT_EQ(result, std::vector<int>{});
        EXPECT_FALSE(cond.locked());

        EXPECT_TRUE(co_await cond.acquire());
        cond.notify();
        co_await yield_once();
        EXPECT_EQ(result, std::vector<int>{}); // woken, but the lock is held
        EXPECT_TRUE(cond.locked());

        cond.release();
        co_await yield_once();
        EXPECT_EQ(result, std::vector<int>{1});
        EXPECT_TRUE(cond.locked());

        cond.notify(2);
        co_await yield_once();
        EXPECT_EQ(result, std::vector<int>{1});
        EXPECT_TRUE(cond.locked());

        cond.release();
        co_await yield_once();
        EXPECT_EQ(result, (std::vector<int>{1, 2}));
        EXPECT_TRUE(cond.locked());

        cond.release();
        co_await yield_once();
        EXPECT_EQ(result, (std::vector<int>{1, 2, 3}));
        EXPECT_TRUE(cond.locked());
        for (auto* t : {&t1, &t2, &t3}) {
            EXPECT_TRUE(t->done() && t->result());
        }
        cond.release();
    }());
}

TEST_F(AioCondition, CancelledWaitHoldsTheLockAgain) {
    run([&]() -> Coroutine<> {
        Condition cond;
        co_await cond.acquire();
        auto wait_task = asyncio::create_task(wait(cond));
        loop->call_soon([wait_task]() mutable { wait_task.cancel(); });
        EXPECT_THROW(co_await wait_task, CancelledError);
        EXPECT_EQ(cond.repr().find("waiters"), std::string::npos) << cond.repr();
        EXPECT_TRUE(cond.locked());
    }());
}

// Notified, then cancelled while another task holds the lock: the waiter re-acquires the lock
// once it is free, then raises.
TEST_F(AioCondition, CancelWhileTheLockIsContested) {
    run([&]() -> Coroutine<> {
        Condition cond;
        co_await cond.acquire();
        auto wait_task = asyncio::create_task(wait(cond));
        co_await yield_once();
        EXPECT_FALSE(cond.locked());
        co_await cond.acquire();
        cond.notify();
        loop->call_soon([wait_task]() mutable { wait_task.cancel(); });
        loop->call_soon([&cond] { cond.release(); });
        EXPECT_THROW(co_await wait_task, CancelledError);
        EXPECT_TRUE(cond.locked()); // the cancelled task holds it
    }());
}

Coroutine<> wait_in_guard(Condition& cond, bool& waited) {
    auto guard = co_await cond.lock_guard();
    waited = true;
    co_await cond.wait();
}

// bpo-32841: notified, then cancelled while re-acquiring: the task still ends cancelled.
TEST_F(AioCondition, CancelAfterNotify) {
    run([&]() -> Coroutine<> {
        Condition cond;
        bool waited = false;
        auto waiter = asyncio::create_task(wait_in_guard(cond, waited));
        co_await yield_once();
        co_await cond.acquire();
        cond.notify();
        co_await yield_once(); // the waiter queues for the lock
        waiter.cancel();
        co_await yield_once();
        cond.release();
        co_await yield_once();
        EXPECT_TRUE(waiter.cancelled());
        EXPECT_TRUE(waited);
        EXPECT_FALSE(cond.locked()); // the waiter's guard released it
    }());
}

TEST_F(AioCondition, WaitUnacquiredIsRuntimeError) {
    Condition cond;
    try {
        (void)cond.wait();
        ADD_FAILURE() << "no RuntimeError";
    } catch (const concur::RuntimeError& e) {
        EXPECT_STREQ(e.what(), "cannot wait on un-acquired lock");
    }
}

Coroutine<bool> wait_for_flag(Condition& cond, const bool& flag, std::vector<int>& result) {
    co_await cond.acquire();
    const bool value = co_await cond.wait_for([&flag] { return flag; });
    if (value) {
        result.push_back(1);
        cond.release();
    }
    co_return true;
}

TEST_F(AioCondition, WaitForRechecksThePredicate) {
    run([&]() -> Coroutine<> {
        Condition cond;
        bool presult = false;
        std::vector<int> result;
        auto t = asyncio::create_task(wait_for_flag(cond, presult, result));
        co_await yield_once();
        EXPECT_EQ(result, std::vector<int>{});

        co_await cond.acquire();
        cond.notify();
        cond.release();
        co_await yield_once();
        EXPECT_EQ(result, std::vector<int>{}); // woken, predicate false: waits again

        presult = true;
        co_await cond.acquire();
        cond.notify();
        cond.release();
        co_await yield_once();
        EXPECT_EQ(result, std::vector<int>{1});
        EXPECT_TRUE(t.done() && t.result());
    }());
}

TEST_F(AioCondition, WaitForReturnsThePredicateValue) {
    run([&]() -> Coroutine<> {
        Condition cond;
        // True at once: no wait, so no lock needed.
        EXPECT_EQ(co_await cond.wait_for([] { return 42; }), 42);
        EXPECT_THROW(co_await cond.wait_for([] { return false; }), concur::RuntimeError);
    }());
}

TEST_F(AioCondition, NotifyWakesAtMostN) {
    run([&]() -> Coroutine<> {
        Condition cond;
        std::vector<int> result;
        auto t1 = asyncio::create_task(wait_and_record(cond, result, 1, true));
        auto t2 = asyncio::create_task(wait_and_record(cond, result, 2, true));
        auto t3 = asyncio::create_task(wait_and_record(cond, result, 3, true));
        co_await yield_once();
        EXPECT_EQ(result, std::vector<int>{});

        co_await cond.acquire();
        cond.notify(1);
        cond.release();
        co_await yield_once();
        EXPECT_EQ(result, std::vector<int>{1});

        co_await cond.acquire();
        cond.notify(1);
        cond.notify(2048);
        cond.release();
        co_await yield_once();
        EXPECT_EQ(result, (std::vector<int>{1, 2, 3}));
        EXPECT_TRUE(t1.done() && t2.done() && t3.done());
    }());
}

TEST_F(AioCondition, NotifyAll) {
    run([&]() -> Coroutine<> {
        Condition cond;
        std::vector<int> result;
        auto t1 = asyncio::create_task(wait_and_record(cond, result, 1, true));
        auto t2 = asyncio::create_task(wait_and_record(cond, result, 2, true));
        co_await yield_once();
        co_await cond.acquire();
        cond.notify_all();
        cond.release();
        co_await yield_once();
        EXPECT_EQ(result, (std::vector<int>{1, 2}));
        EXPECT_TRUE(t1.done() && t2.done());
    }());
}

TEST_F(AioCondition, NotifyUnacquiredIsRuntimeError) {
    Condition cond;
    EXPECT_THROW(cond.notify(), concur::RuntimeError);
    EXPECT_THROW(cond.notify_all(), concur::RuntimeError);
}

TEST_F(AioCondition, Repr) {
    run([&]() -> Coroutine<> {
        Condition cond;
        EXPECT_NE(cond.repr().find("[unlocked]>"), std::string::npos) << cond.repr();
        co_await cond.acquire();
        EXPECT_NE(cond.repr().find("[locked]>"), std::string::npos) << cond.repr();
        auto t1 = asyncio::create_task(acquire(cond));
        co_await yield_once(); // t1 waits for the lock, not on the condition
        EXPECT_NE(cond.repr().find("[locked]>"), std::string::npos) << cond.repr();
        cond.release();
        co_await t1;
        auto t2 = asyncio::create_task(wait(cond));
        co_await yield_once();
        EXPECT_NE(cond.repr().find("[unlocked, waiters:1]>"), std::string::npos) << cond.repr();
        co_await cond.acquire();
        cond.notify();
        cond.release();
        co_await t2;
        cond.release();
    }());
}

TEST_F(AioCondition, ExplicitLockIsShared) {
    run([&]() -> Coroutine<> {
        Lock lock;
        Condition cond(lock);
        EXPECT_FALSE(lock.locked());
        {
            auto guard = co_await cond.lock_guard();
            EXPECT_TRUE(lock.locked());
            EXPECT_TRUE(cond.locked());
        }
        EXPECT_FALSE(lock.locked());
        {
            auto guard = co_await lock.lock_guard();
            EXPECT_TRUE(cond.locked());
        }
        EXPECT_FALSE(cond.locked());
    }());
}

TEST_F(AioCondition, TimeoutInBlockKeepsTheLock) {
    run([&]() -> Coroutine<> {
        Condition cond;
        auto guard = co_await cond.lock_guard();
        EXPECT_THROW(co_await asyncio::wait_for(wait(cond), 0.5s), concur::TimeoutError);
        EXPECT_TRUE(cond.locked());
    }());
}

} // namespace
