// Workload "generator" (../shared/peers/README.md): the sum of a generator yielding 0..N-1,
// in items per second.
//   concur             for (long x : gen) sum += x;  (Python: sum(gen(n)))
//   concur-send        an accumulator driven by send(i), Python's "send" variant
//   concur-yield_from  the same items through `yield from` three generators deep, which must
//                      cost no more per item than one level
//
//   generator [--n 10000000] [--repeat 3] [--impl concur]
#include <concur/core.hpp>

#include <optional>

#include "common.hpp"

namespace {

long expected(long n) {
    return n * (n - 1) / 2;
}

concur::Generator<long> gen(long n) {
    for (long i = 0; i < n; ++i) {
        co_yield i;
    }
}

// def accumulator(): total = 0; while True: x = yield total; if x is None: return total; ...
concur::Generator<long, long> accumulator() {
    long total = 0;
    while (true) {
        const std::optional<long> x = co_yield total;
        if (!x) {
            co_return;
        }
        total += *x;
    }
}

concur::Generator<long> delegate(long n, int depth) {
    if (depth == 0) {
        co_yield concur::yield_from(gen(n));
    } else {
        co_yield concur::yield_from(delegate(n, depth - 1));
    }
}

bench::Run iterate(const bench::Options& o) {
    const long n = o.get("n", 10000000L);
    const double t0 = bench::now_seconds();
    long sum = 0;
    for (long x : gen(n)) {
        sum += x;
    }
    const double t1 = bench::now_seconds();
    return {n, t1 - t0, sum == expected(n), {}};
}

bench::Run send(const bench::Options& o) {
    const long n = o.get("n", 10000000L);
    const double t0 = bench::now_seconds();
    auto acc = accumulator();
    acc.next();
    long sum = 0;
    for (long i = 0; i < n; ++i) {
        sum = acc.send(i);
    }
    const double t1 = bench::now_seconds();
    return {n, t1 - t0, sum == expected(n), {}};
}

bench::Run yield_from(const bench::Options& o) {
    const long n = o.get("n", 10000000L);
    const double t0 = bench::now_seconds();
    long sum = 0;
    for (long x : delegate(n, 2)) {
        sum += x;
    }
    const double t1 = bench::now_seconds();
    return {n, t1 - t0, sum == expected(n), "\"depth\":3"};
}

} // namespace

int main(int argc, char** argv) {
    return bench::main(
        argc, argv, "generator",
        {{"concur", iterate}, {"concur-send", send}, {"concur-yield_from", yield_from}});
}
