// The course's util package (Python Concurrency with asyncio's util/delay_functions.py and
// util/async_timer.py), shared by the asyncio examples:
//
//   async def delay(delay_seconds):
//       print(f"Sleep for {delay_seconds} s")
//       await asyncio.sleep(delay_seconds)
//       print(f"Woke up after {delay_seconds} s")
//       return delay_seconds
//
//   def async_timed():
//       def wrapper(func: Callable):
//           @functools.wraps(func)
//           async def wrapped(*args, **kwargs):
//               print(f"starting {func} with args {args} {kwargs}'")
//               start = time.time()
//               try:
//                   return await func(*args, **kwargs)
//               finally:
//                   end = time.time()
//                   total = end - start
//                   print(f"finished {func} in {total:.4f} second(s)")
//           return wrapped
//       return wrapper
#pragma once

#include <concur/asyncio.hpp>

#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>
#include <utility>

namespace asyncio = concur::asyncio;

/// Sleeps `delay_seconds`, saying so before and after; returns the delay.
inline asyncio::Coroutine<double> delay(double delay_seconds) {
    std::printf("Sleep for %g s\n", delay_seconds);
    co_await asyncio::sleep(std::chrono::duration<double>(delay_seconds));
    std::printf("Woke up after %g s\n", delay_seconds);
    co_return delay_seconds;
}

namespace detail {
/// The decorated call: a coroutine of its own, holding the function and arguments by value.
template <class F, class... Args>
auto timed_call(std::string name, F func, Args... args) -> decltype(func(args...)) {
    std::ostringstream shown;
    const char* sep = "";
    ((shown << sep << args, sep = ", "), ...);
    (void)sep; // a call without arguments
    std::printf("starting %s with args (%s)\n", name.c_str(), shown.str().c_str());
    // Python's `finally`: a scope object, destroyed however the awaited call ends (a result,
    // an exception, a cancellation).
    struct Finally {
        const std::string& name;
        std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
        ~Finally() {
            const std::chrono::duration<double> total = std::chrono::steady_clock::now() - start;
            std::printf("finished %s in %.4f second(s)\n", name.c_str(), total.count());
        }
    } finally{name};
    co_return co_await func(std::move(args)...);
}
} // namespace detail

/// `@async_timed()`: wraps a coroutine function (`func(args...)` returning a Coroutine) into
/// one that prints when each call starts and finishes and how long it took. C++ cannot name
/// a function by itself, so the decorator is given its name.
template <class F>
auto async_timed(std::string name, F func) {
    return [func_name = std::move(name), func](auto... args) {
        return detail::timed_call(func_name, func, std::move(args)...);
    };
}
