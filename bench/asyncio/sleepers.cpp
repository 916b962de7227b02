// Workload "sleepers" (../shared/peers/README.md): N tasks each sleeping 1.0 s at once. Wall
// time from creating the first task to all of them finished; RSS just before creating them
// (rss_baseline_mb) and the memory cost of one sleeping task (kb_per_task, from the peak).
//
//   sleepers [--n 100000] [--sleep 1.0] [--repeat 3]    (variant concur-1m: N = 1,000,000)
#include <concur/asyncio.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "common.hpp"

namespace asyncio = concur::asyncio;

namespace {

double rss_now_mb() {
    long pages = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        long size = 0;
        if (std::fscanf(f, "%ld %ld", &size, &pages) != 2) {
            pages = 0;
        }
        std::fclose(f);
    }
    return static_cast<double>(pages) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576.0;
}

double peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

asyncio::Coroutine<void> nap(double seconds) {
    co_await asyncio::sleep(seconds);
}

asyncio::Coroutine<double> sleep_all(long n, double seconds, double& baseline) {
    baseline = rss_now_mb();
    const double t0 = bench::now_seconds();
    std::vector<asyncio::Task<void>> tasks;
    tasks.reserve(static_cast<std::size_t>(n));
    for (long i = 0; i < n; ++i) {
        tasks.push_back(asyncio::create_task(nap(seconds)));
    }
    co_await asyncio::gather(std::move(tasks));
    co_return bench::now_seconds() - t0;
}

bench::Run sleepers(long n, const bench::Options& o) {
    const double seconds = std::stod(o.get("sleep", std::string("1.0")));
    double baseline = 0;
    const double wall = asyncio::run(sleep_all(n, seconds, baseline));
    const double peak = peak_rss_mb();
    char extra[160];
    std::snprintf(extra, sizeof extra,
                  "\"delay\":%.3f,\"rss_baseline_mb\":%.1f,\"kb_per_task\":%.3f", seconds, baseline,
                  (peak - baseline) * 1024.0 / static_cast<double>(n));
    // ok: every task slept at least the delay, and the whole took less than twice it.
    return {n, wall, wall >= seconds && wall < 2 * seconds, extra};
}

} // namespace

int main(int argc, char** argv) {
    return bench::main(
        argc, argv, "sleepers",
        {{"concur", [](const bench::Options& o) { return sleepers(o.get("n", 100000L), o); }},
         {"concur-1m",
          [](const bench::Options& o) { return sleepers(o.get("n-large", 1000000L), o); }}});
}
