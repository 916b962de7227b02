// futures::as_completed, after CPython's Lib/test/test_concurrent_futures/
// test_as_completed.py: order, duplicates, timeouts and their message, maps of futures, and
// leaving the loop early while other threads complete the futures.
#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include <concur/futures.hpp>
#include <concur/threading/event.hpp>
#include <gtest/gtest.h>

#include "futures/helpers.hpp"

namespace {

using namespace futures_test;
namespace cf = concur::futures;
namespace th = concur::threading;

TEST(AsCompleted, EmptyInput) {
    auto range = cf::as_completed(Fs{});
    EXPECT_TRUE(range.begin() == range.end());
    auto zero = cf::as_completed(Fs{}, 0s);
    EXPECT_TRUE(zero.begin() == zero.end());
}

TEST(AsCompleted, DoneFirstInInputOrderThenInCompletionOrder) {
    cf::Future<int> p0;
    cf::Future<int> d1 = successful(1);
    cf::Future<int> p2;
    cf::Future<int> d3;
    d3.cancel();
    cf::Future<int> p4;
    Fs yielded;
    auto range = cf::as_completed(Fs{p0, d1, p2, d3, p4}, kLong);
    auto it = range.begin();
    yielded.push_back(*it);
    ++it;
    yielded.push_back(*it);
    EXPECT_EQ(yielded, (Fs{d1, d3})) << "those done before the call come first, in input order";
    // Then each as it completes; here they complete one at a time, in the order p2, p4, p0.
    p2.set_result(2);
    ++it;
    yielded.push_back(*it);
    p4.set_exception(std::runtime_error("p4"));
    ++it;
    yielded.push_back(*it);
    p0.set_result(0);
    ++it;
    yielded.push_back(*it);
    ++it;
    EXPECT_TRUE(it == range.end());
    EXPECT_EQ(yielded, (Fs{d1, d3, p2, p4, p0}));
}

TEST(AsCompleted, CompletionOrderAcrossThreads) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 3});
    // Three calls released one after another in the order 2, 0, 1, each only after the
    // previous one has been yielded.
    std::vector<std::shared_ptr<th::Event>> gates;
    Fs fs;
    for (int i = 0; i < 3; ++i) {
        auto gate = std::make_shared<th::Event>();
        gates.push_back(gate);
        fs.push_back(ex.submit([gate, i] { return gate->wait(kLong) ? i : -1; }));
    }
    std::vector<int> order;
    const std::vector<int> release_order{2, 0, 1};
    gates[2]->set();
    std::size_t released = 1;
    for (const auto& f : cf::as_completed(fs, kLong)) {
        order.push_back(f.result(0s));
        if (released < release_order.size()) {
            gates[static_cast<std::size_t>(release_order[released++])]->set();
        }
    }
    EXPECT_EQ(order, release_order);
}

TEST(AsCompleted, EachFutureOnce) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 4});
    const Fs fs = submit_identities(ex, 200);
    std::multiset<int> seen;
    for (const auto& f : cf::as_completed(fs, kLong)) {
        seen.insert(f.result(0s));
    }
    EXPECT_EQ(seen.size(), 200u);
    for (int i = 0; i < 200; ++i) {
        EXPECT_EQ(seen.count(i), 1u);
    }
}

TEST(AsCompleted, Duplicates) {
    // CPython's test_duplicate_futures (issue 20367): a future given several times is yielded
    // once.
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 1});
    auto f = ex.submit([] { return 1; });
    const cf::Future<int> done = successful();
    int count = 0;
    for (const auto& g : cf::as_completed(Fs{f, f, f, done, done}, kLong)) {
        (void)g;
        ++count;
    }
    EXPECT_EQ(count, 2);
}

TEST(AsCompleted, TimeoutMessage) {
    // CPython's test_correct_timeout_exception_msg.
    cf::Future<int> cancelled;
    cancelled.cancel();
    cf::Future<int> pending;
    cf::Future<int> running;
    running.set_running_or_notify_cancel();
    const Fs fs{cancelled, pending, running, successful()};
    Fs yielded;
    try {
        for (const auto& f : cf::as_completed(fs, 0s)) {
            yielded.push_back(f);
        }
        FAIL() << "two futures cannot finish";
    } catch (const concur::TimeoutError& e) {
        EXPECT_STREQ(e.what(), "2 (of 4) futures unfinished");
    }
    EXPECT_EQ(yielded, (Fs{cancelled, fs[3]}));
}

