// Workload "procpool" (../shared/peers/README.md): a pool of 2 processes; map of N squares with
// chunksize 1,000; N_RT submits then their results; N_RT one-at-a-time round trips; and P
// Process start+join per start method. Pool construction and a warm-up that reaches every
// worker are outside the timed part, as in the Python peer.
//
//   procpool [--n 200000] [--n-rt 20000] [--processes 100] [--workers 2] [--repeat 3]
#include <concur/futures/process_pool_executor.hpp>
#include <concur/multiprocessing.hpp>
#include <concur/multiprocessing/detail/forkserver.hpp>

#include <numeric>
#include <vector>

#include "common.hpp"

namespace futures = concur::futures;
namespace mp = concur::multiprocessing;

namespace {

long square(long x) {
    return x * x;
}
void noop() {}

long expected(long n) {
    return (n - 1) * n * (2 * n - 1) / 6;
}

struct Setup {
    long n;
    int workers;
    Setup(const bench::Options& o, const char* key, long fallback)
        : n(o.get(key, fallback)), workers(static_cast<int>(o.get("workers", 2L))) {}
};

void warm_up(futures::ProcessPoolExecutor& ex, int workers) {
    std::vector<long> inputs(static_cast<std::size_t>(workers) * 4);
    std::iota(inputs.begin(), inputs.end(), 0L);
    for (long r : ex.map(square, inputs)) {
        (void)r;
    }
}

std::string extra(int workers, int chunksize) {
    return "\"workers\":" + std::to_string(workers) +
           ",\"chunksize\":" + std::to_string(chunksize) + ",\"start_method\":\"fork\"";
}

bench::Run ppe_map(const bench::Options& o) {
    const Setup s(o, "n", 200000L);
    futures::ProcessPoolExecutor ex({.max_workers = s.workers});
    warm_up(ex, s.workers);
    std::vector<long> inputs(static_cast<std::size_t>(s.n));
    std::iota(inputs.begin(), inputs.end(), 0L);
    const double t0 = bench::now_seconds();
    long sum = 0;
    for (long r : ex.map(square, inputs, {.chunksize = 1000})) {
        sum += r;
    }
    const double t1 = bench::now_seconds();
    return {s.n, t1 - t0, sum == expected(s.n), extra(s.workers, 1000)};
}

bench::Run pool_map(const bench::Options& o) {
    const Setup s(o, "n", 200000L);
    mp::Pool pool({.processes = s.workers});
    (void)pool.map(square, std::vector<long>(static_cast<std::size_t>(s.workers) * 4, 1L), 1);
    std::vector<long> inputs(static_cast<std::size_t>(s.n));
    std::iota(inputs.begin(), inputs.end(), 0L);
    const double t0 = bench::now_seconds();
    const std::vector<long> out = pool.map(square, inputs, 1000);
    const double t1 = bench::now_seconds();
    const long sum = std::accumulate(out.begin(), out.end(), 0L);
    return {s.n, t1 - t0, sum == expected(s.n), extra(s.workers, 1000)};
}

bench::Run ppe_submit(const bench::Options& o) {
    const Setup s(o, "n-rt", 20000L);
    futures::ProcessPoolExecutor ex({.max_workers = s.workers});
    warm_up(ex, s.workers);
    const double t0 = bench::now_seconds();
    std::vector<futures::Future<long>> fs;
    fs.reserve(static_cast<std::size_t>(s.n));
    for (long i = 0; i < s.n; ++i) {
        fs.push_back(ex.submit(square, i));
    }
    long sum = 0;
    for (auto& f : fs) {
        sum += f.result();
    }
    const double t1 = bench::now_seconds();
    return {s.n, t1 - t0, sum == expected(s.n), extra(s.workers, 1)};
}

bench::Run ppe_roundtrip(const bench::Options& o) {
    const Setup s(o, "n-rt", 20000L);
    futures::ProcessPoolExecutor ex({.max_workers = s.workers});
    warm_up(ex, s.workers);
    const double t0 = bench::now_seconds();
    long sum = 0;
    for (long i = 0; i < s.n; ++i) {
        sum += ex.submit(square, i).result();
    }
    const double t1 = bench::now_seconds();
    return {s.n, t1 - t0, sum == expected(s.n), extra(s.workers, 1)};
}

bench::Variant processes(const char* method) {
    return [method](const bench::Options& o) {
        const long p = o.get("processes", 100L);
        bool ok = true;
        const double t0 = bench::now_seconds();
        for (long i = 0; i < p; ++i) {
            mp::Process proc({.start_method = method}, noop);
            proc.start();
            proc.join();
            ok = ok && proc.exitcode() == 0;
        }
        const double t1 = bench::now_seconds();
        mp::detail::stop_forkserver();
        return bench::Run{p, t1 - t0, ok, std::string("\"start_method\":\"") + method + "\""};
    };
}

} // namespace

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    return bench::main(argc, argv, "procpool",
                       {{"concur-ppe-map-chunk1000", ppe_map},
                        {"concur-mp-pool-map-chunk1000", pool_map},
                        {"concur-ppe-submit", ppe_submit},
                        {"concur-ppe-roundtrip-serial", ppe_roundtrip},
                        {"concur-process-fork", processes("fork")},
                        {"concur-process-spawn", processes("spawn")},
                        {"concur-process-forkserver", processes("forkserver")}});
}
