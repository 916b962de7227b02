// futures::Future, after CPython's Lib/test/test_concurrent_futures/test_future.py: states and
// transitions, result/exception with and without timeouts, done callbacks, identity.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <concur/futures.hpp>
#include <concur/threading/thread.hpp>
#include <gtest/gtest.h>

#include "futures/helpers.hpp"

namespace {

using namespace futures_test;
namespace cf = concur::futures;
namespace th = concur::threading;

// --- states and transitions ---------------------------------------------------------------

TEST(Future, NewFutureIsPending) {
    cf::Future<int> f;
    EXPECT_FALSE(f.done());
    EXPECT_FALSE(f.running());
    EXPECT_FALSE(f.cancelled());
    EXPECT_TRUE(contains(f.repr(), "state=pending")) << f.repr();
    EXPECT_TRUE(contains(f.repr(), "<Future at 0x")) << f.repr();
}

TEST(Future, SetRunningOnPending) {
    cf::Future<int> f;
    EXPECT_TRUE(f.set_running_or_notify_cancel());
    EXPECT_TRUE(f.running());
    EXPECT_FALSE(f.done());
    EXPECT_FALSE(f.cancelled());
    EXPECT_TRUE(contains(f.repr(), "state=running")) << f.repr();
    EXPECT_FALSE(f.cancel()) << "a running future cannot be cancelled";
    EXPECT_FALSE(f.cancelled());
    f.set_result(5);
    EXPECT_TRUE(f.done());
    EXPECT_FALSE(f.running());
    EXPECT_EQ(f.result(), 5);
}

TEST(Future, SetRunningTwiceIsRuntimeError) {
    cf::Future<int> f;
    ASSERT_TRUE(f.set_running_or_notify_cancel());
    EXPECT_THROW(f.set_running_or_notify_cancel(), concur::RuntimeError);
    EXPECT_TRUE(f.running());
}

TEST(Future, SetRunningOnFinishedIsRuntimeError) {
    cf::Future<int> f;
    f.set_result(1);
    EXPECT_THROW(f.set_running_or_notify_cancel(), concur::RuntimeError);
    EXPECT_EQ(f.result(), 1);
}

TEST(Future, SetRunningOnCancelledReturnsFalse) {
    cf::Future<int> f;
    ASSERT_TRUE(f.cancel());
    EXPECT_FALSE(f.set_running_or_notify_cancel());
    EXPECT_TRUE(f.cancelled());
    EXPECT_FALSE(f.running());
    // Still cancelled, and telling it again is no error.
    EXPECT_FALSE(f.set_running_or_notify_cancel());
}

TEST(Future, CancelPending) {
    cf::Future<int> f;
    EXPECT_TRUE(f.cancel());
    EXPECT_TRUE(f.cancelled());
    EXPECT_TRUE(f.done());
    EXPECT_FALSE(f.running());
    EXPECT_TRUE(f.cancel()) << "cancelling a cancelled future returns true";
    EXPECT_TRUE(contains(f.repr(), "state=cancelled")) << f.repr();
    EXPECT_THROW(f.result(), concur::CancelledError);
    EXPECT_THROW(f.result(0s), concur::CancelledError);
    EXPECT_THROW(f.exception(), concur::CancelledError);
    EXPECT_THROW(f.exception(1s), concur::CancelledError);
    EXPECT_THROW(f.set_result(1), concur::InvalidStateError);
    EXPECT_THROW(f.set_exception(std::runtime_error("x")), concur::InvalidStateError);
    EXPECT_TRUE(f.cancelled());
}

TEST(Future, CancelFinishedReturnsFalse) {
    cf::Future<int> ok;
    ok.set_result(1);
    EXPECT_FALSE(ok.cancel());
    EXPECT_FALSE(ok.cancelled());
    EXPECT_EQ(ok.result(), 1);

    cf::Future<int> failed;
    failed.set_exception(std::runtime_error("x"));
    EXPECT_FALSE(failed.cancel());
    EXPECT_FALSE(failed.cancelled());
}

// --- result and exception -----------------------------------------------------------------

TEST(Future, ResultOfFinished) {
    cf::Future<int> f;
    f.set_result(42);
    EXPECT_TRUE(f.done());
    EXPECT_EQ(f.result(), 42);
    EXPECT_EQ(f.result(0s), 42);
    EXPECT_EQ(f.result(1s), 42);
    EXPECT_EQ(f.exception(), nullptr);
    EXPECT_EQ(f.exception(0s), nullptr);
    EXPECT_TRUE(contains(f.repr(), "state=finished returned")) << f.repr();
    // The reference names the stored value, the same one every time.
    EXPECT_EQ(&f.result(), &f.result());
}

TEST(Future, ResultOfFailed) {
    cf::Future<int> f;
    f.set_exception(std::runtime_error("boom"));
    EXPECT_TRUE(f.done());
    EXPECT_FALSE(f.cancelled());
    try {
        f.result(1s);
        FAIL() << "result() should rethrow";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "boom");
    }
    std::exception_ptr exc = f.exception();
    ASSERT_NE(exc, nullptr);
    EXPECT_THROW(std::rethrow_exception(exc), std::runtime_error);
    EXPECT_TRUE(contains(f.repr(), "state=finished raised")) << f.repr();
}

