// The course's async_timed decorator (util.hpp) timing coroutines: main() takes as long as its
// longest task, 3 s. Then the loop managed by hand: a new loop runs main until complete and is
// closed, and a callback scheduled with call_soon runs at the loop's next turn.
//
//   @async_timed()
//   async def main():
//       task1 = asyncio.create_task(delay(3))
//       task2 = asyncio.create_task(delay(2))
//       await task1
//       await task2
//
//   asyncio.run(main())
//
//   def call_later():
//       print("I'm being called in the future!")
//
//   @async_timed()
//   async def main():
//       loop = asyncio.get_running_loop()
//       loop.call_soon(call_later)
//       await delay(1)
//
//   loop = asyncio.new_event_loop()
//   try:
//       loop.run_until_complete(main())
//   finally:
//       loop.close()
#include <concur/asyncio.hpp>

#include <cstdio>

#include "util.hpp" // delay(), async_timed()

// @async_timed()
// async def main():
const auto timed_main = async_timed("main", []() -> asyncio::Coroutine<> {
    auto task1 = asyncio::create_task(delay(3));
    auto task2 = asyncio::create_task(delay(2));
    co_await task1;
    co_await task2;
});

void call_later() {
    std::printf("I'm being called in the future!\n");
}

// @async_timed()
// async def main():
const auto timed_main_call_soon = async_timed("main", []() -> asyncio::Coroutine<> {
    asyncio::EventLoop& loop = asyncio::get_running_loop();
    loop.call_soon(call_later);
    co_await delay(1);
});

// The decorator passes arguments through, and prints them.
const auto timed_delay = async_timed("delay", delay);

int main() {
    asyncio::run(timed_main());

    auto loop = asyncio::new_event_loop();
    try {
        asyncio::run_until_complete(*loop, timed_main_call_soon());
        asyncio::run_until_complete(*loop, timed_delay(0.5));
    } catch (...) {
        loop->close();
        throw;
    }
    loop->close();
}
