#include <concur/asyncio.hpp>
#include <gtest/gtest.h>
using namespace concur;
using namespace std::chrono_literals;
asyncio::Coroutine<int> add(int a, int b) {
    co_await asyncio::sleep(0s);
    co_return a + b;
}
asyncio::Coroutine<int> main_coro() {
    int x = co_await add(1, 2);
    auto t = asyncio::create_task(add(10, 20));
    co_await asyncio::sleep(10ms);
    int y = co_await t;
    co_return x + y;
}
TEST(AsyncioSmoke, RunAddsUp) {
    EXPECT_EQ(asyncio::run(main_coro()), 33);
}
asyncio::Coroutine<int> slow_value() {
    co_await asyncio::sleep(10s);
    co_return 1;
}
asyncio::Coroutine<int> fast_value() {
    co_await asyncio::sleep(1s);
    co_return 2;
}
asyncio::Coroutine<int> timeouts() {
    int r = co_await asyncio::timeout(5s, fast_value());
    bool timed_out = false;
    try {
        co_await asyncio::timeout(5s, slow_value());
    } catch (const concur::TimeoutError&) {
        timed_out = true;
    }
    int nested =
        co_await asyncio::timeout(100s, [](asyncio::Timeout& cm) -> asyncio::Coroutine<int> {
            cm.reschedule(asyncio::get_running_loop().time() + 50);
            co_return co_await asyncio::timeout(2s, fast_value()) + 10;
        });
    co_return (timed_out ? 100 : 0) + r + nested;
}
TEST(AsyncioSmoke, Timeouts) {
    auto loop = asyncio::testing::manual_loop();
    EXPECT_EQ(asyncio::run_until_complete(*loop, timeouts()), 114);
}
asyncio::Coroutine<int> wait_for_and_shield() {
    int score = 0;
    try {
        co_await asyncio::wait_for(slow_value(), 1s);
    } catch (const concur::TimeoutError&) {
        score += 1;
    }
    auto t = asyncio::create_task(slow_value());
    try {
        co_await asyncio::wait_for(t, 1s);
    } catch (const concur::TimeoutError&) {
        score += 10;
    }
    if (t.cancelled())
        score += 100;
    auto inner = asyncio::create_task(fast_value());
    auto outer = asyncio::create_task([](asyncio::Task<int> in) -> asyncio::Coroutine<int> {
        co_return co_await asyncio::shield(in);
    }(inner));
    co_await asyncio::sleep(0s);
    outer.cancel();
    try {
        co_await outer;
    } catch (const concur::CancelledError&) {
        score += 1000;
    }
    if (co_await inner == 2)
        score += 10000;
    co_return score;
}
TEST(AsyncioSmoke, WaitForAndShield) {
    auto loop = asyncio::testing::manual_loop();
    EXPECT_EQ(asyncio::run_until_complete(*loop, wait_for_and_shield()), 11111);
}
asyncio::Coroutine<int> failing() {
    co_await asyncio::sleep(1s);
    throw std::runtime_error("child failed");
}
asyncio::Coroutine<int> groups() {
    int score = 0;
    int sum = co_await asyncio::task_group([](asyncio::TaskGroup& tg) -> asyncio::Coroutine<int> {
        auto a = tg.create_task(fast_value());
        auto b = tg.create_task(fast_value());
        co_return co_await a + co_await b;
    });
    if (sum == 4)
        score += 1;
    asyncio::Task<int> slow_child;
    try {
        co_await asyncio::task_group([&](asyncio::TaskGroup& tg) -> asyncio::Coroutine<void> {
            slow_child = tg.create_task(slow_value());
            tg.create_task(failing());
            co_await asyncio::sleep(100s);
        });
    } catch (const concur::ExceptionGroup& eg) {
        if (eg.exceptions().size() == 1)
            score += 10;
    }
    if (slow_child.cancelled())
        score += 100;
    co_return score;
}
TEST(AsyncioSmoke, TaskGroup) {
    auto loop = asyncio::testing::manual_loop();
    EXPECT_EQ(asyncio::run_until_complete(*loop, groups()), 111);
}
#include <concur/futures.hpp>
#include <thread>
long blocking_square(long x) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return x * x;
}
asyncio::Coroutine<long> bridges(concur::futures::ThreadPoolExecutor& pool) {
    long a = co_await pool.submit(blocking_square, 3L);        // co_await a concurrent future
    long b = co_await asyncio::to_thread(blocking_square, 4L); // default executor
    long c = co_await asyncio::wrap_future(pool.submit(blocking_square, 5L));
    co_return a + b + c;
}
TEST(AsyncioSmoke, ThreadBridges) {
    concur::futures::ThreadPoolExecutor pool({.max_workers = 2});
    EXPECT_EQ(asyncio::run(bridges(pool)), 9 + 16 + 25);
}
TEST(AsyncioSmoke, RunCoroutineThreadsafe) {
    asyncio::EventLoop loop;
    std::thread runner([&] { loop.run_forever(); });
    auto f = asyncio::run_coroutine_threadsafe(add(1, 2), loop);
    EXPECT_EQ(f.result(10s), 3);
    loop.call_soon_threadsafe([&] { loop.stop(); });
    runner.join();
}
asyncio::Coroutine<int> value_after(double secs, int v) {
    co_await asyncio::sleep(std::chrono::duration<double>(secs));
    co_return v;
}
asyncio::Coroutine<int> waits() {
    int score = 0;
    std::vector<asyncio::Task<int>> ts{asyncio::create_task(value_after(3, 3)),
                                       asyncio::create_task(value_after(1, 1)),
                                       asyncio::create_task(value_after(2, 2))};
    auto [done, pending] = co_await asyncio::wait(ts, std::nullopt, asyncio::FIRST_COMPLETED);
    if (done.size() == 1 && done[0].result() == 1 && pending.size() == 2)
        score += 1;
    auto r2 = co_await asyncio::wait(ts, 0.5s);
    if (r2.done.size() == 1 && r2.pending.size() == 2)
        score += 10;
    int order = 0;
    for (auto next : asyncio::as_completed(ts)) {
        order = order * 10 + co_await next;
    }
    if (order == 123)
        score += 100;
    co_return score;
}
TEST(AsyncioSmoke, WaitAndAsCompleted) {
    auto loop = asyncio::testing::manual_loop();
    EXPECT_EQ(asyncio::run_until_complete(*loop, waits()), 111);
}
asyncio::AsyncGenerator<int> ticker(int n) {
    for (int i = 0; i < n; ++i) {
        co_await asyncio::sleep(1s);
        co_yield i;
    }
}
asyncio::Coroutine<int> consume() {
    int sum = 0;
    auto gen = ticker(4);
    while (auto i = co_await gen.anext()) {
        sum += *i;
    }
    co_return sum;
}
TEST(AsyncioSmoke, AsyncGenerator) {
    auto loop = asyncio::testing::manual_loop();
    EXPECT_EQ(asyncio::run_until_complete(*loop, consume()), 6);
}