TEST(Future, SetExceptionPtr) {
    cf::Future<int> f;
    f.set_exception(std::make_exception_ptr(TaskError(3)));
    try {
        (void)f.result();
        FAIL();
    } catch (const TaskError& e) {
        EXPECT_EQ(e.code, 3);
    }
}

TEST(Future, ResultTimesOut) {
    cf::Future<int> f;
    const Seconds took = time_of([&] { EXPECT_THROW(f.result(50ms), concur::TimeoutError); });
    EXPECT_GE(took, 50ms);
    EXPECT_LT(took, kLong);
    EXPECT_THROW(f.exception(10ms), concur::TimeoutError);
    EXPECT_THROW(f.result(0s), concur::TimeoutError);
    EXPECT_THROW(f.result(-1s), concur::TimeoutError);
    EXPECT_FALSE(f.done()) << "a timeout leaves the future as it was";
    // A TimeoutError is an OSError with ETIMEDOUT, as Python's built-in TimeoutError.
    try {
        f.result(0s);
        FAIL() << "result(0s) of a pending future should throw";
    } catch (const concur::OSError& e) {
        EXPECT_EQ(e.code().value(), ETIMEDOUT);
    }
}

TEST(Future, SecondSetIsInvalidState) {
    cf::Future<int> f;
    f.set_result(1);
    EXPECT_THROW(f.set_result(2), concur::InvalidStateError);
    EXPECT_THROW(f.set_exception(std::runtime_error("late")), concur::InvalidStateError);
    EXPECT_EQ(f.result(), 1);

    cf::Future<int> g;
    g.set_exception(std::runtime_error("first"));
    EXPECT_THROW(g.set_result(2), concur::InvalidStateError);
    EXPECT_THROW(g.set_exception(std::runtime_error("second")), concur::InvalidStateError);
    try {
        g.result();
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "first");
    }
    try {
        g.set_result(3);
        FAIL() << "a second set_result should throw";
    } catch (const concur::InvalidStateError& e) {
        EXPECT_TRUE(contains(e.what(), "<Future at")) << e.what();
    }
}

TEST(Future, ConcurrentSettersExactlyOneWins) {
    for (int round = 0; round < 50; ++round) {
        cf::Future<int> f;
        std::atomic<int> wins{0};
        std::atomic<int> rejected{0};
        std::vector<std::unique_ptr<Background>> setters;
        for (int i = 0; i < 4; ++i) {
            setters.push_back(std::make_unique<Background>([&, i] {
                try {
                    if (i == 3) {
                        if (f.cancel()) {
                            ++wins;
                        } else {
                            ++rejected;
                        }
                        return;
                    }
                    f.set_result(i);
                    ++wins;
                } catch (const concur::InvalidStateError&) {
                    ++rejected;
                }
            }));
        }
        for (auto& s : setters) {
            s->join();
        }
        EXPECT_EQ(wins, 1);
        EXPECT_EQ(rejected, 3);
        EXPECT_TRUE(f.done());
    }
}

