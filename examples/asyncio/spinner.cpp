// Fluent Python's spinner: a task animates `|/-\` while the supervisor awaits a slow
// coroutine, then cancels it; the spinner catches CancelledError, stops and erases its line.
// The slow function waits 1 s here instead of 3.
//
//   async def spin(msg):
//       write, flush = sys.stdout.write, sys.stdout.flush
//       for char in itertools.cycle('|/-\\'):
//           status = char + ' ' + msg
//           write(status)
//           flush()
//           write('\x08' * len(status))
//           try:
//               await asyncio.sleep(.1)
//           except asyncio.CancelledError:
//               break
//       write(' ' * len(status) + '\x08' * len(status))
//
//   async def slow_function():
//       # pretend waiting a long time for I/O
//       await asyncio.sleep(3)
//       return 42
//
//   async def supervisor():
//       spinner = asyncio.create_task(spin('thinking!'))
//       print('spinner object:', spinner)
//       result = await slow_function()
//       spinner.cancel()
//       return result
//
//   result = asyncio.run(supervisor())
//   print('Answer:', result)
#include <concur/asyncio.hpp>

#include <chrono>
#include <cstdio>
#include <string>

namespace asyncio = concur::asyncio;
using namespace std::chrono_literals;

asyncio::Coroutine<> spin(std::string msg) {
    std::string status;
    for (std::size_t i = 0;; ++i) { // itertools.cycle('|/-\\')
        status = std::string(1, "|/-\\"[i % 4]) + ' ' + msg;
        std::fputs(status.c_str(), stdout);
        std::fflush(stdout);
        std::fputs(std::string(status.size(), '\b').c_str(), stdout);
        try {
            co_await asyncio::sleep(100ms);
        } catch (const concur::CancelledError&) {
            break;
        }
    }
    std::fputs((std::string(status.size(), ' ') + std::string(status.size(), '\b')).c_str(),
               stdout);
}

asyncio::Coroutine<int> slow_function() {
    // pretend waiting a long time for I/O
    co_await asyncio::sleep(1s);
    co_return 42;
}

asyncio::Coroutine<int> supervisor() {
    auto spinner = asyncio::create_task(spin("thinking!"));
    std::printf("spinner object: %s\n", spinner.repr().c_str());
    int result = co_await slow_function();
    spinner.cancel();
    co_return result;
}

int main() {
    int result = asyncio::run(supervisor());
    std::printf("Answer: %d\n", result);
}
