// asyncio queues under cancellation, after CPython's test_queues.py: a cancelled getter or
// putter leaves the queue as it was, loses no item, and passes on a wake-up it cannot use.
#include <string>
#include <vector>

#include "helpers.hpp"

namespace {

using namespace alocks_test;
using asyncio::Queue;
using concur::CancelledError;

class AioQueueCancel : public LoopTest {};

bool has(const std::string& repr, const std::string& text) {
    return repr.find(text) != std::string::npos;
}

TEST_F(AioQueueCancel, GetCancelledRace) {
    run([&]() -> Coroutine<> {
        Queue<std::string> q;
        auto t1 = asyncio::create_task(get(q));
        auto t2 = asyncio::create_task(get(q));
        co_await yield_once();
        t1.cancel();
        co_await yield_once();
        EXPECT_TRUE(t1.done());
        co_await q.put("a");
        co_await yield_once();
        EXPECT_EQ(co_await t2, "a");
    }());
}

TEST_F(AioQueueCancel, CancelledGetterLeavesNoGetter) {
    run([&]() -> Coroutine<> {
        Queue<int> q(5);
        EXPECT_THROW(co_await asyncio::wait_for(get(q), 0.1s), concur::TimeoutError);
        EXPECT_FALSE(has(q.repr(), "_getters")) << q.repr();
    }());
}

// The item a put woke a getter for is taken by get_nowait() first: the getter waits again, at
// the back, as CPython's `while self.empty()` loop does.
TEST_F(AioQueueCancel, GetterWhoseItemIsTakenWaitsAgainAtTheBack) {
    run([&]() -> Coroutine<> {
        Queue<int> q;
        auto g1 = asyncio::create_task(get(q));
        auto g2 = asyncio::create_task(get(q));
        co_await yield_once();
        q.put_nowait(1); // wakes g1
        EXPECT_EQ(q.get_nowait(), 1);
        co_await yield_once(); // g1 finds the queue empty
        EXPECT_FALSE(g1.done());
        EXPECT_TRUE(has(q.repr(), "_getters[2]")) << q.repr();
        q.put_nowait(2); // wakes g2, now first in line
        q.put_nowait(3);
        EXPECT_EQ(co_await g2, 2);
        EXPECT_EQ(co_await g1, 3);
    }());
}

// The put woke a getter which is cancelled before it runs: its item stays for the next getter.
TEST_F(AioQueueCancel, GetCancelDropsNoItemOneReader) {
    run([&]() -> Coroutine<> {
        Queue<int> q;
        auto reader = asyncio::create_task(get(q));
        co_await yield_once();
        q.put_nowait(1);
        q.put_nowait(2);
        reader.cancel();
        bool cancelled = false;
        try {
            co_await reader;
        } catch (const CancelledError&) {
            cancelled = true;
        }
        if (cancelled) {
            reader = asyncio::create_task(get(q));
            co_await reader;
        }
        EXPECT_EQ(reader.result(), 1); // 2 would mean that 1 was lost
    }());
}

TEST_F(AioQueueCancel, GetCancelDropsNoItemManyReaders) {
    run([&]() -> Coroutine<> {
        Queue<int> q;
        auto reader1 = asyncio::create_task(get(q));
        auto reader2 = asyncio::create_task(get(q));
        auto reader3 = asyncio::create_task(get(q));
        co_await yield_once();
        q.put_nowait(1);
        q.put_nowait(2);
        reader1.cancel();
        EXPECT_THROW(co_await reader1, CancelledError);
        co_await reader3;
        co_await reader2;
        const std::vector<int> got{reader2.result(), reader3.result()};
        EXPECT_TRUE(got == (std::vector<int>{1, 2}) || got == (std::vector<int>{2, 1}));
    }());
}

TEST_F(AioQueueCancel, PutCancelDropsNothing) {
    run([&]() -> Coroutine<> {
        Queue<int> q(1);
        q.put_nowait(1);
        auto writer = asyncio::create_task(put(q, 2));
        co_await yield_once();
        EXPECT_EQ(q.get_nowait(), 1); // wakes the writer
        writer.cancel();
        bool cancelled = false;
        try {
            co_await writer;
        } catch (const CancelledError&) {
            cancelled = true;
        }
        if (cancelled) {
            writer = asyncio::create_task(put(q, 2));
            co_await writer;
        }
        EXPECT_EQ(q.get_nowait(), 2);
        EXPECT_EQ(q.qsize(), 0u);
    }());
}

TEST_F(AioQueueCancel, PutCancelledRace) {
    run([&]() -> Coroutine<> {
        Queue<std::string> q(1);
        auto put_a = asyncio::create_task(put(q, "a"));
        auto put_b = asyncio::create_task(put(q, "b"));
        auto put_c = asyncio::create_task(put(q, "X"));
        co_await yield_once();
        EXPECT_TRUE(put_a.done());
        EXPECT_FALSE(put_b.done());
        put_c.cancel();
        co_await yield_once();
        EXPECT_TRUE(put_c.done());
        EXPECT_EQ(q.get_nowait(), "a");
        co_await yield_once();
        EXPECT_EQ(q.get_nowait(), "b");
        co_await put_b;
    }());
}

TEST_F(AioQueueCancel, CancelledPutterLeavesNoPutter) {
    run([&]() -> Coroutine<> {
        Queue<int> q(1);
        q.put_nowait(1);
        auto put_task = asyncio::create_task(put(q, 1));
        co_await yield_once();
        EXPECT_TRUE(has(q.repr(), "_putters[1]")) << q.repr();
        put_task.cancel();
        EXPECT_THROW(co_await put_task, CancelledError);
        EXPECT_FALSE(has(q.repr(), "_putters")) << q.repr();
    }());
}

// Woken by get_nowait() (which took it off the putters), then cancelled: still CancelledError.
TEST_F(AioQueueCancel, PutterCancelledAfterItWasWoken) {
    run([&]() -> Coroutine<> {
        Queue<int> q(1);
        q.put_nowait(1);
        auto put_task = asyncio::create_task(put(q, 1));
        co_await yield_once();
        (void)q.get_nowait();
        put_task.cancel();
        EXPECT_THROW(co_await put_task, CancelledError);
        EXPECT_TRUE(q.empty());
    }());
}

TEST_F(AioQueueCancel, CancelledJoinLeavesTheQueueAlone) {
    run([&]() -> Coroutine<> {
        Queue<int> q;
        q.put_nowait(1);
        auto j = asyncio::create_task(join(q));
        co_await yield_once();
        j.cancel();
        EXPECT_THROW(co_await j, CancelledError);
        (void)q.get_nowait();
        q.task_done();
        co_await q.join();
    }());
}

} // namespace