TEST(Future, ResultRethrowsTheTasksOwnTypeAcrossThreads) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 1});
    auto f = ex.submit([]() -> int { throw TaskError(7); });
    try {
        (void)f.result(kLong);
        FAIL() << "result() should rethrow TaskError";
    } catch (const TaskError& e) {
        EXPECT_EQ(e.code, 7);
    }
    // exception() hands the same exception object out.
    std::exception_ptr exc = f.exception(kLong);
    try {
        std::rethrow_exception(exc);
    } catch (const TaskError& e) {
        EXPECT_EQ(e.code, 7);
    }
    // A concur exception that is not a std::exception keeps its type too.
    auto g = ex.submit([] { throw concur::CancelledError("inner"); });
    EXPECT_THROW(g.result(kLong), concur::CancelledError);
    EXPECT_FALSE(g.cancelled()) << "the call raised CancelledError; the future was not cancelled";
}

TEST(Future, HandMadeFutureFailedFromAnotherThread) {
    cf::Future<int> f;
    Background setter([f]() mutable { f.set_exception(TaskError(9)); });
    try {
        (void)f.result(kLong);
        FAIL();
    } catch (const TaskError& e) {
        EXPECT_EQ(e.code, 9);
    }
    setter.join();
}

// --- blocking waits -----------------------------------------------------------------------

TEST(Future, BlockedResultWokenBySetResult) {
    cf::Future<int> f;
    std::atomic<long> tid{0};
    int got = 0;
    Background waiter([&] {
        tid = th::get_native_id();
        got = f.result(kLong);
    });
    // Wait until the waiter is asleep in the kernel, so that set_result must wake it.
    ASSERT_TRUE(eventually([&] { return tid != 0 && in_futex(tid); }));
    EXPECT_FALSE(waiter.finished());
    f.set_result(17);
    waiter.join();
    EXPECT_EQ(got, 17);
}

TEST(Future, EveryBlockedWaiterIsWoken) {
    cf::Future<std::string> f;
    constexpr int kWaiters = 4;
    std::atomic<int> woken{0};
    std::vector<std::unique_ptr<Background>> waiters;
    std::vector<std::atomic<long>> tids(kWaiters);
    for (int i = 0; i < kWaiters; ++i) {
        waiters.push_back(std::make_unique<Background>([&, i] {
            tids[static_cast<std::size_t>(i)] = th::get_native_id();
            if (i % 2 == 0) {
                EXPECT_EQ(f.result(kLong), "done");
            } else {
                EXPECT_EQ(f.exception(kLong), nullptr);
            }
            ++woken;
        }));
    }
    ASSERT_TRUE(eventually([&] {
        int n = 0;
        for (auto& t : tids) {
            n += (t != 0 && in_futex(t)) ? 1 : 0;
        }
        return n == kWaiters;
    }));
    EXPECT_EQ(woken, 0);
    f.set_result("done");
    for (auto& w : waiters) {
        w->join();
    }
    EXPECT_EQ(woken, kWaiters);
}

TEST(Future, BlockedWaitersWokenByExceptionAndCancel) {
    cf::Future<int> failed;
    cf::Future<int> cancelled;
    std::atomic<long> tid1{0};
    std::atomic<long> tid2{0};
    Background w1([&] {
        tid1 = th::get_native_id();
        EXPECT_THROW(failed.result(kLong), TaskError);
    });
    Background w2([&] {
        tid2 = th::get_native_id();
        EXPECT_THROW(cancelled.result(kLong), concur::CancelledError);
    });
    ASSERT_TRUE(
        eventually([&] { return tid1 != 0 && in_futex(tid1) && tid2 != 0 && in_futex(tid2); }));
    failed.set_exception(TaskError(1));
    EXPECT_TRUE(cancelled.cancel());
    w1.join();
    w2.join();
}

// --- done callbacks -----------------------------------------------------------------------

TEST(Future, CallbackOnDoneFutureRunsAtOnceInTheCaller) {
    cf::Future<int> f;
    f.set_result(3);
    const auto caller = th::get_ident();
    int seen = -1;
    unsigned long ran_in = 0;
    f.add_done_callback([&](const cf::Future<int>& g) {
        seen = g.result();
        ran_in = th::get_ident();
    });
    EXPECT_EQ(seen, 3) << "the callback ran before add_done_callback returned";
    EXPECT_EQ(ran_in, caller);
}

TEST(Future, CallbackOnCancelledFutureRunsAtOnce) {
    cf::Future<int> f;
    ASSERT_TRUE(f.cancel());
    bool was_cancelled = false;
    f.add_done_callback([&](const cf::Future<int>& g) { was_cancelled = g.cancelled(); });
    EXPECT_TRUE(was_cancelled);
}

