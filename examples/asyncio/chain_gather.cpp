// Chained coroutines run concurrently by gather: each chain awaits two steps in turn, the
// chains overlap. Random delays as in the course, from a seeded generator so that the output is
// always the same; tenths of a second instead of seconds, to run in 1.5 s instead of 13.
//
//   async def concurent_task_1(n: int) -> str:
//       i = random.randint(0, 10)
//       print(f"concurent_task_1({n}) sleeping for {i} seconds.")
//       await asyncio.sleep(i)
//       result = f"result{n}-1"
//       print(f"Returning concurent_task_1({n}) == {result}.")
//       return result
//
//   async def concurent_task_2(n: int, arg: str) -> str:
//       i = random.randint(0, 10)
//       print(f"concurent_task_2{n, arg} sleeping for {i} seconds.")
//       await asyncio.sleep(i)
//       result = f"result{n}-2 derived from {arg}"
//       print(f"Returning concurent_task_2{n, arg} == {result}.")
//       return result
//
//   async def chain(n: int) -> None:
//       start = time.perf_counter()
//       p1 = await concurent_task_1(n)
//       p2 = await concurent_task_2(n, p1)
//       end = time.perf_counter() - start
//       print(f"-->Chained result{n} => {p2} (took {end:0.2f} seconds).")
//
//   async def main(*args):
//       await asyncio.gather(*(chain(n) for n in args))
//
//   random.seed(111)
//   args = [1, 2, 3]
//   start = time.perf_counter()
//   asyncio.run(main(*args))
//   end = time.perf_counter() - start
//   print(f"Program finished in {end:0.2f} seconds.")
#include <concur/asyncio.hpp>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace asyncio = concur::asyncio;
using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

std::mt19937 random_generator; // seeded in main(), as random.seed(111)

/// random.randint(a, b). mt19937's sequence is fixed by the standard (its distributions are
/// not), so the modulo keeps the numbers the same on every platform.
int randint(int a, int b) {
    return a + static_cast<int>(random_generator() % static_cast<unsigned>(b - a + 1));
}

asyncio::Coroutine<std::string> concurent_task_1(int n) {
    const double i = randint(0, 10) / 10.0;
    std::printf("concurent_task_1(%d) sleeping for %.1f seconds.\n", n, i);
    co_await asyncio::sleep(Seconds(i));
    std::string result = "result" + std::to_string(n) + "-1";
    std::printf("Returning concurent_task_1(%d) == %s.\n", n, result.c_str());
    co_return result;
}

asyncio::Coroutine<std::string> concurent_task_2(int n, std::string arg) {
    const double i = randint(0, 10) / 10.0;
    std::printf("concurent_task_2(%d, '%s') sleeping for %.1f seconds.\n", n, arg.c_str(), i);
    co_await asyncio::sleep(Seconds(i));
    std::string result = "result" + std::to_string(n) + "-2 derived from " + arg;
    std::printf("Returning concurent_task_2(%d, '%s') == %s.\n", n, arg.c_str(), result.c_str());
    co_return result;
}

asyncio::Coroutine<> chain(int n) {
    const auto start = Clock::now();
    std::string p1 = co_await concurent_task_1(n);
    std::string p2 = co_await concurent_task_2(n, p1);
    const Seconds end = Clock::now() - start;
    std::printf("-->Chained result%d => %s (took %0.2f seconds).\n", n, p2.c_str(), end.count());
}

asyncio::Coroutine<> amain(std::vector<int> args) {
    std::vector<asyncio::Coroutine<>> chains;
    for (int n : args) {
        chains.push_back(chain(n));
    }
    co_await asyncio::gather(std::move(chains));
}

int main() {
    random_generator.seed(111);
    const auto start = Clock::now();
    asyncio::run(amain({1, 2, 3}));
    const Seconds end = Clock::now() - start;
    std::printf("Program finished in %0.2f seconds.\n", end.count());
}
