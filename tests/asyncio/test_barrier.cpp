// asyncio.Barrier, after CPython's test_locks.py (BarrierTests): filling, draining, reset,
// abort, cancellation.
#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "helpers.hpp"

namespace {

using namespace alocks_test;
using asyncio::Barrier;
using asyncio::BrokenBarrierError;
using concur::CancelledError;

class AioBarrier : public LoopTest {
protected:
    static constexpr int N = 5;
};

bool has(const Barrier& b, const std::string& text) {
    return b.repr().find(text) != std::string::npos;
}

std::vector<int> iota(int n) {
    std::vector<int> v(static_cast<std::size_t>(n));
    std::iota(v.begin(), v.end(), 0);
    return v;
}

TEST_F(AioBarrier, PartiesBelowOneIsValueError) {
    EXPECT_THROW(Barrier(0), concur::ValueError);
    EXPECT_THROW(Barrier(-4), concur::ValueError);
    Barrier b(N);
    EXPECT_EQ(b.parties(), N);
}

TEST_F(AioBarrier, Repr) {
    run([&]() -> Coroutine<> {
        Barrier barrier(N);
        EXPECT_TRUE(has(barrier, "[filling, waiters:0/5]>")) << barrier.repr();
        auto wait = [&]() -> Coroutine<> { co_await barrier.wait(); };
        std::vector<Task<>> waiters = make_tasks(2, wait);
        co_await yield_once();
        EXPECT_TRUE(has(barrier, "[filling, waiters:2/5]>")) << barrier.repr();

        for (auto& t : make_tasks(barrier.parties() - barrier.n_waiting(), wait)) {
            waiters.push_back(t);
        }
        co_await yield_once();
        EXPECT_TRUE(has(barrier, "[draining, waiters:0/5]>")) << barrier.repr();

        for (auto& t : make_tasks(2, wait)) {
            waiters.push_back(t);
        }
        co_await yield_once();
        co_await barrier.reset();
        EXPECT_TRUE(has(barrier, "[resetting, waiters:0/5]>")) << barrier.repr();

        for (auto& t : make_tasks(2, wait)) {
            waiters.push_back(t);
        }
        co_await yield_once();
        co_await barrier.abort();
        EXPECT_TRUE(has(barrier, "[broken]>")) << barrier.repr();
        EXPECT_TRUE(barrier.broken());
        co_await asyncio::gather({.return_exceptions = true}, std::move(waiters));
    }());
}

TEST_F(AioBarrier, EachWaiterGetsItsIndex) {
    run([&]() -> Coroutine<> {
        Barrier barrier(3);
        auto coro = [&]() -> Coroutine<int> { co_return co_await barrier.wait(); };
        std::vector<int> results = co_await asyncio::gather(make_tasks(3, coro));
        std::sort(results.begin(), results.end());
        EXPECT_EQ(results, iota(3));
        EXPECT_EQ(barrier.n_waiting(), 0);
        EXPECT_FALSE(barrier.broken());
    }());
}

TEST_F(AioBarrier, FillingOneTask) {
    run([&]() -> Coroutine<> {
        Barrier barrier(1);
        EXPECT_EQ(co_await barrier.wait(), 0);
        EXPECT_EQ(barrier.n_waiting(), 0);
        EXPECT_FALSE(barrier.broken());
    }());
}

TEST_F(AioBarrier, FillingOneTaskTwice) {
    run([&]() -> Coroutine<> {
        Barrier barrier(1);
        auto t1 = asyncio::create_task(barrier.wait());
        co_await yield_once();
        EXPECT_EQ(barrier.n_waiting(), 0);
        auto t2 = asyncio::create_task(barrier.wait());
        co_await yield_once();
        EXPECT_TRUE(t1.done() && t2.done());
        EXPECT_EQ(t1.result(), t2.result());
        EXPECT_FALSE(barrier.broken());
    }());
}

TEST_F(AioBarrier, FillingTaskByTask) {
    run([&]() -> Coroutine<> {
        Barrier barrier(3);
        auto t1 = asyncio::create_task(barrier.wait());
        co_await yield_once();
        EXPECT_EQ(barrier.n_waiting(), 1);
        EXPECT_TRUE(has(barrier, "filling"));
        auto t2 = asyncio::create_task(barrier.wait());
        co_await yield_once();
        EXPECT_EQ(barrier.n_waiting(), 2);
        auto t3 = asyncio::create_task(barrier.wait());
        co_await asyncio::gather(t1, t2, t3);
        EXPECT_EQ(barrier.n_waiting(), 0);
        EXPECT_FALSE(barrier.broken());
    }());
}

TEST_F(AioBarrier, FillingTasksWaitTwice) {
    run([&]() -> Coroutine<> {
        Barrier barrier(N);
        std::vector<int> first;
        std::vector<int> second;
        auto coro = [&]() -> Coroutine<int> {
            first.push_back(co_await barrier.wait());
            const int i = co_await barrier.wait();
            second.push_back(i);
            co_return i;
        };
        std::vector<int> res = co_await asyncio::gather(make_tasks(N, coro));
        std::sort(res.begin(), res.end());
        EXPECT_EQ(res, iota(N));
        EXPECT_EQ(first.size(), static_cast<std::size_t>(N));
        EXPECT_EQ(second.size(), static_cast<std::size_t>(N));
        EXPECT_EQ(barrier.n_waiting(), 0);
        EXPECT_FALSE(barrier.broken());
    }());
}

// While the released tasks drain out, the barrier says so; the last one out refills it.
TEST_F(AioBarrier, DrainingState) {
    run([&]() -> Coroutine<> {
        Barrier barrier(N);
        std::vector<bool> draining;
        auto coro = [&]() -> Coroutine<> {
            co_await barrier.wait();
            draining.push_back(has(barrier, "draining"));
        };
        co_await asyncio::gather(make_tasks(N, coro));
        EXPECT_EQ(draining, (std::vector<bool>{true, true, true, true, false}));
        EXPECT_EQ(barrier.n_waiting(), 0);
    }());
}

// Tasks arriving for the next round while the last one drains wait for it to finish.
TEST_F(AioBarrier, BlockingTasksWhileDraining) {
    run([&]() -> Coroutine<> {
        constexpr int rewait = 2;
        Barrier barrier(N);
        Barrier barrier_nowaiting(N - rewait);
        int rewait_n = rewait;
        auto coro = [&]() -> Coroutine<> {
            co_await barrier.wait();
            if (rewait_n > 0) {
                --rewait_n;
                co_await barrier.wait(); // the next round, with the others later
            } else {
                co_await barrier_nowaiting.wait(); // the N - rewait others, among themselves
                co_await barrier.wait();
            }
        };
        co_await asyncio::gather(make_tasks(N, coro));
        EXPECT_EQ(barrier.n_waiting(), 0);
        EXPECT_FALSE(barrier.broken());
    }());
}

TEST_F(AioBarrier, CancellingAWaiterLeavesTheBarrier) {
    run([&]() -> Coroutine<> {
        Barrier barrier(3);
        int passed = 0;
        auto coro = [&]() -> Coroutine<> {
            co_await barrier.wait();
            ++passed;
        };
        auto t1 = asyncio::create_task(coro());
        co_await yield_once();
        EXPECT_EQ(barrier.n_waiting(), 1);
        auto t2 = asyncio::create_task(coro());
        co_await yield_once();
        EXPECT_EQ(barrier.n_waiting(), 2);
        t1.cancel();
        co_await yield_once();
        EXPECT_EQ(barrier.n_waiting(), 1);
        EXPECT_THROW(co_await t1, CancelledError);
        auto t3 = asyncio::create_task(coro());
        co_await yield_once();
        EXPECT_EQ(barrier.n_waiting(), 2);
        auto t4 = asyncio::create_task(coro());
        co_await asyncio::gather(t2, t3, t4);
        EXPECT_EQ(passed, 3);
        EXPECT_EQ(barrier.n_waiting(), 0);
        EXPECT_FALSE(barrier.broken());
    }());
}

} // namespace