TEST(Future, CallbacksRunInOrderAddedInTheCompletingThread) {
    cf::Future<int> f;
    std::vector<int> order;
    std::vector<unsigned long> threads;
    for (int i = 0; i < 6; ++i) {
        f.add_done_callback([&, i](const cf::Future<int>& g) {
            EXPECT_TRUE(g.done());
            EXPECT_EQ(g.result(0s), 11);
            order.push_back(i);
            threads.push_back(th::get_ident());
        });
    }
    EXPECT_TRUE(order.empty()) << "callbacks wait for the future";
    unsigned long setter_id = 0;
    Background setter([&] {
        setter_id = th::get_ident();
        f.set_result(11);
    });
    setter.join();
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
    for (auto id : threads) {
        EXPECT_EQ(id, setter_id);
    }
}

TEST(Future, CallbacksRunOnceOnCancel) {
    cf::Future<int> f;
    int calls = 0;
    bool saw_cancelled = false;
    f.add_done_callback([&](const cf::Future<int>& g) {
        ++calls;
        saw_cancelled = g.cancelled();
    });
    EXPECT_TRUE(f.cancel());
    EXPECT_TRUE(f.cancel());
    EXPECT_FALSE(f.set_running_or_notify_cancel());
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(saw_cancelled);
}

TEST(Future, CallbackSeesTheException) {
    cf::Future<int> f;
    std::exception_ptr seen;
    f.add_done_callback([&](const cf::Future<int>& g) { seen = g.exception(); });
    f.set_exception(TaskError(4));
    ASSERT_NE(seen, nullptr);
    EXPECT_THROW(std::rethrow_exception(seen), TaskError);
}

TEST(Future, ThrowingCallbackIsLoggedAndOthersStillRun) {
    cf::Future<int> f;
    std::vector<int> ran;
    f.add_done_callback([&](const cf::Future<int>&) { ran.push_back(1); });
    f.add_done_callback([&](const cf::Future<int>&) {
        ran.push_back(2);
        throw std::runtime_error("callback failure");
    });
    f.add_done_callback([&](const cf::Future<int>&) { ran.push_back(3); });
    testing::internal::CaptureStderr();
    f.set_result(1);
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(ran, (std::vector<int>{1, 2, 3}));
    EXPECT_TRUE(contains(err, "exception calling callback for <Future at")) << err;
    EXPECT_TRUE(contains(err, "callback failure")) << err;
    EXPECT_EQ(f.result(), 1) << "the future's own result is untouched";
}

TEST(Future, ThrowingCallbackOnDoneFutureIsLogged) {
    cf::Future<int> f;
    f.set_result(1);
    testing::internal::CaptureStderr();
    EXPECT_NO_THROW(f.add_done_callback(
        [](const cf::Future<int>&) { throw std::runtime_error("late callback failure"); }));
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_TRUE(contains(err, "late callback failure")) << err;
}

TEST(Future, CallbackMayOwnMoveOnlyState) {
    cf::Future<int> f;
    auto owned = std::make_unique<int>(8);
    int seen = 0;
    f.add_done_callback(
        [p = std::move(owned), &seen](const cf::Future<int>& g) { seen = *p + g.result(); });
    f.set_result(2);
    EXPECT_EQ(seen, 10);
}

