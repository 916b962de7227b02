// futures::ThreadPoolExecutor, after CPython's Lib/test/test_concurrent_futures/
// (test_thread_pool.py, test_shutdown.py, executor.py): submit, workers and their names,
// initializers, a broken pool, shutdown in all its forms.
#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <concur/futures.hpp>
#include <concur/threading/event.hpp>
#include <concur/threading/thread.hpp>
#include <gtest/gtest.h>

#include "futures/helpers.hpp"

namespace {

using namespace futures_test;
namespace cf = concur::futures;
namespace th = concur::threading;

/// The names of the threads that ran some tasks.
class ThreadNames {
public:
    void record() {
        std::lock_guard lock(mutex_);
        names_.insert(th::current_thread().name());
    }
    std::set<std::string> get() {
        std::lock_guard lock(mutex_);
        return names_;
    }

private:
    std::mutex mutex_;
    std::set<std::string> names_;
};

/// `n` tasks that each wait here until all `n` have arrived: they can only all pass if they
/// run at the same time, on `n` different threads.
class Rendezvous {
public:
    explicit Rendezvous(int n) : n_(n) {}
    bool arrive_and_wait() {
        if (arrived_.fetch_add(1) + 1 == n_) {
            all_.set();
        }
        return all_.wait(kLong);
    }

private:
    const int n_;
    std::atomic<int> arrived_{0};
    th::Event all_;
};

int mul(int a, int b) {
    return a * b;
}

struct Accumulator {
    int total = 0;
    int add(int x) { return total += x; }
};

/// Submits `n` calls that each sleep for `nap`, then count themselves in `ran`: work still
/// queued or running when the pool shuts down.
std::vector<cf::Future<void>> submit_naps(cf::ThreadPoolExecutor& ex, int n,
                                          std::chrono::milliseconds nap, std::atomic<int>& ran) {
    std::vector<cf::Future<void>> fs;
    for (int i = 0; i < n; ++i) {
        fs.push_back(ex.submit([nap, &ran] {
            std::this_thread::sleep_for(nap);
            ++ran;
        }));
    }
    return fs;
}

/// Every call of `fs`, from submit_naps, has run to its end.
void expect_all_ran(const std::vector<cf::Future<void>>& fs, const std::atomic<int>& ran) {
    EXPECT_EQ(ran, static_cast<int>(fs.size()));
    for (const auto& f : fs) {
        EXPECT_TRUE(f.done());
    }
}

// --- submit -------------------------------------------------------------------------------

TEST(ThreadPoolExecutor, SubmitWithArguments) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    EXPECT_EQ(ex.submit(mul, 21, 2).result(kLong), 42);
    EXPECT_EQ(ex.submit([](int a, const std::string& s) { return s + std::to_string(a); }, 7,
                        std::string("n="))
                  .result(kLong),
              "n=7");

    // Arguments are copied into the call: a later change to the original is not seen.
    std::string text = "before";
    th::Event go;
    auto copied = ex.submit(
        [&go](const std::string& s) {
            EXPECT_TRUE(go.wait(kLong));
            return s;
        },
        text);
    text = "after";
    go.set();
    EXPECT_EQ(copied.result(kLong), "before");

    // std::ref shares an object with the call.
    int counter = 0;
    ex.submit([](int& c) { c += 5; }, std::ref(counter)).result(kLong);
    EXPECT_EQ(counter, 5);

    // Move-only arguments are moved in; a member function takes its object first.
    auto p = std::make_unique<int>(9);
    EXPECT_EQ(ex.submit([](std::unique_ptr<int> q) { return *q * 2; }, std::move(p)).result(kLong),
              18);
    Accumulator acc;
    ex.submit(&Accumulator::add, &acc, 3).result(kLong);
    EXPECT_EQ(ex.submit(&Accumulator::add, &acc, 4).result(kLong), 7);

    // Through the Executor interface.
    cf::Executor& base = ex;
    EXPECT_EQ(base.submit(mul, 6, 7).result(kLong), 42);
}

TEST(ThreadPoolExecutor, MoveOnlyCallable) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 1});
    auto owned = std::make_unique<int>(31);
    auto f = ex.submit([q = std::move(owned)] { return *q + 1; });
    EXPECT_EQ(f.result(kLong), 32);
}

