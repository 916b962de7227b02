// Executor::map, after CPython's Lib/test/test_concurrent_futures/executor.py (test_map*):
// results in input order, several iterables zipped, exceptions at their turn, the timeout.
#include <atomic>
#include <list>
#include <memory>
#include <ranges>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <concur/futures.hpp>
#include <concur/threading/event.hpp>
#include <gtest/gtest.h>

#include "futures/helpers.hpp"

namespace {

using namespace futures_test;
namespace cf = concur::futures;
namespace th = concur::threading;

TEST(Map, KeepsInputOrder) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 4});
    std::vector<int> inputs;
    for (int i = 0; i < 40; ++i) {
        inputs.push_back(i);
    }
    // Later inputs finish first; the results still come in input order.
    auto results = ex.map(
        [](int x) {
            std::this_thread::sleep_for(std::chrono::microseconds((40 - x) * 50));
            return x * x;
        },
        inputs);
    std::vector<int> got;
    for (int r : results) {
        got.push_back(r);
    }
    ASSERT_EQ(got.size(), 40u);
    for (int i = 0; i < 40; ++i) {
        EXPECT_EQ(got[static_cast<std::size_t>(i)], i * i);
    }
}

TEST(Map, SeveralIterablesAreZippedToTheShortest) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    const std::vector<int> a{1, 2, 3, 4};
    const std::list<int> b{10, 20, 30};
    EXPECT_EQ(ex.map([](int x, int y) { return x + y; }, a, b).to_vector(),
              (std::vector<int>{11, 22, 33}));
    EXPECT_EQ(ex.map([](int x, int y) { return x * y; }, b, a).to_vector(),
              (std::vector<int>{10, 40, 90}));
    // Three iterables, one a lazy view; different element types.
    const std::vector<std::string> words{"a", "b", "c", "d", "e"};
    EXPECT_EQ(ex.map([](const std::string& w, int n, long k) { return w + std::to_string(n + k); },
                     words, std::views::iota(0, 3), std::vector<long>{100, 200, 300, 400})
                  .to_vector(),
              (std::vector<std::string>{"a100", "b201", "c302"}));
}

TEST(Map, WithOptions) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    const std::vector<int> xs{1, 2, 3};
    // chunksize is accepted and, for threads, ignored (as in Python).
    EXPECT_EQ(ex.map([](int x) { return -x; }, xs, cf::MapOptions{.timeout = kLong, .chunksize = 2})
                  .to_vector(),
              (std::vector<int>{-1, -2, -3}));
    EXPECT_EQ(ex.map([](int x, int y) { return x - y; }, xs, xs, cf::MapOptions{.timeout = kLong})
                  .to_vector(),
              (std::vector<int>{0, 0, 0}));
}

TEST(Map, EmptyInput) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    std::atomic<int> calls{0};
    auto results = ex.map(
        [&calls](int x) {
            ++calls;
            return x;
        },
        std::vector<int>{});
    EXPECT_TRUE(results.begin() == results.end());
    EXPECT_TRUE(ex.map([](int x) { return x; }, std::vector<int>{}).to_vector().empty());
    EXPECT_TRUE(
        ex.map([](int x, int y) { return x + y; }, std::vector<int>{1, 2}, std::vector<int>{})
            .to_vector()
            .empty());
    ex.shutdown();
    EXPECT_EQ(calls, 0);
}

TEST(Map, ExceptionAtTheFailingItemsTurn) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 3});
    const std::vector<int> xs{5, 2, 0, 1};
    auto results = ex.map(
        [](int x) {
            if (x == 0) {
                throw TaskError(0);
            }
            return 10 / x;
        },
        xs);
    std::vector<int> got;
    try {
        for (int r : results) {
            got.push_back(r);
        }
        FAIL() << "the third call's exception should come out of the loop";
    } catch (const TaskError& e) {
        EXPECT_EQ(e.code, 0);
    }
    EXPECT_EQ(got, (std::vector<int>{2, 5})) << "earlier results came first";
}

TEST(Map, CallsAreSubmittedBeforeMapReturns) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    std::atomic<int> ran{0};
    th::Event all_ran;
    auto results = ex.map(
        [&](int x) {
            if (++ran == 4) {
                all_ran.set();
            }
            return x;
        },
        std::vector<int>{1, 2, 3, 4});
    // Nothing has been iterated yet, yet every call runs.
    EXPECT_TRUE(all_ran.wait(kLong));
    EXPECT_EQ(results.to_vector(), (std::vector<int>{1, 2, 3, 4}));
}

TEST(Map, DiscardedResultsStillRunEveryCall) {
    // CPython's test_map_submits_without_iteration (issue 11777): a map whose results are
    // never iterated still runs every call.
    Watchdog watchdog;
    std::atomic<int> ran{0};
    {
        cf::ThreadPoolExecutor ex({.max_workers = 1});
        BusyWorker blocker(ex);
        (void)ex.map([&ran](int) { ++ran; }, std::vector<int>(10, 0));
        blocker.release();
        EXPECT_TRUE(blocker.call().result(kLong));
        ex.shutdown(true);
    }
    EXPECT_EQ(ran, 10);
}

