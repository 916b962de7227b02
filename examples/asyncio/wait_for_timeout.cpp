// wait_for gives up after its timeout: the task it waited for is cancelled, and TimeoutError
// is raised.
//
//   async def main():
//       task = asyncio.create_task(delay(2))
//       try:
//           result = await asyncio.wait_for(task, timeout=1)
//           print(result)
//       except asyncio.exceptions.TimeoutError:
//           print("Time-out")
//           print(f"Coroutine was cancelled? {task.cancelled()}")
#include <concur/asyncio.hpp>

#include <chrono>
#include <cstdio>

#include "util.hpp" // delay()

using namespace std::chrono_literals;

asyncio::Coroutine<> amain() {
    auto task = asyncio::create_task(delay(2));
    try {
        double result = co_await asyncio::wait_for(task, 1s);
        std::printf("%g\n", result);
    } catch (const concur::TimeoutError&) {
        std::printf("Time-out\n");
        std::printf("Coroutine was cancelled? %s\n", task.cancelled() ? "True" : "False");
    }
}

int main() {
    asyncio::run(amain());
}