TEST(ThreadPoolExecutor, CallIsFreedBeforeTheResultIsPublished) {
    // As CPython drops its work item before the next one (GH-60488): what the call owns is
    // released by the time its result can be seen.
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 1});
    auto token = std::make_shared<int>(1);
    std::weak_ptr<int> weak = token;
    auto f = ex.submit([t = std::move(token)] { return *t; });
    EXPECT_EQ(f.result(kLong), 1);
    EXPECT_TRUE(weak.expired());

    auto failing = std::make_shared<int>(2);
    std::weak_ptr<int> weak_failing = failing;
    auto g = ex.submit([t = std::move(failing)]() -> int { throw TaskError(*t); });
    EXPECT_THROW(g.result(kLong), TaskError);
    EXPECT_TRUE(weak_failing.expired());
}

TEST(ThreadPoolExecutor, ExceptionInTaskKeepsItsType) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    auto f = ex.submit([](int x) -> int { throw TaskError(x); }, 5);
    try {
        (void)f.result(kLong);
        FAIL();
    } catch (const TaskError& e) {
        EXPECT_EQ(e.code, 5);
    }
    auto g = ex.submit([] { return std::stoi("x"); }); // throws std::invalid_argument
    EXPECT_THROW(g.result(kLong), std::invalid_argument);
}

TEST(ThreadPoolExecutor, RunningFutureCannotBeCancelled) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 1});
    BusyWorker running(ex);
    ASSERT_TRUE(running.started());
    EXPECT_TRUE(running.call().running());
    EXPECT_FALSE(running.call().cancel());
    running.release();
    EXPECT_TRUE(running.call().result(kLong));
    EXPECT_FALSE(running.call().cancelled());
}

// --- workers ------------------------------------------------------------------------------

TEST(ThreadPoolExecutor, MaxWorkersMustBePositive) {
    EXPECT_THROW(cf::ThreadPoolExecutor({.max_workers = 0}), concur::ValueError);
    EXPECT_THROW(cf::ThreadPoolExecutor({.max_workers = -1}), concur::ValueError);
    try {
        cf::ThreadPoolExecutor ex({.max_workers = 0});
        FAIL();
    } catch (const concur::ValueError& e) {
        EXPECT_TRUE(contains(e.what(), "max_workers must be greater than 0")) << e.what();
    }
}

TEST(ThreadPoolExecutor, DefaultMaxWorkers) {
    cf::ThreadPoolExecutor ex;
    const int cpus = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    EXPECT_EQ(ex.max_workers(), std::min(32, cpus + 4));
    cf::ThreadPoolExecutor three({.max_workers = 3});
    EXPECT_EQ(three.max_workers(), 3);
}

TEST(ThreadPoolExecutor, ThreadNamePrefix) {
    Watchdog watchdog;
    ThreadNames names;
    {
        cf::ThreadPoolExecutor ex({.max_workers = 2, .thread_name_prefix = "dl"});
        Rendezvous both(2);
        auto a = ex.submit([&] {
            names.record();
            return both.arrive_and_wait();
        });
        auto b = ex.submit([&] {
            names.record();
            return both.arrive_and_wait();
        });
        EXPECT_TRUE(a.result(kLong));
        EXPECT_TRUE(b.result(kLong));
    }
    EXPECT_EQ(names.get(), (std::set<std::string>{"dl_0", "dl_1"}));
}

TEST(ThreadPoolExecutor, DefaultThreadNames) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 1});
    const std::string name = ex.submit([] { return th::current_thread().name(); }).result(kLong);
    EXPECT_EQ(name.rfind("ThreadPoolExecutor-", 0), 0u) << name;
    EXPECT_EQ(name.substr(name.size() - 2), "_0") << name;
    // Each pool takes the next number: the two pools' prefixes differ.
    cf::ThreadPoolExecutor other({.max_workers = 1});
    const std::string other_name =
        other.submit([] { return th::current_thread().name(); }).result(kLong);
    EXPECT_NE(name, other_name);
    EXPECT_EQ(other_name.rfind("ThreadPoolExecutor-", 0), 0u) << other_name;
}

