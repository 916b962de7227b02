// Micro figures (Google Benchmark): the cost of the single operations the workloads are built
// from, uncontended, on one thread.
//
//   build/bench/micro_primitives [--benchmark_filter=Future]
#include <benchmark/benchmark.h>

#include <concur/futures.hpp>
#include <concur/queue.hpp>
#include <concur/threading.hpp>

namespace {

void BM_LockAcquireRelease(benchmark::State& state) {
    concur::threading::Lock lock;
    for (auto _ : state) {
        lock.acquire();
        lock.release();
    }
}
BENCHMARK(BM_LockAcquireRelease);

void BM_RLockAcquireRelease(benchmark::State& state) {
    concur::threading::RLock lock;
    for (auto _ : state) {
        lock.acquire();
        lock.release();
    }
}
BENCHMARK(BM_RLockAcquireRelease);

void BM_EventSetClear(benchmark::State& state) {
    concur::threading::Event event;
    for (auto _ : state) {
        event.set();
        event.clear();
    }
}
BENCHMARK(BM_EventSetClear);

void BM_SemaphoreAcquireRelease(benchmark::State& state) {
    concur::threading::Semaphore sem(1);
    for (auto _ : state) {
        sem.acquire();
        sem.release();
    }
}
BENCHMARK(BM_SemaphoreAcquireRelease);

void BM_QueuePutGet(benchmark::State& state) {
    concur::queue::Queue<long> q;
    long i = 0;
    for (auto _ : state) {
        q.put(i++);
        benchmark::DoNotOptimize(q.get());
    }
}
BENCHMARK(BM_QueuePutGet);

void BM_SimpleQueuePutGet(benchmark::State& state) {
    concur::queue::SimpleQueue<long> q;
    long i = 0;
    for (auto _ : state) {
        q.put(i++);
        benchmark::DoNotOptimize(q.get());
    }
}
BENCHMARK(BM_SimpleQueuePutGet);

void BM_FutureSetResult(benchmark::State& state) {
    for (auto _ : state) {
        concur::futures::Future<long> f;
        f.set_result(42L);
        benchmark::DoNotOptimize(f.result());
    }
}
BENCHMARK(BM_FutureSetResult);

void BM_FutureCallback(benchmark::State& state) {
    long sum = 0;
    for (auto _ : state) {
        concur::futures::Future<long> f;
        f.add_done_callback(
            [&sum](const concur::futures::Future<long>& done) { sum += done.result(); });
        f.set_result(1L);
    }
    benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_FutureCallback);

void BM_SubmitResult(benchmark::State& state) {
    // One submit and its result() at a time: the round trip, a worker waking each time.
    concur::futures::ThreadPoolExecutor ex({.max_workers = 1});
    long i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(ex.submit([](long x) { return x * x; }, i++).result());
    }
}
BENCHMARK(BM_SubmitResult);

} // namespace

BENCHMARK_MAIN();