TEST(Map, TimeoutIsCountedFromTheMapCall) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    // The first result takes 200 ms and the second 400 ms, in parallel. With a 300 ms budget
    // for the whole map, the second cannot be ready in time: TimeoutError at its turn. (Were
    // the budget counted per result, the second would get until 500 ms, and be yielded.)
    const auto start = std::chrono::steady_clock::now();
    auto results = ex.map(
        [](int ms) {
            std::this_thread::sleep_for(std::chrono::milliseconds(ms));
            return ms;
        },
        std::vector<int>{200, 400}, cf::MapOptions{.timeout = 300ms});
    std::vector<int> got;
    try {
        for (int r : results) {
            got.push_back(r);
        }
        FAIL() << "the map's timeout should have passed";
    } catch (const concur::TimeoutError&) {
    }
    const Seconds took = std::chrono::steady_clock::now() - start;
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, kLong);
    EXPECT_LE(got.size(), 1u);
    if (!got.empty()) {
        EXPECT_EQ(got[0], 200);
    }
}

TEST(Map, TimeoutZeroWithResultsPending) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 1});
    BusyWorker blocker(ex);
    auto results =
        ex.map([](int x) { return x; }, std::vector<int>{1, 2}, cf::MapOptions{.timeout = 0s});
    // The calls wait behind the blocker: the zero budget has passed before they are done.
    EXPECT_THROW(results.begin(), concur::TimeoutError);
    blocker.release();
    EXPECT_TRUE(blocker.call().result(kLong));
}

TEST(Map, DestroyingTheResultsCancelsUnstartedCalls) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 1});
    th::Event second_started;
    th::Event release;
    std::atomic<int> ran{0};
    {
        auto results = ex.map(
            [&](int x) {
                ++ran;
                if (x == 1) {
                    second_started.set();
                    EXPECT_TRUE(release.wait(kLong));
                }
                return x;
            },
            std::vector<int>{0, 1, 2, 3, 4, 5});
        auto it = results.begin();
        EXPECT_EQ(*it, 0);
        ASSERT_TRUE(second_started.wait(kLong));
        // Leaving the loop early: the running call finishes, the queued ones never run.
    }
    release.set();
    ex.shutdown(true);
    EXPECT_EQ(ran, 2);
}

TEST(Map, DestroyingAfterAnExceptionCancelsTheRest) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 1});
    std::atomic<int> ran{0};
    th::Event release;
    try {
        for (int r : ex.map(
                 [&](int x) {
                     ++ran;
                     if (x == 1) {
                         throw TaskError(1);
                     }
                     if (x == 2) {
                         // Holds the worker until the loop has been left.
                         EXPECT_TRUE(release.wait(kLong));
                     }
                     return x;
                 },
                 std::vector<int>{0, 1, 2, 3, 4})) {
            (void)r;
        }
        FAIL();
    } catch (const TaskError&) {
    }
    release.set();
    ex.shutdown(true);
    // 0 and 1 ran; 2 may have started before the loop was left; 3 and 4 were cancelled
    // unless 2 had finished and let them start, which release prevents.
    EXPECT_GE(ran, 2);
    EXPECT_LE(ran, 3);
}

TEST(Map, VoidFunction) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    std::atomic<int> sum{0};
    auto results = ex.map([&sum](int x) { sum += x; }, std::vector<int>{1, 2, 3, 4});
    int count = 0;
    for (std::monostate m : results) {
        (void)m;
        ++count;
    }
    EXPECT_EQ(count, 4);
    EXPECT_EQ(sum, 10);
    EXPECT_EQ(ex.map([](int) {}, std::vector<int>{1, 2}).to_vector().size(), 2u);
}

TEST(Map, MoveOnlyResults) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    auto got =
        ex.map([](int x) { return std::make_unique<int>(x); }, std::vector<int>{7, 8}).to_vector();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(*got[0], 7);
    EXPECT_EQ(*got[1], 8);
}

TEST(Map, ToVectorAfterPartialIteration) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    auto results = ex.map([](int x) { return x + 1; }, std::vector<int>{0, 1, 2, 3});
    auto it = results.begin();
    EXPECT_EQ(*it, 1);
    ++it;
    EXPECT_EQ(*it, 2);
    // to_vector() takes what remains after the current one, as list(gen) would after two next().
    EXPECT_EQ(results.to_vector(), (std::vector<int>{3, 4}));
}

TEST(Map, AfterShutdownIsRuntimeError) {
    cf::ThreadPoolExecutor ex({.max_workers = 1});
    ex.shutdown();
    EXPECT_THROW(ex.map([](int x) { return x; }, std::vector<int>{1}), concur::RuntimeError);
}

} // namespace
