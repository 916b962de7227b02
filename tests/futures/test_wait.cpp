// futures::wait, after CPython's Lib/test/test_concurrent_futures/test_wait.py: the three
// return conditions, timeouts, duplicates, maps of futures, done and cancelled inputs.
#include <map>
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

TEST(Wait, EmptyInput) {
    auto [done, not_done] = cf::wait(Fs{});
    EXPECT_TRUE(done.empty());
    EXPECT_TRUE(not_done.empty());
    auto first = cf::wait(Fs{}, 0s, cf::FIRST_COMPLETED);
    EXPECT_TRUE(first.done.empty());
    EXPECT_TRUE(first.not_done.empty());
}

TEST(Wait, AllCompletedWithDoneFutures) {
    const Fs fs{successful(), failed(), cancelled()};
    auto [done, not_done] = cf::wait(fs, kLong);
    EXPECT_EQ(done, fs) << "in input order";
    EXPECT_TRUE(not_done.empty());
}

TEST(Wait, AllCompletedWaitsForEvery) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    th::Event release;
    auto a = ex.submit([] { return 1; });
    auto b = ex.submit([&] { return release.wait(kLong) ? 2 : -1; });
    const Fs fs{successful(), a, b, failed()};
    Background releaser([&] {
        ASSERT_TRUE(a.exception(kLong) == nullptr);
        release.set();
    });
    auto [done, not_done] = cf::wait(fs, kLong, cf::ALL_COMPLETED);
    releaser.join();
    EXPECT_EQ(done, fs);
    EXPECT_TRUE(not_done.empty());
    EXPECT_EQ(b.result(0s), 2);
}

// wait(FIRST_COMPLETED) on a pending future and `soon` returns once another thread has run
// `complete(soon)`: `soon` is done, the other not.
template <class Complete>
void expect_first_completed_by(Complete complete) {
    cf::Future<int> pending;
    cf::Future<int> soon;
    Background completer([&] { complete(soon); });
    auto [done, not_done] = cf::wait(Fs{pending, soon}, kLong, cf::FIRST_COMPLETED);
    completer.join();
    EXPECT_EQ(done, Fs{soon});
    EXPECT_EQ(not_done, Fs{pending});
}

TEST(Wait, FirstCompleted) {
    Watchdog watchdog;
    expect_first_completed_by([](cf::Future<int>& f) { f.set_result(1); });
}

TEST(Wait, FirstCompletedWithSomeAlreadyDone) {
    const cf::Future<int> pending;
    const cf::Future<int> ok = successful();
    const cf::Future<int> c = cancelled();
    auto [done, not_done] = cf::wait(Fs{pending, ok, c}, kLong, cf::FIRST_COMPLETED);
    EXPECT_EQ(done, (Fs{ok, c}));
    EXPECT_EQ(not_done, Fs{pending});
}

TEST(Wait, FirstCompletedByCancel) {
    Watchdog watchdog;
    expect_first_completed_by([](cf::Future<int>& f) { EXPECT_TRUE(f.cancel()); });
}

TEST(Wait, FirstExceptionReturnsAtTheFirstException) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    th::Event release;
    auto ok = ex.submit([] { return 1; });
    auto bad = ex.submit([&]() -> int {
        EXPECT_TRUE(ok.exception(kLong) == nullptr);
        throw TaskError(1);
    });
    auto slow = ex.submit([&] { return release.wait(kLong) ? 3 : -1; });
    auto [done, not_done] = cf::wait(Fs{ok, bad, slow}, kLong, cf::FIRST_EXCEPTION);
    EXPECT_EQ(done, (Fs{ok, bad}));
    EXPECT_EQ(not_done, Fs{slow});
    release.set();
    EXPECT_EQ(slow.result(kLong), 3);
}

TEST(Wait, FirstExceptionWithAnExceptionAlreadyThere) {
    const cf::Future<int> pending;
    const cf::Future<int> bad = failed();
    auto [done, not_done] = cf::wait(Fs{successful(), bad, pending}, kLong, cf::FIRST_EXCEPTION);
    EXPECT_EQ(done.size(), 2u);
    EXPECT_EQ(done[1], bad);
    EXPECT_EQ(not_done, Fs{pending});
}

TEST(Wait, FirstExceptionWithoutAnExceptionWaitsForAll) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    th::Event release;
    auto a = ex.submit([] { return 1; });
    auto b = ex.submit([&] { return release.wait(kLong) ? 2 : -1; });
    Background releaser([&] {
        ASSERT_TRUE(a.exception(kLong) == nullptr);
        release.set();
    });
    const Fs fs{successful(), cancelled(), a, b};
    // Neither a result nor a cancellation is an exception: wait for all, as ALL_COMPLETED.
    auto [done, not_done] = cf::wait(fs, kLong, cf::FIRST_EXCEPTION);
    releaser.join();
    EXPECT_EQ(done, fs);
    EXPECT_TRUE(not_done.empty());
}

