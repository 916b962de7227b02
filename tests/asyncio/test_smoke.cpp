#include <concur/asyncio.hpp>
#include <gtest/gtest.h>
using namespace concur;
using namespace std::chrono_literals;
asyncio::Coroutine<int> add(int a, int b) { co_await asyncio::sleep(0s); co_return a + b; }
asyncio::Coroutine<int> main_coro() {
    int x = co_await add(1, 2);
    auto t = asyncio::create_task(add(10, 20));
    co_await asyncio::sleep(10ms);
    int y = co_await t;
    co_return x + y;
}
TEST(AsyncioSmoke, RunAddsUp) { EXPECT_EQ(asyncio::run(main_coro()), 33); }