TEST(ThreadPoolExecutor, WorkersAreNonDaemonAndNotTheCaller) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 1});
    const auto caller = th::get_ident();
    auto f =
        ex.submit([] { return std::make_pair(th::get_ident(), th::current_thread().daemon()); });
    const auto [ident, daemon] = f.result(kLong);
    EXPECT_NE(ident, caller);
    EXPECT_FALSE(daemon);
}

TEST(ThreadPoolExecutor, IdleWorkerIsReused) {
    // CPython's test_idle_thread_reuse: sequential submit/result pairs need one thread.
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 8, .thread_name_prefix = "reuse"});
    ThreadNames names;
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(ex.submit([&names, i] {
                        names.record();
                        return i;
                    }).result(kLong),
                  i);
    }
    EXPECT_EQ(names.get(), (std::set<std::string>{"reuse_0"}));
}

TEST(ThreadPoolExecutor, AtMostMaxWorkers) {
    Watchdog watchdog;
    ThreadNames names;
    cf::ThreadPoolExecutor ex({.max_workers = 3, .thread_name_prefix = "cap"});
    // Three calls that can only finish together: the pool does start three threads...
    Rendezvous three(3);
    std::vector<cf::Future<bool>> fs;
    for (int i = 0; i < 3; ++i) {
        fs.push_back(ex.submit([&] {
            names.record();
            return three.arrive_and_wait();
        }));
    }
    for (auto& f : fs) {
        EXPECT_TRUE(f.result(kLong));
    }
    // ...and never a fourth, however much work arrives at once.
    th::Event release;
    std::vector<cf::Future<void>> more;
    for (int i = 0; i < 60; ++i) {
        more.push_back(ex.submit([&] {
            names.record();
            EXPECT_TRUE(release.wait(kLong));
        }));
    }
    release.set();
    for (auto& f : more) {
        f.result(kLong);
    }
    EXPECT_EQ(names.get(), (std::set<std::string>{"cap_0", "cap_1", "cap_2"}));
}

TEST(ThreadPoolExecutor, TwoTasksRunConcurrentlyOnADefaultPool) {
    // The course's example: two slow calls on a default pool overlap. Each waits for the other
    // to have started, which only succeeds if they run at the same time.
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex;
    Rendezvous both(2);
    auto a = ex.submit([&] { return both.arrive_and_wait(); });
    auto b = ex.submit([&] { return both.arrive_and_wait(); });
    EXPECT_TRUE(a.result(kLong * 2));
    EXPECT_TRUE(b.result(kLong * 2));
}

TEST(ThreadPoolExecutor, DependentTasksNeverWaitBehindEachOther) {
    // Pairs of calls where the first waits for the second, on a warm pool of two workers:
    // the second must get the idle worker rather than queue behind the first.
    Watchdog watchdog(120s);
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    for (int round = 0; round < 2000; ++round) {
        auto e = std::make_shared<th::Event>();
        auto first = ex.submit([e] { return e->wait(kLong); });
        auto second = ex.submit([e] { e->set(); });
        ASSERT_TRUE(first.result(kLong * 2)) << "round " << round;
        second.result(kLong);
    }
}

// --- initializer --------------------------------------------------------------------------

thread_local bool t_initialized = false;

void init_worker(std::atomic<int>& calls, int weight, ThreadNames& names) {
    calls += weight;
    names.record();
    t_initialized = true;
}

TEST(ThreadPoolExecutor, InitializerRunsOncePerWorkerWithInitargs) {
    Watchdog watchdog;
    std::atomic<int> calls{0};
    ThreadNames init_names;
    ThreadNames task_names;
    {
        cf::ThreadPoolExecutor ex({.max_workers = 2, .thread_name_prefix = "init"}, init_worker,
                                  std::ref(calls), 5, std::ref(init_names));
        Rendezvous both(2);
        std::vector<cf::Future<bool>> fs;
        for (int i = 0; i < 2; ++i) {
            fs.push_back(ex.submit([&] {
                task_names.record();
                EXPECT_TRUE(t_initialized) << "the initializer runs first, in the worker";
                return both.arrive_and_wait();
            }));
        }
        for (int i = 0; i < 20; ++i) {
            fs.push_back(ex.submit([&] {
                task_names.record();
                return t_initialized;
            }));
        }
        for (auto& f : fs) {
            EXPECT_TRUE(f.result(kLong));
        }
    }
    EXPECT_EQ(calls, 10);
    EXPECT_EQ(init_names.get(), (std::set<std::string>{"init_0", "init_1"}));
    EXPECT_EQ(task_names.get(), init_names.get());
}

