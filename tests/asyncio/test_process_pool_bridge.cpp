// Coroutines and a process pool: co_await a ProcessPoolExecutor's future, and
// run_in_executor with a process pool (the Thumbnail Maker's resize step).
#include <gtest/gtest.h>

#include <unistd.h>

#include <concur/asyncio.hpp>
#include <concur/futures/process_pool_executor.hpp>

namespace asyncio = concur::asyncio;
namespace futures = concur::futures;

namespace {

int square(int x) {
    return x * x;
}
int pid_of(int) {
    return static_cast<int>(::getpid());
}
int fail(int) {
    throw concur::ValueError("in the worker");
}

asyncio::Coroutine<int> use_pool(futures::ProcessPoolExecutor& pool) {
    auto& loop = asyncio::get_running_loop();
    const int a = co_await pool.submit(square, 3);
    const int b = co_await asyncio::run_in_executor(loop, &pool, square, 4);
    const int pid = co_await asyncio::run_in_executor(loop, &pool, pid_of, 0);
    int caught = 0;
    try {
        co_await asyncio::run_in_executor(loop, &pool, fail, 0);
    } catch (const concur::ValueError&) {
        caught = 1;
    }
    co_return a + b + (pid != ::getpid() ? 100 : 0) + caught * 1000;
}

TEST(ProcessPoolBridge, CoroutinesAwaitProcessPoolCalls) {
    futures::ProcessPoolExecutor pool({.max_workers = 2});
    EXPECT_EQ(asyncio::run(use_pool(pool)), 9 + 16 + 100 + 1000);
}

} // namespace
