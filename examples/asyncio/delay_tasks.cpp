// Coroutines awaited one after another run one after another (3 + 2 + 1 = 6 s); wrapped in
// tasks, they run concurrently and take as long as the longest (3 s):
//
//   async def main_without_task():
//       sleep_for_three = delay(3)
//       sleep_for_two = delay(2)
//       sleep_for_one = delay(1)
//       await sleep_for_three
//       await sleep_for_two
//       await sleep_for_one
//
//   async def main_with_task():
//       sleep_for_three = asyncio.create_task(delay(3))
//       sleep_for_two = asyncio.create_task(delay(2))
//       sleep_for_one = asyncio.create_task(delay(1))
//       await sleep_for_three
//       await sleep_for_two
//       await sleep_for_one
//
//   print("Without tasks:")
//   await main_without_task()
//   print("With tasks:")
//   await main_with_task()
#include <chrono>
#include <cstdio>

#include "util.hpp" // delay()

using Seconds = std::chrono::duration<double>;

asyncio::Coroutine<> main_without_task() {
    // Coroutine objects: nothing runs until each is awaited.
    auto sleep_for_three = delay(3);
    auto sleep_for_two = delay(2);
    auto sleep_for_one = delay(1);
    co_await std::move(sleep_for_three);
    co_await std::move(sleep_for_two);
    co_await std::move(sleep_for_one);
}

asyncio::Coroutine<> main_with_task() {
    // Tasks: all three are scheduled at once.
    auto sleep_for_three = asyncio::create_task(delay(3));
    auto sleep_for_two = asyncio::create_task(delay(2));
    auto sleep_for_one = asyncio::create_task(delay(1));
    co_await sleep_for_three;
    co_await sleep_for_two;
    co_await sleep_for_one;
}

/// Runs `main_coro` in a new loop and returns how long it took.
double timed_run(asyncio::Coroutine<> main_coro) {
    const auto start = std::chrono::steady_clock::now();
    asyncio::run(std::move(main_coro));
    return Seconds(std::chrono::steady_clock::now() - start).count();
}

int main() {
    std::printf("Without tasks:\n");
    const double sequential = timed_run(main_without_task());
    std::printf("Without tasks took %.2f s\n\n", sequential);

    std::printf("With tasks:\n");
    const double concurrent = timed_run(main_with_task());
    std::printf("With tasks took %.2f s\n", concurrent);

    const bool faster = concurrent < 4.5 && concurrent < sequential - 1.5;
    std::printf("Tasks ran concurrently: %s\n", faster ? "yes" : "no");
    return faster ? 0 : 1;
}
