// Workload "threadpool" (../shared/peers/README.md): a 4-worker ThreadPoolExecutor;
// (a) submit N tiny tasks (x*x), then collect every result through its future;
// (b) map over the same inputs; (c) submit all, then drain them with as_completed.
// Pool construction and a warm-up that starts every worker are outside the timed part, as in
// the Python peer.
//
//   threadpool [--n 200000] [--workers 4] [--repeat 3] [--impl concur-submit]
#include <concur/futures.hpp>

#include <numeric>
#include <vector>

#include "common.hpp"

namespace futures = concur::futures;

namespace {

long square(long x) {
    return x * x;
}

long expected(long n) {
    return (n - 1) * n * (2 * n - 1) / 6;
}

struct Setup {
    long n;
    int workers;
    explicit Setup(const bench::Options& o)
        : n(o.get("n", 200000L)), workers(static_cast<int>(o.get("workers", 4L))) {}
    [[nodiscard]] std::string extra() const { return "\"workers\":" + std::to_string(workers); }
};

void warm_up(futures::ThreadPoolExecutor& ex, int workers) {
    std::vector<long> inputs(static_cast<std::size_t>(workers) * 4);
    std::iota(inputs.begin(), inputs.end(), 0L);
    for (long r : ex.map(square, inputs)) {
        (void)r;
    }
}

bench::Run submit(const bench::Options& o) {
    const Setup s(o);
    futures::ThreadPoolExecutor ex({.max_workers = s.workers});
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
    return {s.n, t1 - t0, sum == expected(s.n), s.extra()};
}

bench::Run map(const bench::Options& o) {
    const Setup s(o);
    futures::ThreadPoolExecutor ex({.max_workers = s.workers});
    warm_up(ex, s.workers);
    std::vector<long> inputs(static_cast<std::size_t>(s.n));
    std::iota(inputs.begin(), inputs.end(), 0L);
    const double t0 = bench::now_seconds();
    long sum = 0;
    for (long r : ex.map(square, inputs)) {
        sum += r;
    }
    const double t1 = bench::now_seconds();
    return {s.n, t1 - t0, sum == expected(s.n), s.extra()};
}

bench::Run submit_as_completed(const bench::Options& o) {
    const Setup s(o);
    futures::ThreadPoolExecutor ex({.max_workers = s.workers});
    warm_up(ex, s.workers);
    const double t0 = bench::now_seconds();
    std::vector<futures::Future<long>> fs;
    fs.reserve(static_cast<std::size_t>(s.n));
    for (long i = 0; i < s.n; ++i) {
        fs.push_back(ex.submit(square, i));
    }
    long sum = 0;
    for (const auto& f : futures::as_completed(fs)) {
        sum += f.result();
    }
    const double t1 = bench::now_seconds();
    return {s.n, t1 - t0, sum == expected(s.n), s.extra()};
}

} // namespace

int main(int argc, char** argv) {
    return bench::main(argc, argv, "threadpool",
                       {{"concur-submit", submit},
                        {"concur-map", map},
                        {"concur-submit-as_completed", submit_as_completed}});
}