TEST(AsCompleted, TimeoutAfterSomeWereYielded) {
    Watchdog watchdog;
    cf::Future<int> pending;
    cf::Future<int> later;
    const Fs fs{pending, successful(), later};
    auto range = cf::as_completed(fs, 200ms);
    auto it = range.begin();
    EXPECT_EQ(*it, fs[1]);
    later.set_result(3);
    ++it;
    EXPECT_EQ(*it, later);
    const Seconds took = time_of([&] {
        try {
            ++it;
            FAIL() << "the pending future cannot finish";
        } catch (const concur::TimeoutError& e) {
            EXPECT_STREQ(e.what(), "1 (of 3) futures unfinished");
        }
    });
    EXPECT_LT(took, kLong);
}

TEST(AsCompleted, TimeoutIsCountedFromTheCall) {
    Watchdog watchdog;
    cf::Future<int> pending;
    const auto start = std::chrono::steady_clock::now();
    auto range = cf::as_completed(Fs{pending}, 100ms);
    EXPECT_THROW(range.begin(), concur::TimeoutError);
    const Seconds took = std::chrono::steady_clock::now() - start;
    EXPECT_GE(took, 100ms);
    EXPECT_LT(took, kLong);
}

TEST(AsCompleted, ZeroTimeoutWithAllDone) {
    const Fs fs{successful(1), successful(2), successful(3)};
    Fs yielded;
    for (const auto& f : cf::as_completed(fs, 0s)) {
        yielded.push_back(f);
    }
    EXPECT_EQ(yielded, fs);
}

TEST(AsCompleted, MapsKeyedByFutures) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 3});
    // The flags downloader's pattern: {executor.submit(download, cc): cc for cc in codes}.
    const std::vector<std::string> codes{"BR", "CN", "IN", "US", "ID"};
    std::map<cf::Future<std::string>, std::string> to_code;
    std::unordered_map<cf::Future<std::string>, std::string> hashed;
    for (const auto& cc : codes) {
        auto f = ex.submit([](const std::string& c) { return c + ".gif"; }, cc);
        to_code.emplace(f, cc);
        hashed.emplace(f, cc);
    }
    std::set<std::string> seen;
    for (const auto& f : cf::as_completed(to_code, kLong)) {
        EXPECT_EQ(f.result(0s), to_code.at(f) + ".gif");
        seen.insert(to_code.at(f));
    }
    EXPECT_EQ(seen, std::set<std::string>(codes.begin(), codes.end()));
    int count = 0;
    for (const auto& f : cf::as_completed(hashed, kLong)) {
        EXPECT_EQ(f.result(0s), hashed.at(f) + ".gif");
        ++count;
    }
    EXPECT_EQ(count, 5);
}

TEST(AsCompleted, CancelledFutureIsYielded) {
    Watchdog watchdog;
    cf::Future<int> pending;
    cf::Future<int> to_cancel;
    Background canceller([&] { EXPECT_TRUE(to_cancel.cancel()); });
    auto range = cf::as_completed(Fs{pending, to_cancel}, kLong);
    auto it = range.begin();
    canceller.join();
    EXPECT_EQ(*it, to_cancel);
    EXPECT_TRUE(it->cancelled());
    pending.set_result(1);
    ++it;
    EXPECT_EQ(*it, pending);
}

TEST(AsCompleted, LeavingEarlyUnregistersSafely) {
    // Other threads complete the futures while the loop is left after one: the waiter must be
    // off every future before it is destroyed (TSan/ASan check the races and the memory).
    Watchdog watchdog(120s);
    cf::ThreadPoolExecutor ex({.max_workers = 3});
    std::mt19937 rng(12345);
    for (int round = 0; round < 300; ++round) {
        const int n = 2 + static_cast<int>(rng() % 8);
        auto go = std::make_shared<th::Event>();
        Fs fs;
        for (int i = 0; i < n; ++i) {
            fs.push_back(ex.submit([go, i] { return go->wait(kLong) ? i : -1; }));
        }
        {
            auto range = cf::as_completed(fs, kLong);
            go->set(); // completions race with the loop below and with its end
            auto it = range.begin();
            EXPECT_TRUE(it->done());
            if (round % 3 == 0) {
                ++it;
            }
        }
        // Hand-made futures completed by two threads, one of them while the range is being
        // destroyed after the first completion.
        cf::Future<int> r1;
        cf::Future<int> r2;
        Background s1([r1]() mutable { r1.set_result(1); });
        Background s2([r2]() mutable { r2.set_exception(TaskError(2)); });
        {
            auto range = cf::as_completed(Fs{r1, cf::Future<int>(), r2}, kLong);
            EXPECT_TRUE(range.begin()->done());
        }
        s1.join();
        s2.join();
        for (auto& f : fs) {
            EXPECT_GE(f.result(kLong), 0);
        }
    }
}

} // namespace