TEST(ThreadPoolExecutor, InitializerInOptions) {
    Watchdog watchdog;
    std::atomic<int> calls{0};
    cf::ThreadPoolExecutor ex({.max_workers = 1, .initializer = [&calls] { ++calls; }});
    for (int i = 0; i < 5; ++i) {
        ex.submit([] {}).result(kLong);
    }
    EXPECT_EQ(calls, 1);
}

TEST(ThreadPoolExecutor, IdleWorkerRunsCallsWhileAnotherInitializes) {
    // A worker still in a slow initializer must not keep an idle worker from taking new calls.
    Watchdog watchdog;
    std::atomic<int> inits{0};
    th::Event second_init_may_finish;
    cf::ThreadPoolExecutor ex({.max_workers = 2}, [&] {
        if (inits.fetch_add(1) == 1) {
            EXPECT_TRUE(second_init_may_finish.wait(kLong));
        }
    });
    BusyWorker busy(ex);                  // starts worker 0
    auto a = ex.submit([] { return 1; }); // starts worker 1, held in init
    ASSERT_TRUE(eventually([&] { return inits == 2; }));
    busy.release();
    EXPECT_TRUE(busy.call().result(kLong));
    EXPECT_EQ(a.result(kLong), 1) << "worker 0 takes it";
    // Worker 0 is idle now, worker 1 still initializing: a new call runs on worker 0.
    auto b = ex.submit([] { return 2; });
    EXPECT_EQ(b.result(5s), 2);
    second_init_may_finish.set();
}

TEST(ThreadPoolExecutor, FailingInitializerBreaksThePool) {
    Watchdog watchdog;
    th::Event go;
    testing::internal::CaptureStderr();
    cf::ThreadPoolExecutor ex({.max_workers = 2}, [&go] {
        EXPECT_TRUE(go.wait(kLong));
        throw std::runtime_error("init failed");
    });
    std::vector<cf::Future<int>> pending;
    for (int i = 0; i < 5; ++i) {
        pending.push_back(ex.submit([i] { return i; }));
    }
    go.set();
    for (auto& f : pending) {
        try {
            (void)f.result(kLong);
            FAIL() << "a call of a broken pool should fail";
        } catch (const cf::BrokenThreadPool& e) {
            EXPECT_TRUE(contains(e.what(), "A thread initializer failed")) << e.what();
        }
        EXPECT_FALSE(f.cancelled());
    }
    // Every pending call failed, so the pool is closed: new work is refused.
    EXPECT_THROW(ex.submit([] { return 0; }), cf::BrokenThreadPool);
    EXPECT_THROW(ex.submit([] { return 0; }), cf::BrokenExecutor);
    ex.shutdown();
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_TRUE(contains(err, "Exception in initializer:")) << err;
    EXPECT_TRUE(contains(err, "init failed")) << err;
}

// --- shutdown -----------------------------------------------------------------------------

TEST(ThreadPoolExecutor, SubmitAfterShutdownIsRuntimeError) {
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    ex.shutdown();
    auto token = std::make_shared<int>(0);
    std::weak_ptr<int> weak = token;
    try {
        ex.submit([t = std::move(token)] { return *t; });
        FAIL() << "submit after shutdown should throw";
    } catch (const cf::BrokenExecutor&) {
        FAIL() << "the pool is shut down, not broken";
    } catch (const concur::RuntimeError& e) {
        EXPECT_TRUE(contains(e.what(), "cannot schedule new futures after shutdown")) << e.what();
    }
    EXPECT_TRUE(weak.expired()) << "a refused call is freed";
}

