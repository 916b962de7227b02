// shield protects a task from the cancellation of whoever awaits it: wait_for times out and
// cancels what it waits for (the shield), but the task inside runs on and can be awaited
// later. The course's 10 s task and 5 s timeout are 3 s and 1 s here.
//
//   async def main():
//       task = asyncio.create_task(delay(10))
//       try:
//           res = await asyncio.wait_for(asyncio.shield(task), 5)
//           print(res)
//       except TimeoutError:
//           print("Task took longer than five seconds, it will finish soon!")
//           res = await task
//           print(res)
#include <concur/asyncio.hpp>

#include <chrono>
#include <cstdio>

#include "util.hpp" // delay()

using namespace std::chrono_literals;

asyncio::Coroutine<> amain() {
    auto task = asyncio::create_task(delay(3));
    bool timed_out = false;
    try {
        double res = co_await asyncio::wait_for(asyncio::shield(task), 1s);
        std::printf("%g\n", res);
    } catch (const concur::TimeoutError&) {
        std::printf("Task took longer than one second, it will finish soon!\n");
        std::printf("task.cancelled(): %s\n", task.cancelled() ? "True" : "False");
        timed_out = true;
    }
    if (timed_out) { // C++ cannot co_await inside a handler: the rest of `except` is here
        double res = co_await task;
        std::printf("%g\n", res);
    }
}

int main() {
    asyncio::run(amain());
}