TEST(Wait, CancelledIsNotAnException) {
    Watchdog watchdog;
    cf::Future<int> pending;
    cf::Future<int> to_cancel;
    Background canceller([&] { EXPECT_TRUE(to_cancel.cancel()); });
    canceller.join();
    auto [done, not_done] = cf::wait(Fs{pending, to_cancel}, 50ms, cf::FIRST_EXCEPTION);
    EXPECT_EQ(done, Fs{to_cancel});
    EXPECT_EQ(not_done, Fs{pending});
}

TEST(Wait, FuturesCancelledByShutdownAreDone) {
    // concur counts a cancelled future as done at once. (CPython counts it only once the
    // executor calls set_running_or_notify_cancel, which shutdown(cancel_futures=True) never
    // does: there, this wait would last until its timeout.)
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 1});
    BusyWorker running(ex);
    Fs queued;
    for (int i = 0; i < 3; ++i) {
        queued.push_back(ex.submit([i] { return i; }));
    }
    ASSERT_TRUE(running.started());
    ex.shutdown(false, true);
    auto [done, not_done] = cf::wait(queued, kLong);
    EXPECT_EQ(done, queued);
    EXPECT_TRUE(not_done.empty());
    running.release();
    EXPECT_TRUE(running.call().result(kLong));
}

TEST(Wait, TimeoutReturnsTheSplit) {
    Watchdog watchdog;
    const cf::Future<int> pending;
    const cf::Future<int> r = running();
    const cf::Future<int> ok = successful();
    const cf::Future<int> bad = failed();
    const cf::Future<int> c = cancelled();
    const Seconds took = time_of([&] {
        auto [done, not_done] = cf::wait(Fs{pending, ok, r, bad, c}, 100ms, cf::ALL_COMPLETED);
        EXPECT_EQ(done, (Fs{ok, bad, c}));
        EXPECT_EQ(not_done, (Fs{pending, r}));
    });
    EXPECT_GE(took, 100ms);
    EXPECT_LT(took, kLong);
    // A zero timeout looks once.
    auto [done, not_done] = cf::wait(Fs{pending, ok}, 0s, cf::FIRST_COMPLETED);
    EXPECT_EQ(done, Fs{ok});
    auto none = cf::wait(Fs{pending, r}, 0s, cf::FIRST_COMPLETED);
    EXPECT_TRUE(none.done.empty());
    EXPECT_EQ(none.not_done, (Fs{pending, r}));
}

TEST(Wait, DuplicatesAreRemoved) {
    const cf::Future<int> pending;
    const cf::Future<int> ok = successful();
    auto [done, not_done] = cf::wait(Fs{ok, pending, ok, pending, ok}, 0s);
    EXPECT_EQ(done, Fs{ok});
    EXPECT_EQ(not_done, Fs{pending});
    auto all = cf::wait(Fs{ok, ok, ok});
    EXPECT_EQ(all.done, Fs{ok});
}

TEST(Wait, MapsOfFutures) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    std::map<cf::Future<int>, std::string> by_future;
    std::unordered_map<cf::Future<int>, int> hashed;
    for (int i = 0; i < 5; ++i) {
        auto f = ex.submit([i] { return i; });
        by_future.emplace(f, "item" + std::to_string(i));
        hashed.emplace(f, i);
    }
    auto [done, not_done] = cf::wait(by_future, kLong);
    EXPECT_EQ(done.size(), 5u);
    EXPECT_TRUE(not_done.empty());
    for (const auto& f : done) {
        EXPECT_EQ(by_future.at(f), "item" + std::to_string(f.result(0s)));
    }
    auto h = cf::wait(hashed, kLong, cf::FIRST_COMPLETED);
    EXPECT_FALSE(h.done.empty());
    EXPECT_EQ(h.done.size() + h.not_done.size(), 5u);
}

TEST(Wait, ManyFuturesFromAPool) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 4});
    const Fs fs = submit_identities(ex, 500);
    auto [done, not_done] = cf::wait(fs, kLong);
    EXPECT_EQ(done, fs);
    EXPECT_TRUE(not_done.empty());
}

TEST(Wait, VoidFutures) {
    cf::Future<void> a;
    cf::Future<void> b;
    a.set_result();
    auto [done, not_done] = cf::wait(std::vector<cf::Future<void>>{a, b}, 0s);
    EXPECT_EQ(done, std::vector<cf::Future<void>>{a});
    EXPECT_EQ(not_done, std::vector<cf::Future<void>>{b});
}

} // namespace