TEST(ThreadPoolExecutor, ShutdownWaitsForRunningWork) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    th::Event started;
    std::atomic<bool> finished{false};
    auto f = ex.submit([&] {
        started.set();
        std::this_thread::sleep_for(100ms);
        finished = true;
        return 1;
    });
    ASSERT_TRUE(started.wait(kLong));
    ex.shutdown(true);
    EXPECT_TRUE(finished);
    EXPECT_TRUE(f.done());
    EXPECT_EQ(f.result(0s), 1);
}

TEST(ThreadPoolExecutor, ShutdownWaitsForQueuedWork) {
    // CPython's test_map_submits_without_iteration, with submit: shutdown(wait=True) runs
    // everything that was accepted.
    Watchdog watchdog;
    std::atomic<int> ran{0};
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    const auto fs = submit_naps(ex, 50, 1ms, ran);
    ex.shutdown(true);
    expect_all_ran(fs, ran);
}

TEST(ThreadPoolExecutor, ShutdownNoWaitReturnsAtOnceAndQueuedWorkCompletes) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 1});
    BusyWorker blocker(ex);
    std::vector<cf::Future<int>> queued;
    for (int i = 0; i < 5; ++i) {
        queued.push_back(ex.submit([i] { return i * i; }));
    }
    ASSERT_TRUE(blocker.started());
    ex.shutdown(false);
    // Had shutdown waited, the blocker would have finished by now (its wait timed out).
    EXPECT_FALSE(blocker.call().done());
    EXPECT_THROW(ex.submit([] { return 0; }), concur::RuntimeError);
    blocker.release();
    EXPECT_TRUE(blocker.call().result(kLong));
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(queued[static_cast<std::size_t>(i)].result(kLong), i * i);
    }
}

TEST(ThreadPoolExecutor, ShutdownCancelFuturesCancelsQueuedNotRunning) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 1});
    std::atomic<int> ran{0};
    BusyWorker running(ex);
    std::vector<cf::Future<void>> queued;
    for (int i = 0; i < 10; ++i) {
        queued.push_back(ex.submit([&ran] { ++ran; }));
    }
    ASSERT_TRUE(running.started());
    ex.shutdown(false, true);
    for (auto& f : queued) {
        EXPECT_TRUE(f.cancelled());
        EXPECT_THROW(f.result(0s), concur::CancelledError);
    }
    EXPECT_FALSE(running.call().cancelled());
    EXPECT_FALSE(running.call().done());
    running.release();
    EXPECT_TRUE(running.call().result(kLong));
    ex.shutdown(true);
    EXPECT_EQ(ran, 0);
}

TEST(ThreadPoolExecutor, ShutdownCancelFuturesWithManyQueued) {
    // CPython's test_cancel_futures: some are cancelled, the others finish; none is left
    // pending.
    Watchdog watchdog;
    std::vector<cf::Future<void>> fs;
    {
        cf::ThreadPoolExecutor ex({.max_workers = 2});
        for (int i = 0; i < 100; ++i) {
            fs.push_back(ex.submit([] { std::this_thread::sleep_for(2ms); }));
        }
        ex.shutdown(true, true);
    }
    int cancelled = 0;
    for (auto& f : fs) {
        EXPECT_TRUE(f.done());
        if (f.cancelled()) {
            ++cancelled;
        } else {
            EXPECT_EQ(f.exception(0s), nullptr);
        }
    }
    EXPECT_GT(cancelled, 0);
}

TEST(ThreadPoolExecutor, CancelQueuedFuturePreventsItsRun) {
    Watchdog watchdog;
    std::atomic<bool> ran{false};
    auto token = std::make_shared<int>(0);
    std::weak_ptr<int> weak = token;
    cf::Future<void> queued;
    {
        cf::ThreadPoolExecutor ex({.max_workers = 1});
        BusyWorker blocker(ex);
        queued = ex.submit([&ran, t = std::move(token)] { ran = true; });
        ASSERT_TRUE(blocker.started());
        EXPECT_TRUE(queued.cancel());
        blocker.release();
        EXPECT_TRUE(blocker.call().result(kLong));
    }
    EXPECT_FALSE(ran);
    EXPECT_TRUE(queued.cancelled());
    EXPECT_TRUE(weak.expired()) << "a cancelled call is freed when the pool reaches it";
}

