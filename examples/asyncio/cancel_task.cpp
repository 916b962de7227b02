// A long task cancelled after 5 seconds: cancel() raises CancelledError inside the task, at
// the sleep it is waiting on, and awaiting the task raises it again.
//
//   from asyncio import CancelledError
//
//   async def main():
//       long_task = asyncio.create_task(delay(10))
//       seconde_elapsed = 0
//       while not long_task.done():
//           print("Task not finished, checking again in a second.")
//           await asyncio.sleep(1)
//           seconde_elapsed += 1
//           if seconde_elapsed == 5:
//               long_task.cancel()
//       try:
//           await long_task
//       except CancelledError:
//           print("Your task is cancelled")
#include <concur/asyncio.hpp>

#include <chrono>
#include <cstdio>

#include "util.hpp" // delay()

using namespace std::chrono_literals;
using concur::CancelledError;

/// delay(), and a word when the cancellation arrives inside it (Python would show it in the
/// traceback).
asyncio::Coroutine<double> long_delay(double seconds) {
    try {
        co_return co_await delay(seconds);
    } catch (const CancelledError&) {
        std::printf("delay(%g) sees CancelledError\n", seconds);
        throw;
    }
}

asyncio::Coroutine<> amain() {
    auto long_task = asyncio::create_task(long_delay(10));
    int seconde_elapsed = 0;
    while (!long_task.done()) {
        std::printf("Task not finished, checking again in a second.\n");
        co_await asyncio::sleep(1s);
        seconde_elapsed += 1;
        if (seconde_elapsed == 5) {
            long_task.cancel();
        }
    }
    try {
        co_await long_task;
    } catch (const CancelledError&) {
        std::printf("Your task is cancelled\n");
    }
    std::printf("long_task.cancelled(): %s\n", long_task.cancelled() ? "True" : "False");
}

int main() {
    asyncio::run(amain());
}
