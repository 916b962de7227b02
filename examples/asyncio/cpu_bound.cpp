// CPU-bound work in a coroutine blocks the event loop: the tasks run one after another and
// nothing else runs meanwhile (debug mode reports the slow steps). Here a heartbeat task shows
// it: it stalls while the work runs on the loop, and keeps ticking once the work is sent to
// threads with run_in_executor / to_thread.
//
//   @async_timed()
//   async def cpu_bound_work():
//       counter = 0
//       for i in range(10000000):
//           counter = counter + 1
//       return counter
//
//   @async_timed()
//   async def main():
//       task1 = asyncio.create_task(cpu_bound_work())
//       task2 = asyncio.create_task(cpu_bound_work())
//       task3 = asyncio.create_task(delay(4))
//       await task1
//       await task2
//       await task3
//
//   current_loop.set_debug(True)
//   current_loop.slow_callback_duration = .250
//
// and the fix, the work in other threads:
//
//   with ThreadPoolExecutor() as pool:
//       result = await loop.run_in_executor(pool, cpu_bound_work)
//   result = await asyncio.to_thread(cpu_bound_work)
#include <concur/asyncio.hpp>
#include <concur/futures.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "util.hpp" // delay(), async_timed()

namespace futures = concur::futures;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

/// Python needs half a second for its ten million additions; C++ does them in milliseconds,
/// so this counts for half a second instead.
long cpu_bound_work() {
    long counter = 0;
    const auto end = Clock::now() + 500ms;
    while (Clock::now() < end) {
        counter = counter + 1;
    }
    return counter;
}

/// Ticks every 0.25 s until cancelled, remembering the longest time between two ticks.
asyncio::Coroutine<> heartbeat(double& longest_gap) {
    auto last = Clock::now();
    for (;;) {
        co_await asyncio::sleep(250ms);
        const Seconds gap = Clock::now() - last;
        last = Clock::now();
        longest_gap = std::max(longest_gap, gap.count());
        std::printf("heartbeat (%.2f s since the last)\n", gap.count());
    }
}

/// Runs `work` beside a heartbeat and reports whether the heartbeat kept up.
asyncio::Coroutine<> with_heartbeat(const char* what, asyncio::Coroutine<> work) {
    double longest_gap = 0;
    auto beat = asyncio::create_task(heartbeat(longest_gap));
    co_await std::move(work);
    beat.cancel();
    std::printf("%s: longest heartbeat gap %.2f s: the loop %s\n", what, longest_gap,
                longest_gap > 0.45 ? "was blocked" : "kept running");
}

// --- the mistake: CPU-bound work on the loop

// @async_timed()
// async def cpu_bound_work():
const auto cpu_bound_coroutine =
    async_timed("cpu_bound_work", []() -> asyncio::Coroutine<long> { co_return cpu_bound_work(); });

// @async_timed()
// async def main():
const auto blocking_main = async_timed("main", []() -> asyncio::Coroutine<> {
    asyncio::get_running_loop().set_slow_callback_duration(250ms);
    auto task1 = asyncio::create_task(cpu_bound_coroutine());
    auto task2 = asyncio::create_task(cpu_bound_coroutine());
    auto task3 = asyncio::create_task(delay(1));
    co_await task1;
    co_await task2;
    co_await task3;
});

// --- the fix: the work in threads, the loop free

const auto in_executor =
    async_timed("cpu_bound_work in executor", []() -> asyncio::Coroutine<long> {
        futures::ThreadPoolExecutor pool({.max_workers = 1}); // with ThreadPoolExecutor() as pool:
        co_return co_await asyncio::run_in_executor(asyncio::get_running_loop(), &pool,
                                                    cpu_bound_work);
    });
const auto in_thread = async_timed("cpu_bound_work in to_thread", []() -> asyncio::Coroutine<long> {
    co_return co_await asyncio::to_thread(cpu_bound_work);
});

const auto threaded_main = async_timed("main", []() -> asyncio::Coroutine<> {
    auto task1 = asyncio::create_task(in_executor());
    auto task2 = asyncio::create_task(in_thread());
    auto task3 = asyncio::create_task(delay(1));
    co_await task1;
    co_await task2;
    co_await task3;
});

int main() {
    std::printf("--- CPU-bound work on the loop (debug mode reports the slow steps)\n");
    asyncio::run(with_heartbeat("on the loop", blocking_main()), {.debug = true});
    std::printf("\n--- CPU-bound work in threads\n");
    asyncio::run(with_heartbeat("in threads", threaded_main()));
}