TEST(ThreadPoolExecutor, DestructorWaits) {
    Watchdog watchdog;
    std::atomic<int> finished{0};
    std::vector<cf::Future<void>> fs;
    {
        cf::ThreadPoolExecutor ex({.max_workers = 2});
        fs = submit_naps(ex, 4, 50ms, finished);
    }
    expect_all_ran(fs, finished);
}

TEST(ThreadPoolExecutor, ShutdownTwiceIsFine) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    auto f = ex.submit([] { return 3; });
    ex.shutdown();
    ex.shutdown();
    ex.shutdown(false, true);
    EXPECT_EQ(f.result(0s), 3);
}

TEST(ThreadPoolExecutor, ShutdownWithoutWork) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    ex.shutdown(true);
    EXPECT_THROW(ex.submit([] {}), concur::RuntimeError);
}

TEST(ThreadPoolExecutor, ConcurrentShutdowns) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 3});
    const std::vector<cf::Future<int>> fs = submit_identities(ex, 30);
    Background a([&] { ex.shutdown(true); });
    Background b([&] { ex.shutdown(true); });
    ex.shutdown(true);
    a.join();
    b.join();
    for (int i = 0; i < 30; ++i) {
        EXPECT_EQ(fs[static_cast<std::size_t>(i)].result(0s), i);
    }
}

TEST(ThreadPoolExecutor, SubmitRacingShutdownNeverStrandsACall) {
    // A call is either refused (RuntimeError) or run, even when submit and shutdown race on a
    // pool that has not started a thread yet.
    Watchdog watchdog(120s);
    for (int round = 0; round < 300; ++round) {
        cf::ThreadPoolExecutor ex({.max_workers = 2});
        th::Event go;
        cf::Future<int> f;
        bool accepted = false;
        Background submitter([&] {
            EXPECT_TRUE(go.wait(kLong));
            try {
                f = ex.submit([] { return 1; });
                accepted = true;
            } catch (const concur::RuntimeError&) {
            }
        });
        go.set();
        ex.shutdown(round % 2 == 0);
        submitter.join();
        if (accepted) {
            ASSERT_EQ(f.result(kLong), 1) << "round " << round;
        }
    }
}

// --- work that makes work -----------------------------------------------------------------

TEST(ThreadPoolExecutor, TaskSubmitsToItsOwnPool) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    auto outer = ex.submit([&ex] {
        auto inner = ex.submit([] { return 20; });
        return inner.result(kLong) + 1;
    });
    EXPECT_EQ(outer.result(kLong), 21);

    // Fan out from inside the pool; the inner calls finish even though the outer one holds a
    // worker while it waits.
    auto fan = ex.submit([&ex] {
        std::vector<cf::Future<int>> parts;
        for (int i = 0; i < 20; ++i) {
            parts.push_back(ex.submit([i] { return i; }));
        }
        int sum = 0;
        for (auto& p : parts) {
            sum += p.result(kLong);
        }
        return sum;
    });
    EXPECT_EQ(fan.result(kLong), 190);
}

TEST(ThreadPoolExecutor, ManyProducers) {
    Watchdog watchdog(120s);
    constexpr int kProducers = 4;
    constexpr int kEach = 2500;
    cf::ThreadPoolExecutor ex({.max_workers = 4});
    std::vector<std::vector<cf::Future<long>>> futures(kProducers);
    std::vector<std::unique_ptr<Background>> producers;
    th::Event go;
    for (int p = 0; p < kProducers; ++p) {
        producers.push_back(std::make_unique<Background>([&, p] {
            EXPECT_TRUE(go.wait(kLong));
            auto& mine = futures[static_cast<std::size_t>(p)];
            for (int i = 0; i < kEach; ++i) {
                mine.push_back(ex.submit([](long a, long b) { return a * 100000 + b; }, p, i));
            }
        }));
    }
    go.set();
    for (auto& t : producers) {
        t->join();
    }
    for (int p = 0; p < kProducers; ++p) {
        for (int i = 0; i < kEach; ++i) {
            ASSERT_EQ(
                futures[static_cast<std::size_t>(p)][static_cast<std::size_t>(i)].result(kLong),
                static_cast<long>(p) * 100000 + i);
        }
    }
}

} // namespace
