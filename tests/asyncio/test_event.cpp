// asyncio.Event, after CPython's test_locks.py (EventTests).
#include <string>
#include <vector>

#include "helpers.hpp"

namespace {

using namespace alocks_test;
using asyncio::Event;
using concur::CancelledError;

class AioEvent : public LoopTest {};

Coroutine<> wait_and_record(Event& ev, std::vector<int>& result, int tag) {
    const bool set = co_await ev.wait(); // not in the condition: GCC 12 miscompiles that
    if (set) {
        result.push_back(tag);
    }
}

TEST_F(AioEvent, Repr) {
    run([&]() -> Coroutine<> {
        Event ev;
        EXPECT_NE(ev.repr().find("[unset]>"), std::string::npos) << ev.repr();
        auto t = asyncio::create_task(wait(ev));
        co_await yield_once();
        EXPECT_NE(ev.repr().find("[unset, waiters:1]>"), std::string::npos) << ev.repr();
        ev.set();
        EXPECT_NE(ev.repr().find("[set, waiters:1]>"), std::string::npos) << ev.repr();
        co_await t;
        EXPECT_NE(ev.repr().find("[set]>"), std::string::npos) << ev.repr();
    }());
}

// set() wakes every waiter in the order they came; a task that starts waiting after set() (t3,
// created before it) does not wait at all, so it runs first.
TEST_F(AioEvent, SetWakesAllWaiters) {
    run([&]() -> Coroutine<> {
        Event ev;
        EXPECT_FALSE(ev.is_set());
        std::vector<int> result;
        auto t1 = asyncio::create_task(wait_and_record(ev, result, 1));
        auto t2 = asyncio::create_task(wait_and_record(ev, result, 2));
        co_await yield_once();
        EXPECT_EQ(result, std::vector<int>{});
        auto t3 = asyncio::create_task(wait_and_record(ev, result, 3));
        ev.set();
        co_await yield_once();
        EXPECT_EQ(result, (std::vector<int>{3, 1, 2}));
        EXPECT_TRUE(t1.done() && t2.done() && t3.done());
    }());
}

TEST_F(AioEvent, WaitOnSetReturnsTrueAtOnce) {
    run([&]() -> Coroutine<> {
        Event ev;
        ev.set();
        EXPECT_TRUE(co_await ev.wait());
    }());
}

TEST_F(AioEvent, CancelledWaitLeavesNoWaiter) {
    run([&]() -> Coroutine<> {
        Event ev;
        auto task = asyncio::create_task(wait(ev));
        loop->call_soon([task]() mutable { task.cancel(); });
        EXPECT_THROW(co_await task, CancelledError);
        EXPECT_NE(ev.repr().find("[unset]>"), std::string::npos) << ev.repr();
    }());
}

// Woken by set(), then cancelled before it ran: the task still raises CancelledError, as
// Python's task does when cancel() comes after its future's result.
TEST_F(AioEvent, CancelAfterSetStillRaises) {
    run([&]() -> Coroutine<> {
        Event ev;
        auto task = asyncio::create_task(wait(ev));
        co_await yield_once();
        ev.set();
        EXPECT_TRUE(task.cancel("late"));
        try {
            co_await task;
            ADD_FAILURE() << "no CancelledError";
        } catch (const CancelledError& e) {
            EXPECT_STREQ(e.what(), "late");
        }
        EXPECT_TRUE(ev.is_set());
    }());
}

TEST_F(AioEvent, CancellingOneWaiterLeavesTheOthers) {
    run([&]() -> Coroutine<> {
        Event ev;
        std::vector<int> result;
        auto t1 = asyncio::create_task(wait_and_record(ev, result, 1));
        auto t2 = asyncio::create_task(wait_and_record(ev, result, 2));
        auto t3 = asyncio::create_task(wait_and_record(ev, result, 3));
        co_await yield_once();
        t2.cancel();
        co_await yield_once();
        EXPECT_TRUE(t2.cancelled());
        EXPECT_NE(ev.repr().find("waiters:2"), std::string::npos) << ev.repr();
        ev.set();
        co_await t1;
        co_await t3;
        EXPECT_EQ(result, (std::vector<int>{1, 3}));
    }());
}

TEST_F(AioEvent, Clear) {
    Event ev;
    EXPECT_FALSE(ev.is_set());
    ev.set();
    EXPECT_TRUE(ev.is_set());
    ev.clear();
    EXPECT_FALSE(ev.is_set());
}

// set(), clear(), set(): the waiter woken by the first set() stays woken, once, and remains in
// the queue until it runs.
TEST_F(AioEvent, ClearWithWaiters) {
    run([&]() -> Coroutine<> {
        Event ev;
        std::vector<int> result;
        auto t = asyncio::create_task(wait_and_record(ev, result, 1));
        co_await yield_once();
        EXPECT_EQ(result, std::vector<int>{});
        ev.set();
        ev.clear();
        EXPECT_FALSE(ev.is_set());
        ev.set();
        ev.set();
        EXPECT_NE(ev.repr().find("waiters:1"), std::string::npos) << ev.repr();
        co_await yield_once();
        EXPECT_EQ(result, std::vector<int>{1});
        EXPECT_EQ(ev.repr().find("waiters"), std::string::npos) << ev.repr();
        EXPECT_TRUE(t.done());
    }());
}

// wait() cleared after set() but before the waiter ran still returns: it was woken.
TEST_F(AioEvent, WokenWaiterReturnsEvenIfClearedAgain) {
    run([&]() -> Coroutine<> {
        Event ev;
        auto t = asyncio::create_task(wait(ev));
        co_await yield_once();
        ev.set();
        ev.clear();
        EXPECT_TRUE(co_await t);
        EXPECT_FALSE(ev.is_set());
    }());
}

TEST_F(AioEvent, WaitForTimesOutAndLeavesNoWaiter) {
    run([&]() -> Coroutine<> {
        Event ev;
        EXPECT_THROW(co_await asyncio::wait_for(wait(ev), 0.5s), concur::TimeoutError);
        EXPECT_NE(ev.repr().find("[unset]>"), std::string::npos) << ev.repr();
    }());
}

} // namespace
