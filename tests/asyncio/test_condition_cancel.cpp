// asyncio.Condition under cancellation, after CPython's test_locks.py (ConditionTests): the
// CancelledError comes out with its message, the lock is held again, no wake-up is lost.
#include <memory>
#include <string>

#include "helpers.hpp"

namespace {

using namespace alocks_test;
using asyncio::Condition;
using concur::CancelledError;

class AioConditionCancel : public LoopTest {};

Coroutine<> wait_for_until_cancelled(Condition& cond, const bool& wake, std::string& seen) {
    auto guard = co_await cond.lock_guard();
    try {
        co_await cond.wait_for([&wake] { return wake; });
    } catch (const CancelledError& e) {
        seen = e.what();
        EXPECT_TRUE(cond.locked());
        throw;
    }
}

// The CancelledError from the wait itself comes out with its message.
TEST_F(AioConditionCancel, CancelledErrorWhileWaitingForNotify) {
    run([&]() -> Coroutine<> {
        Condition cond;
        bool wake = false;
        std::string seen;
        auto task = asyncio::create_task(wait_for_until_cancelled(cond, wake, seen));
        co_await yield_once();
        task.cancel("foo");
        try {
            co_await task;
            ADD_FAILURE() << "no CancelledError";
        } catch (const CancelledError& e) {
            EXPECT_STREQ(e.what(), "foo");
        }
        EXPECT_EQ(seen, "foo");
        EXPECT_FALSE(cond.locked());
    }());
}

// The CancelledError received while re-acquiring the lock comes out with its message.
TEST_F(AioConditionCancel, CancelledErrorWhileReacquiring) {
    run([&]() -> Coroutine<> {
        Condition cond;
        bool wake = false;
        std::string seen;
        auto task = asyncio::create_task(wait_for_until_cancelled(cond, wake, seen));
        co_await yield_once();
        co_await cond.acquire();
        wake = true;
        cond.notify();
        co_await yield_once(); // the task now queues for the lock
        task.cancel("foo");
        cond.release();
        try {
            co_await task;
            ADD_FAILURE() << "no CancelledError";
        } catch (const CancelledError& e) {
            EXPECT_STREQ(e.what(), "foo");
        }
        EXPECT_EQ(seen, "foo");
    }());
}

// Consumers of a counter: each takes one unit per wake-up, until the counter goes negative.
Coroutine<> consumer(Condition& cond, int& state) {
    auto guard = co_await cond.lock_guard();
    while (true) {
        co_await cond.wait_for([&state] { return state != 0; });
        if (state < 0) {
            co_return;
        }
        --state;
    }
}

// A task cancelled at the moment notify() wakes it must not lose the wake-up: the next waiter
// is notified in its place.
TEST_F(AioConditionCancel, CancelledWakeupIsPassedOn) {
    run([&]() -> Coroutine<> {
        Condition cond;
        int state = 0;
        auto c0 = asyncio::create_task(consumer(cond, state));
        auto c1 = asyncio::create_task(consumer(cond, state));
        co_await yield_once();
        {
            auto guard = co_await cond.lock_guard();
            ++state;
            cond.notify(1);
            c0.cancel(); // while it is on its way back
        }
        for (int i = 0; i < 4; ++i) {
            co_await yield_once();
        }
        EXPECT_EQ(state, 0); // c1 consumed the unit
        EXPECT_TRUE(c0.cancelled());
        {
            auto guard = co_await cond.lock_guard();
            state = -1;
            cond.notify_all();
        }
        co_await c1;
    }());
}

// The same, with the cancellation arriving while the woken task waits for the lock.
TEST_F(AioConditionCancel, CancelledWakeupWhileRelockingIsPassedOn) {
    run([&]() -> Coroutine<> {
        Condition cond;
        int state = 0;
        auto c0 = asyncio::create_task(consumer(cond, state));
        auto c1 = asyncio::create_task(consumer(cond, state));
        co_await yield_once();
        {
            auto guard = co_await cond.lock_guard();
            ++state;
            cond.notify(1);
            co_await yield_once(); // c0 queues for the lock
            c0.cancel();
        }
        for (int i = 0; i < 4; ++i) {
            co_await yield_once();
        }
        EXPECT_EQ(state, 0);
        EXPECT_TRUE(c0.cancelled());
        {
            auto guard = co_await cond.lock_guard();
            state = -1;
            cond.notify_all();
        }
        co_await c1;
    }());
}

// The condition goes while a task waits on it; cancelling the task then touches nothing.
TEST_F(AioConditionCancel, DestroyedWhileATaskWaits) {
    run([&]() -> Coroutine<> {
        auto cond = std::make_unique<Condition>();
        co_await cond->acquire();
        auto task = asyncio::create_task(wait(*cond));
        co_await yield_once();
        cond.reset();
        task.cancel();
        EXPECT_THROW(co_await task, CancelledError);
    }());
}

} // namespace
