// asyncio.Queue, LifoQueue and PriorityQueue, after CPython's test_queues.py: order, bounds,
// the get and put races under cancellation, FIFO-fair waiters, task_done/join.
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "helpers.hpp"

namespace {

using namespace alocks_test;
using asyncio::LifoQueue;
using asyncio::PriorityQueue;
using asyncio::Queue;
using asyncio::QueueEmpty;
using asyncio::QueueFull;
using concur::CancelledError;

class AioQueue : public LoopTest {};

bool has(const std::string& repr, const std::string& text) {
    return repr.find(text) != std::string::npos;
}

TEST_F(AioQueue, ReprShowsWaitersAndTasks) {
    run([&]() -> Coroutine<> {
        Queue<int> q;
        EXPECT_EQ(q.repr().rfind("<Queue at 0x", 0), 0u) << q.repr();
        EXPECT_TRUE(has(q.repr(), " maxsize=0>")) << q.repr();
        auto getter = asyncio::create_task(get(q));
        co_await yield_once();
        EXPECT_TRUE(has(q.repr(), "maxsize=0 _getters[1]>")) << q.repr();
        q.put_nowait(0);
        EXPECT_EQ(co_await getter, 0);
        EXPECT_TRUE(has(q.repr(), "maxsize=0 tasks=1>")) << q.repr();

        Queue<int> bounded(1);
        bounded.put_nowait(1);
        auto putter = asyncio::create_task(put(bounded, 2));
        co_await yield_once();
        EXPECT_TRUE(has(bounded.repr(), "maxsize=1 _putters[1] tasks=1>")) << bounded.repr();
        EXPECT_EQ(bounded.get_nowait(), 1);
        co_await putter;
        EXPECT_EQ(bounded.qsize(), 1u);
    }());
}

TEST_F(AioQueue, EmptyAndFull) {
    run([&]() -> Coroutine<> {
        Queue<int> q;
        EXPECT_TRUE(q.empty());
        co_await q.put(1);
        EXPECT_FALSE(q.empty());
        EXPECT_FALSE(q.full()); // unbounded: never full
        EXPECT_EQ(co_await q.get(), 1);
        EXPECT_TRUE(q.empty());
        Queue<int> one(1);
        co_await one.put(1);
        EXPECT_TRUE(one.full());
    }());
}

TEST_F(AioQueue, Order) {
    run([&]() -> Coroutine<> {
        Queue<int> q;
        LifoQueue<int> lifo;
        PriorityQueue<int> prio;
        PriorityQueue<int, std::greater<>> highest_first;
        for (int i : {1, 3, 2}) {
            co_await q.put(i);
            co_await lifo.put(i);
            co_await prio.put(i);
            co_await highest_first.put(i);
        }
        std::vector<int> fifo_items;
        std::vector<int> lifo_items;
        std::vector<int> prio_items;
        std::vector<int> high_items;
        for (int n = 0; n < 3; ++n) {
            fifo_items.push_back(co_await q.get());
            lifo_items.push_back(co_await lifo.get());
            prio_items.push_back(co_await prio.get());
            high_items.push_back(co_await highest_first.get());
        }
        EXPECT_EQ(fifo_items, (std::vector<int>{1, 3, 2}));
        EXPECT_EQ(lifo_items, (std::vector<int>{2, 3, 1}));
        EXPECT_EQ(prio_items, (std::vector<int>{1, 2, 3}));
        EXPECT_EQ(high_items, (std::vector<int>{3, 2, 1}));
    }());
}

TEST_F(AioQueue, MaxsizeBlocksThePutter) {
    run([&]() -> Coroutine<> {
        Queue<int> q(2);
        EXPECT_EQ(q.maxsize(), 2u);
        std::vector<int> have_been_put;
        auto putter = [&]() -> Coroutine<bool> {
            for (int i = 0; i < 3; ++i) {
                co_await q.put(i);
                have_been_put.push_back(i);
            }
            co_return true;
        };
        auto t = asyncio::create_task(putter());
        co_await yield_once();
        co_await yield_once();
        EXPECT_EQ(have_been_put, (std::vector<int>{0, 1}));
        EXPECT_EQ(co_await q.get(), 0);
        co_await yield_once();
        EXPECT_EQ(have_been_put, (std::vector<int>{0, 1, 2}));
        EXPECT_EQ(co_await q.get(), 1);
        EXPECT_EQ(co_await q.get(), 2);
        EXPECT_TRUE(t.done() && t.result());
    }());
}

TEST_F(AioQueue, NowaitErrors) {
    Queue<int> q(1);
    EXPECT_THROW(q.get_nowait(), QueueEmpty);
    q.put_nowait(1);
    EXPECT_THROW(q.put_nowait(2), QueueFull);
    EXPECT_EQ(q.get_nowait(), 1);
}

TEST_F(AioQueue, FailedPutNowaitKeepsTheItem) {
    Queue<std::unique_ptr<int>> q(1);
    q.put_nowait(std::make_unique<int>(1));
    auto item = std::make_unique<int>(2);
    EXPECT_THROW(q.put_nowait(std::move(item)), QueueFull);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(*item, 2);
}

TEST_F(AioQueue, MoveOnlyItems) {
    run([&]() -> Coroutine<> {
        Queue<std::unique_ptr<int>> q(1);
        co_await q.put(std::make_unique<int>(7));
        auto t = asyncio::create_task(put(q, std::make_unique<int>(8)));
        co_await yield_once();
        auto a = co_await q.get();
        auto b = co_await q.get();
        EXPECT_EQ(*a + *b, 15);
        co_await t;
    }());
}

TEST_F(AioQueue, BlockingGetWaitsForAPut) {
    run([&]() -> Coroutine<> {
        Queue<int> q;
        asyncio::Event started;
        bool finished = false;
        auto queue_get = [&]() -> Coroutine<int> {
            started.set();
            const int res = co_await q.get();
            finished = true;
            co_return res;
        };
        auto t = asyncio::create_task(queue_get());
        co_await started.wait();
        EXPECT_FALSE(finished);
        loop->call_later(0.01s, [&q] { q.put_nowait(1); });
        EXPECT_EQ(co_await t, 1);
        EXPECT_TRUE(finished);
    }());
}

TEST_F(AioQueue, GetWakesAWaitingPutter) {
    run([&]() -> Coroutine<> {
        Queue<int> q(1);
        co_await q.put(1);
        auto putter = asyncio::create_task(put(q, 2));
        co_await yield_once();
        EXPECT_FALSE(putter.done());
        EXPECT_EQ(co_await q.get(), 1);
        co_await putter;
        EXPECT_EQ(q.get_nowait(), 2);
    }());
}

TEST_F(AioQueue, GetWithWaitingPutters) {
    run([&]() -> Coroutine<> {
        Queue<std::string> q(1);
        auto ta = asyncio::create_task(put(q, "a"));
        auto tb = asyncio::create_task(put(q, "b"));
        EXPECT_EQ(co_await q.get(), "a");
        EXPECT_EQ(co_await q.get(), "b");
        co_await asyncio::gather(ta, tb);
    }());
}

TEST_F(AioQueue, ProducerAndConsumerOnABoundedQueue) {
    run([&]() -> Coroutine<> {
        Queue<int> q(1);
        std::vector<int> got;
        auto producer = [&]() -> Coroutine<> {
            for (int i = 0; i < 5; ++i) {
                co_await q.put(i);
            }
        };
        auto consumer = [&]() -> Coroutine<> {
            for (int i = 0; i < 5; ++i) {
                got.push_back(co_await q.get());
            }
        };
        auto p = asyncio::create_task(producer());
        auto c = asyncio::create_task(consumer());
        co_await asyncio::gather(p, c);
        EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
    }());
}

TEST_F(AioQueue, PutWithWaitingGetters) {
    run([&]() -> Coroutine<> {
        Queue<std::string> q;
        auto t = asyncio::create_task(get(q));
        co_await yield_once();
        co_await q.put("a");
        EXPECT_EQ(co_await t, "a");
    }());
}

TEST_F(AioQueue, PuttersAreWokenInOrder) {
    run([&]() -> Coroutine<> {
        Queue<int> q(2);
        auto getter = [&]() -> Coroutine<> {
            co_await yield_once();
            const std::size_t n = q.qsize();
            for (std::size_t i = 0; i < n; ++i) {
                (void)q.get_nowait();
            }
        };
        auto g = asyncio::create_task(getter());
        std::vector<Task<>> putters;
        for (int i = 0; i < 4; ++i) {
            putters.push_back(asyncio::create_task(put(q, i)));
        }
        co_await g;
        co_await asyncio::gather(std::move(putters));
        EXPECT_EQ(q.get_nowait(), 2);
        EXPECT_EQ(q.get_nowait(), 3);
    }());
}

TEST_F(AioQueue, TaskDoneUnderflowIsValueError) {
    Queue<int> q;
    try {
        q.task_done();
        ADD_FAILURE() << "no ValueError";
    } catch (const concur::ValueError& e) {
        EXPECT_STREQ(e.what(), "task_done() called too many times");
    }
}

template <class Q>
Coroutine<> workers_sum(Q& q, int& accumulator) {
    for (int i = 0; i < 100; ++i) {
        q.put_nowait(i);
    }
    bool running = true;
    auto worker = [&]() -> Coroutine<> {
        while (running) {
            accumulator += co_await q.get();
            q.task_done();
        }
    };
    auto w1 = asyncio::create_task(worker());
    auto w2 = asyncio::create_task(worker());
    co_await q.join();
    EXPECT_EQ(accumulator, 4950);
    running = false;
    q.put_nowait(0);
    q.put_nowait(0);
    co_await asyncio::gather(w1, w2);
}

TEST_F(AioQueue, TaskDoneAndJoin) {
    run([&]() -> Coroutine<> {
        Queue<int> q;
        LifoQueue<int> lifo;
        PriorityQueue<int> prio;
        int a = 0;
        int b = 0;
        int c = 0;
        co_await workers_sum(q, a);
        co_await workers_sum(lifo, b);
        co_await workers_sum(prio, c);
    }());
}

TEST_F(AioQueue, JoinEmptyQueueReturnsAtOnce) {
    run([&]() -> Coroutine<> {
        Queue<int> q;
        co_await q.join();
        co_await q.join();
    }());
}

TEST_F(AioQueue, Format) {
    Queue<int> q;
    EXPECT_TRUE(has(q.repr(), " maxsize=0>")) << q.repr();
    q.put_nowait(1);
    q.put_nowait(2);
    EXPECT_TRUE(has(q.repr(), " maxsize=0 tasks=2>")) << q.repr();
}

} // namespace
