// Workload "spawn" (../shared/peers/README.md): N tasks that each `co_await sleep(0)` once and
// return their index, gathered; the sum is checked. Timed: from creating the first task to
// every result in a vector, as the Python peer (`await gather(*[work(i) ...])`).
//
//   spawn [--n 200000] [--repeat 3]
#include <concur/asyncio.hpp>

#include <chrono>
#include <vector>

#include "common.hpp"

namespace asyncio = concur::asyncio;

namespace {

asyncio::Coroutine<long> work(long i) {
    co_await asyncio::sleep(0); // as the peers' `await asyncio.sleep(0)`
    co_return i;
}

asyncio::Coroutine<double> spawn_all(long n, long& sum) {
    const double t0 = bench::now_seconds();
    std::vector<asyncio::Task<long>> tasks;
    tasks.reserve(static_cast<std::size_t>(n));
    for (long i = 0; i < n; ++i) {
        tasks.push_back(asyncio::create_task(work(i)));
    }
    std::vector<long> results = co_await asyncio::gather(std::move(tasks));
    const double t1 = bench::now_seconds();
    sum = 0;
    for (long r : results) {
        sum += r;
    }
    co_return t1 - t0;
}

asyncio::Coroutine<double> spawn_each(long n, long& sum) {
    const double t0 = bench::now_seconds();
    std::vector<asyncio::Task<long>> tasks;
    tasks.reserve(static_cast<std::size_t>(n));
    for (long i = 0; i < n; ++i) {
        tasks.push_back(asyncio::create_task(work(i)));
    }
    sum = 0;
    for (auto& t : tasks) {
        sum += co_await t;
    }
    const double t1 = bench::now_seconds();
    co_return t1 - t0;
}

bench::Run spawn_await_each(const bench::Options& o) {
    const long n = o.get("n", 200000L);
    long sum = 0;
    const double seconds = asyncio::run(spawn_each(n, sum));
    return {n, seconds, sum == n * (n - 1) / 2, ""};
}

bench::Run spawn_warm(const bench::Options& o) {
    const long n = o.get("n", 200000L);
    long sum = 0;
    asyncio::run(spawn_all(n, sum));
    const double seconds = asyncio::run(spawn_all(n, sum));
    return {n, seconds, sum == n * (n - 1) / 2, ""};
}

bench::Run spawn(const bench::Options& o) {
    const long n = o.get("n", 200000L);
    long sum = 0;
    const double seconds = asyncio::run(spawn_all(n, sum));
    return {n, seconds, sum == n * (n - 1) / 2, ""};
}

} // namespace

int main(int argc, char** argv) {
    return bench::main(
        argc, argv, "spawn",
        {{"concur", spawn}, {"concur-await-each", spawn_await_each}, {"concur-warm", spawn_warm}});
}