TEST(Future, CallbackAddedFromACallbackRunsAtOnce) {
    cf::Future<int> f;
    std::vector<int> order;
    f.add_done_callback([&](const cf::Future<int>& g) {
        order.push_back(1);
        cf::Future<int> copy = g;
        copy.add_done_callback([&](const cf::Future<int>&) { order.push_back(2); });
        order.push_back(3);
    });
    f.set_result(0);
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(Future, CallbacksOfAFutureThatNeverFinishesAreFreed) {
    // The callback's captures are released with the future (ASan/LSan checks the memory).
    auto token = std::make_shared<int>(1);
    {
        cf::Future<int> f;
        f.add_done_callback([token](const cf::Future<int>&) {});
        EXPECT_EQ(token.use_count(), 2);
    }
    EXPECT_EQ(token.use_count(), 1);
}

// --- result types -------------------------------------------------------------------------

TEST(Future, MoveOnlyResult) {
    cf::Future<std::unique_ptr<int>> f;
    f.set_result(std::make_unique<int>(5));
    ASSERT_NE(f.result(), nullptr);
    EXPECT_EQ(*f.result(), 5);
    std::unique_ptr<int> taken = std::move(f.result());
    EXPECT_EQ(*taken, 5);
    EXPECT_EQ(f.result(), nullptr) << "the value was moved out of the shared state";
}

TEST(Future, MoveOnlyResultFromAnExecutor) {
    Watchdog watchdog;
    cf::ThreadPoolExecutor ex({.max_workers = 1});
    auto f = ex.submit([] { return std::make_unique<std::string>("moved"); });
    std::unique_ptr<std::string> s = std::move(f.result(kLong));
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(*s, "moved");
}

TEST(Future, VoidFuture) {
    cf::Future<void> f;
    EXPECT_FALSE(f.done());
    EXPECT_THROW(f.result(0s), concur::TimeoutError);
    f.set_result();
    EXPECT_TRUE(f.done());
    EXPECT_NO_THROW(f.result());
    EXPECT_EQ(f.exception(), nullptr);
    EXPECT_THROW(f.set_result(), concur::InvalidStateError);

    cf::Future<void> g;
    g.set_exception(TaskError(2));
    EXPECT_THROW(g.result(), TaskError);
    EXPECT_NE(g.exception(), nullptr);

    cf::Future<void> h;
    bool called = false;
    h.add_done_callback([&](const cf::Future<void>& x) { called = x.cancelled(); });
    EXPECT_TRUE(h.cancel());
    EXPECT_TRUE(called);
    EXPECT_THROW(h.result(), concur::CancelledError);
}

TEST(Future, NonDefaultConstructibleResult) {
    struct NoDefault {
        explicit NoDefault(int x) : v(x) {}
        int v;
    };
    cf::Future<NoDefault> f;
    f.set_result(NoDefault(6));
    EXPECT_EQ(f.result().v, 6);
    cf::Future<NoDefault> g;
    g.set_result(7); // constructed in place from the arguments
    EXPECT_EQ(g.result().v, 7);
}

// --- identity -----------------------------------------------------------------------------

TEST(Future, CopiesShareOneState) {
    cf::Future<int> a;
    cf::Future<int> b = a;
    cf::Future<int> c;
    EXPECT_TRUE(a == b);
    EXPECT_FALSE(a == c);
    EXPECT_EQ(std::hash<cf::Future<int>>{}(a), std::hash<cf::Future<int>>{}(b));
    EXPECT_EQ(a.repr(), b.repr());
    b.set_result(4);
    EXPECT_TRUE(a.done());
    EXPECT_EQ(a.result(), 4);
    EXPECT_EQ(&a.result(), &b.result());
    c = a;
    EXPECT_TRUE(c == a);
    cf::Future<int> moved = std::move(c);
    EXPECT_TRUE(moved == a);
}

TEST(Future, FuturesKeyMaps) {
    std::vector<cf::Future<int>> fs(5);
    std::map<cf::Future<int>, int> ordered;
    std::unordered_map<cf::Future<int>, int> hashed;
    std::unordered_set<cf::Future<int>> set;
    for (int i = 0; i < 5; ++i) {
        const auto& f = fs[static_cast<std::size_t>(i)];
        ordered.emplace(f, i);
        hashed.emplace(f, i);
        set.insert(f);
        set.insert(cf::Future<int>(f)); // a copy is the same key
    }
    EXPECT_EQ(ordered.size(), 5u);
    EXPECT_EQ(hashed.size(), 5u);
    EXPECT_EQ(set.size(), 5u);
    for (int i = 0; i < 5; ++i) {
        const cf::Future<int> copy = fs[static_cast<std::size_t>(i)];
        EXPECT_EQ(ordered.at(copy), i);
        EXPECT_EQ(hashed.at(copy), i);
    }
    EXPECT_EQ(ordered.count(cf::Future<int>()), 0u);
}

TEST(Future, OutlivesItsExecutor) {
    cf::Future<int> f;
    {
        cf::ThreadPoolExecutor ex({.max_workers = 1});
        f = ex.submit([] { return 12; });
    }
    EXPECT_TRUE(f.done());
    EXPECT_EQ(f.result(0s), 12);
}

} // namespace
