// Python 3.13's Queue.shutdown() for the three asyncio queues, after CPython's test_queues.py
// (_QueueShutdownTestMixin); and a queue's loop binding and lifetime.
#include <memory>
#include <string>

#include "helpers.hpp"

namespace {

using namespace alocks_test;
using asyncio::LifoQueue;
using asyncio::PriorityQueue;
using asyncio::Queue;
using asyncio::QueueShutDown;
using concur::CancelledError;

template <class Q>
class AioQueueShutdown : public LoopTest {};

using QueueTypes =
    ::testing::Types<Queue<std::string>, LifoQueue<std::string>, PriorityQueue<std::string>>;
TYPED_TEST_SUITE(AioQueueShutdown, QueueTypes);

bool has(const std::string& repr, const std::string& text) {
    return repr.find(text) != std::string::npos;
}

// put(), put_nowait(), get() and get_nowait() all raise QueueShutDown.
template <class Q>
Coroutine<> expect_all_shut(Q& q) {
    EXPECT_THROW(co_await q.put("data"), QueueShutDown);
    EXPECT_THROW(q.put_nowait("data"), QueueShutDown);
    EXPECT_THROW(co_await q.get(), QueueShutDown);
    EXPECT_THROW((void)q.get_nowait(), QueueShutDown);
}

TYPED_TEST(AioQueueShutdown, Format) {
    TypeParam q;
    q.shutdown();
    EXPECT_TRUE(has(q.repr(), " maxsize=0 shutdown>")) << q.repr();
}

TYPED_TEST(AioQueueShutdown, ShutdownEmpty) {
    this->run([&]() -> Coroutine<> {
        TypeParam q;
        auto get_task = asyncio::create_task(get(q));
        co_await yield_once(); // the get is waiting
        q.shutdown(false);
        EXPECT_EQ(q.qsize(), 0u);
        co_await q.join();
        co_await yield_once();
        EXPECT_TRUE(get_task.done());
        EXPECT_THROW(co_await get_task, QueueShutDown);
        co_await expect_all_shut(q);
    }());
}

TYPED_TEST(AioQueueShutdown, ShutdownNonempty) {
    this->run([&]() -> Coroutine<> {
        TypeParam q(1);
        q.put_nowait("data");
        auto join_task = asyncio::create_task(join(q));
        auto put_task = asyncio::create_task(put(q, "data2"));
        co_await yield_once();
        EXPECT_FALSE(put_task.done());

        q.shutdown(false); // unfinished tasks: 1 -> 1
        EXPECT_EQ(q.qsize(), 1u);
        co_await yield_once();
        EXPECT_TRUE(put_task.done());
        EXPECT_THROW(co_await put_task, QueueShutDown);

        EXPECT_EQ(co_await q.get(), "data"); // what is left can still be taken
        co_await yield_once();
        EXPECT_FALSE(join_task.done());
        co_await expect_all_shut(q);

        q.task_done();
        co_await yield_once();
        EXPECT_TRUE(join_task.done());
        co_await join_task;
        EXPECT_THROW(q.task_done(), concur::ValueError);
    }());
}

TYPED_TEST(AioQueueShutdown, ShutdownImmediate) {
    this->run([&]() -> Coroutine<> {
        TypeParam q;
        q.put_nowait("data");
        auto join_task = asyncio::create_task(join(q));
        q.shutdown(true); // unfinished tasks: 1 -> 0
        EXPECT_EQ(q.qsize(), 0u);
        co_await yield_once();
        EXPECT_TRUE(join_task.done());
        co_await join_task;
        co_await expect_all_shut(q);
        EXPECT_THROW(q.task_done(), concur::ValueError);
    }());
}

TYPED_TEST(AioQueueShutdown, ShutdownImmediateWithUnfinished) {
    this->run([&]() -> Coroutine<> {
        TypeParam q;
        q.put_nowait("data");
        q.put_nowait("data");
        auto join_task = asyncio::create_task(join(q));
        EXPECT_EQ(co_await q.get(), "data");
        q.shutdown(true); // unfinished tasks: 2 -> 1
        EXPECT_EQ(q.qsize(), 0u);
        co_await yield_once();
        EXPECT_FALSE(join_task.done());
        co_await expect_all_shut(q);
        q.task_done();
        EXPECT_THROW(q.task_done(), concur::ValueError);
        co_await yield_once();
        EXPECT_TRUE(join_task.done());
        co_await join_task;
    }());
}

// Every waiting getter and putter wakes and raises.
TYPED_TEST(AioQueueShutdown, WakesEveryWaiter) {
    this->run([&]() -> Coroutine<> {
        TypeParam empty;
        TypeParam full(1);
        full.put_nowait("x");
        auto g1 = asyncio::create_task(get(empty));
        auto g2 = asyncio::create_task(get(empty));
        auto p1 = asyncio::create_task(put(full, "y"));
        auto p2 = asyncio::create_task(put(full, "z"));
        co_await yield_once();
        empty.shutdown();
        full.shutdown(true);
        EXPECT_THROW(co_await g1, QueueShutDown);
        EXPECT_THROW(co_await g2, QueueShutDown);
        EXPECT_THROW(co_await p1, QueueShutDown);
        EXPECT_THROW(co_await p2, QueueShutDown);
        EXPECT_FALSE(has(empty.repr(), "_getters")) << empty.repr();
        EXPECT_FALSE(has(full.repr(), "_putters")) << full.repr();
    }());
}

class AioQueueLifetime : public LoopTest {};

// The queue goes (its frame ends) while a task waits on it: cancelling the task later, as
// asyncio.run's teardown does, touches nothing of it.
TEST_F(AioQueueLifetime, DestroyedWhileATaskWaits) {
    run([&]() -> Coroutine<> {
        auto q = std::make_unique<Queue<int>>();
        auto getter = asyncio::create_task(get(*q));
        co_await yield_once();
        q.reset();
        getter.cancel();
        EXPECT_THROW(co_await getter, CancelledError);
    }());
}

TEST(AioQueueLoops, BoundToTheLoopOfItsFirstWait) {
    Queue<int> q;
    auto loop1 = asyncio::testing::manual_loop();
    auto loop2 = asyncio::testing::manual_loop();
    asyncio::run_until_complete(*loop1, [&]() -> Coroutine<> {
        auto t = asyncio::create_task(get(q)); // waits: binds the queue to loop1
        co_await yield_once();
        q.put_nowait(1);
        co_await t;
    }());
    asyncio::run_until_complete(*loop2, [&]() -> Coroutine<> {
        q.put_nowait(2); // no waiting: no loop involved
        EXPECT_EQ(co_await q.get(), 2);
        try {
            co_await q.get();
            ADD_FAILURE() << "no RuntimeError";
        } catch (const concur::RuntimeError& e) {
            EXPECT_TRUE(has(e.what(), "is bound to a different event loop")) << e.what();
        }
    }());
    asyncio::detail::finish_run(*loop1);
    asyncio::detail::finish_run(*loop2);
}

} // namespace
