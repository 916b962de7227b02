// asyncio::Future (Python's test_futures): completing, reading, cancelling, done-callbacks and
// awaiting, for values, move-only values and void.
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "concur/asyncio.hpp"
#include "runtime_helpers.hpp"

namespace {

using namespace std::chrono_literals;
using concur::CancelledError;
using concur::InvalidStateError;
using concur::RuntimeError;
using concur_test::AppError;
using concur_test::ManualLoopTest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace asyncio = concur::asyncio;

using FutureTest = ManualLoopTest;
using Log = std::vector<std::string>;

void run_once(asyncio::EventLoop& loop) {
    loop.stop();
    loop.run_forever();
}

template <class F>
std::string cancelled_message_of(F&& fn) {
    try {
        fn();
    } catch (const CancelledError& e) {
        return e.what();
    }
    return "no CancelledError";
}

// --- completing and reading

TEST_F(FutureTest, APendingFutureHasNoResultYet) {
    asyncio::Future<int> f(*loop);
    EXPECT_FALSE(f.done());
    EXPECT_FALSE(f.cancelled());
    EXPECT_EQ(&f.get_loop(), loop.get());
    EXPECT_EQ(f.repr(), "<Future pending>");
    try {
        (void)f.result();
        FAIL() << "no exception";
    } catch (const InvalidStateError& e) {
        EXPECT_THAT(e.what(), HasSubstr("Result is not set."));
    }
    try {
        (void)f.exception();
        FAIL() << "no exception";
    } catch (const InvalidStateError& e) {
        EXPECT_THAT(e.what(), HasSubstr("Exception is not set."));
    }
}

TEST_F(FutureTest, SetResult) {
    asyncio::Future<int> f(*loop);
    f.set_result(3);
    EXPECT_TRUE(f.done());
    EXPECT_FALSE(f.cancelled());
    EXPECT_EQ(f.result(), 3);
    EXPECT_EQ(f.exception(), nullptr);
    EXPECT_EQ(f.repr(), "<Future finished result>");
    asyncio::Future<int> copy = f;
    EXPECT_TRUE(copy == f) << "copies share one state";
    EXPECT_EQ(copy.result(), 3);
}

TEST_F(FutureTest, SetExceptionKeepsTheType) {
    asyncio::Future<int> f(*loop);
    f.set_exception(AppError("bad", 4));
    EXPECT_TRUE(f.done());
    EXPECT_FALSE(f.cancelled());
    try {
        (void)f.result();
        FAIL() << "no exception";
    } catch (const AppError& e) {
        EXPECT_EQ(e.code, 4);
    }
    EXPECT_THROW(std::rethrow_exception(f.exception()), AppError);
    EXPECT_EQ(f.repr(), "<Future finished exception>");

    asyncio::Future<std::string> g(*loop);
    g.set_exception(std::make_exception_ptr(std::out_of_range("range")));
    EXPECT_THROW((void)g.result(), std::out_of_range);
}

TEST_F(FutureTest, Cancel) {
    asyncio::Future<int> f(*loop);
    EXPECT_TRUE(f.cancel("not needed"));
    EXPECT_TRUE(f.done());
    EXPECT_TRUE(f.cancelled());
    EXPECT_EQ(f.repr(), "<Future cancelled>");
    EXPECT_EQ(cancelled_message_of([&] { (void)f.result(); }), "not needed");
    EXPECT_EQ(cancelled_message_of([&] { (void)f.exception(); }), "not needed");
    EXPECT_FALSE(f.cancel()) << "already done";

    asyncio::Future<int> plain(*loop);
    EXPECT_TRUE(plain.cancel());
    EXPECT_EQ(cancelled_message_of([&] { (void)plain.result(); }), "");
}

TEST_F(FutureTest, ADoneFutureCannotBeCompletedAgain) {
    asyncio::Future<int> f(*loop);
    f.set_result(1);
    EXPECT_THROW(f.set_result(2), InvalidStateError);
    EXPECT_THROW(f.set_exception(AppError("late", 0)), InvalidStateError);
    EXPECT_FALSE(f.cancel());
    EXPECT_EQ(f.result(), 1);

    asyncio::Future<int> failed(*loop);
    failed.set_exception(AppError("first", 1));
    EXPECT_THROW(failed.set_result(2), InvalidStateError);
    EXPECT_THROW((void)failed.result(), AppError);

    asyncio::Future<int> cancelled(*loop);
    cancelled.cancel();
    EXPECT_THROW(cancelled.set_result(2), InvalidStateError);
    EXPECT_THROW(cancelled.set_exception(AppError("late", 0)), InvalidStateError);
    EXPECT_TRUE(cancelled.cancelled());
}

TEST(FutureWithoutALoop, DefaultConstructionNeedsARunningLoop) {
    EXPECT_THROW(asyncio::Future<int>(), RuntimeError);
}

asyncio::Coroutine<bool> future_of_running_loop() {
    asyncio::Future<int> f;
    co_return &f.get_loop() == &asyncio::get_running_loop();
}

TEST_F(FutureTest, DefaultConstructionInATaskUsesTheRunningLoop) {
    EXPECT_TRUE(asyncio::run_until_complete(*loop, future_of_running_loop()));
}

// --- done-callbacks

TEST_F(FutureTest, DoneCallbacksAreScheduledThroughTheLoopInOrder) {
    asyncio::Future<int> f(*loop);
    Log log;
    f.add_done_callback([&](const asyncio::Future<int>& g) {
        log.push_back("cb1 " + std::to_string(g.result()) + (g == f ? " same" : " other"));
    });
    f.add_done_callback([&](const asyncio::Future<int>&) { log.emplace_back("cb2"); });
    f.add_done_callback([&](const asyncio::Future<int>&) { log.emplace_back("cb3"); });
    f.set_result(5);
    EXPECT_TRUE(log.empty()) << "not called by set_result()";
    run_once(*loop);
    EXPECT_THAT(log, ElementsAre("cb1 5 same", "cb2", "cb3"));
}

TEST_F(FutureTest, CallbacksScheduledBeforeTheFutureCompletesRunFirst) {
    asyncio::Future<int> f(*loop);
    Log log;
    f.add_done_callback([&](const asyncio::Future<int>&) { log.emplace_back("done"); });
    loop->call_soon([&] {
        loop->call_soon([&] { log.emplace_back("soon"); });
        f.set_result(1);
    });
    run_once(*loop);
    run_once(*loop);
    EXPECT_THAT(log, ElementsAre("soon", "done"));
}

TEST_F(FutureTest, DoneCallbackOnADoneFutureIsScheduledNotCalled) {
    asyncio::Future<void> f(*loop);
    f.set_result();
    Log log;
    f.add_done_callback([&](const asyncio::Future<void>&) { log.emplace_back("late"); });
    EXPECT_TRUE(log.empty());
    run_once(*loop);
    EXPECT_THAT(log, ElementsAre("late"));
}

TEST_F(FutureTest, CallbacksRunForCancellationAndExceptionsToo) {
    asyncio::Future<int> cancelled(*loop);
    asyncio::Future<int> failed(*loop);
    Log log;
    cancelled.add_done_callback(
        [&](const asyncio::Future<int>& g) { log.push_back(g.cancelled() ? "cancelled" : "?"); });
    failed.add_done_callback([&](const asyncio::Future<int>& g) {
        log.push_back(g.exception() != nullptr ? "failed" : "?");
    });
    cancelled.cancel();
    failed.set_exception(AppError("x", 1));
    run_once(*loop);
    EXPECT_THAT(log, ElementsAre("cancelled", "failed"));
}

TEST_F(FutureTest, AThrowingDoneCallbackIsReportedAndOthersStillRun) {
    asyncio::Future<int> f(*loop);
    Log log;
    f.add_done_callback([](const asyncio::Future<int>&) { throw AppError("cb", 1); });
    f.add_done_callback([&](const asyncio::Future<int>&) { log.emplace_back("second"); });
    f.set_result(1);
    run_once(*loop);
    EXPECT_THAT(log, ElementsAre("second"));
    EXPECT_EQ(errors.count("Exception in callback"), 1U);
    errors.contexts.clear();
}

TEST_F(FutureTest, CallbacksOfAFutureThatNeverCompletesGoWithIt) {
    bool destroyed = false;
    {
        asyncio::Future<int> f(*loop);
        f.add_done_callback(
            [flag = concur_test::DestroyFlag(&destroyed)](const asyncio::Future<int>&) {});
    }
    EXPECT_TRUE(destroyed);
}

// --- awaiting

asyncio::Coroutine<void> awaits_into(asyncio::Future<int> f, Log* log, std::string name) {
    const int v = co_await f;
    log->push_back(name + " " + std::to_string(v));
}

TEST_F(FutureTest, AwaitedBySeveralTasks) {
    asyncio::Future<int> f(*loop);
    Log log;
    auto a = asyncio::loop_create_task(*loop, awaits_into(f, &log, "a"));
    auto b = asyncio::loop_create_task(*loop, awaits_into(f, &log, "b"));
    auto c = asyncio::loop_create_task(*loop, awaits_into(f, &log, "c"));
    loop->call_later(1s, [&f] { f.set_result(5); });
    asyncio::run_until_complete(*loop, c);
    asyncio::run_until_complete(*loop, a);
    asyncio::run_until_complete(*loop, b);
    EXPECT_THAT(log, ElementsAre("a 5", "b 5", "c 5")); // woken in the order they awaited
    EXPECT_DOUBLE_EQ(elapsed(), 1.0);
}

asyncio::Coroutine<void> append(Log* log, std::string what) {
    log->push_back(std::move(what));
    co_return;
}

TEST_F(FutureTest, AwaitingADoneFutureDoesNotSuspend) {
    asyncio::Future<int> done(*loop);
    done.set_result(2);
    asyncio::Future<int> pending(*loop);
    Log log;
    auto a = asyncio::loop_create_task(*loop, awaits_into(done, &log, "done"));
    auto b = asyncio::loop_create_task(*loop, append(&log, "other"));
    auto c = asyncio::loop_create_task(*loop, awaits_into(pending, &log, "pending"));
    auto d = asyncio::loop_create_task(*loop, append(&log, "last"));
    run_once(*loop);
    EXPECT_THAT(log, ElementsAre("done 2", "other", "last"));
    pending.set_result(1);
    asyncio::run_until_complete(*loop, c);
    EXPECT_THAT(log, ElementsAre("done 2", "other", "last", "pending 1"));
}

asyncio::Coroutine<std::string> awaits_failing(asyncio::Future<int> f) {
    try {
        co_await f;
    } catch (const AppError& e) {
        co_return "AppError " + std::to_string(e.code);
    }
    co_return "no exception";
}

TEST_F(FutureTest, AnAwaitedExceptionKeepsItsType) {
    asyncio::Future<int> f(*loop);
    loop->call_later(1s, [&f] { f.set_exception(AppError("bad", 6)); });
    EXPECT_EQ(asyncio::run_until_complete(*loop, awaits_failing(f)), "AppError 6");
}

asyncio::Coroutine<std::string> awaits_cancelled(asyncio::Future<int> f) {
    std::string out;
    try {
        co_await f;
    } catch (const CancelledError& e) {
        out = std::string("caught '") + e.what() + "'";
    }
    co_await asyncio::sleep(1s); // the task itself was not cancelled: it goes on
    co_return out + " and went on";
}

TEST_F(FutureTest, CancellingAnAwaitedFutureRaisesInTheTask) {
    asyncio::Future<int> f(*loop);
    auto t = asyncio::loop_create_task(*loop, awaits_cancelled(f));
    loop->call_later(1s, [&f] { f.cancel("gone"); });
    EXPECT_EQ(asyncio::run_until_complete(*loop, t), "caught 'gone' and went on");
    EXPECT_FALSE(t.cancelled());
    EXPECT_EQ(t.cancelling(), 0U);
}

asyncio::Coroutine<int> awaits_move_only(asyncio::Future<std::unique_ptr<int>> f) {
    std::unique_ptr<int> p = co_await f;
    co_return *p;
}

TEST_F(FutureTest, MoveOnlyValues) {
    asyncio::Future<std::unique_ptr<int>> f(*loop);
    f.set_result(std::make_unique<int>(9));
    EXPECT_EQ(*f.result(), 9); // result() reads in place
    EXPECT_EQ(asyncio::run_until_complete(*loop, awaits_move_only(f)), 9);

    asyncio::Future<std::unique_ptr<int>> later(*loop);
    loop->call_later(1s, [&later] { later.set_result(std::make_unique<int>(10)); });
    EXPECT_EQ(asyncio::run_until_complete(*loop, awaits_move_only(later)), 10);
}

struct NoDefault {
    explicit NoDefault(int v) : value(v) {}
    NoDefault(NoDefault&&) = default;
    NoDefault& operator=(NoDefault&&) = default;
    int value;
};

TEST_F(FutureTest, ValuesNeedNoDefaultConstructor) {
    asyncio::Future<NoDefault> f(*loop);
    f.set_result(NoDefault(3));
    EXPECT_EQ(f.result().value, 3);
    asyncio::Future<std::pair<int, std::string>> p(*loop);
    p.set_result(1, "one"); // constructed in place from the arguments
    EXPECT_EQ(p.result().second, "one");
}

asyncio::Coroutine<int> awaits_void(asyncio::Future<void> f) {
    co_await f;
    co_return 1;
}

TEST_F(FutureTest, VoidFutures) {
    asyncio::Future<void> f(*loop);
    EXPECT_THROW(f.result(), InvalidStateError);
    loop->call_later(1s, [&f] { f.set_result(); });
    EXPECT_EQ(asyncio::run_until_complete(*loop, awaits_void(f)), 1);
    EXPECT_TRUE(f.done());
    f.result(); // no exception
    EXPECT_THROW(f.set_result(), InvalidStateError);
}

asyncio::Coroutine<std::string> awaits_foreign(asyncio::Future<int> f) {
    try {
        co_await f;
    } catch (const RuntimeError& e) {
        co_return e.what();
    }
    co_return "no exception";
}

TEST_F(FutureTest, AwaitingAFutureOfAnotherLoopRaisesRuntimeError) {
    auto other = asyncio::testing::manual_loop();
    asyncio::Future<int> foreign(*other);
    EXPECT_THAT(asyncio::run_until_complete(*loop, awaits_foreign(foreign)),
                HasSubstr("attached to a different loop"));
}

TEST_F(FutureTest, SetFromAnotherThreadThroughCallSoonThreadsafe) {
    asyncio::Future<int> f(*loop);
    std::thread setter;
    loop->call_soon([&] {
        setter = std::thread([&] { loop->call_soon_threadsafe([&f] { f.set_result(7); }); });
    });
    EXPECT_EQ(asyncio::run_until_complete(*loop,
                                          [](asyncio::Future<int> g) -> asyncio::Coroutine<int> {
                                              co_return co_await g;
                                          }(f)),
              7);
    setter.join();
}

// --- unretrieved exceptions

TEST_F(FutureTest, AnExceptionNobodyRetrievedIsReportedWhenTheFutureGoes) {
    {
        asyncio::Future<int> f(*loop);
        f.set_exception(AppError("lost", 1));
    }
    ASSERT_EQ(errors.count("Future exception was never retrieved"), 1U);
    EXPECT_THROW(std::rethrow_exception(errors.contexts[0].exception), AppError);
    EXPECT_EQ(errors.contexts[0].future, "<Future finished exception>");
    errors.contexts.clear();
}

TEST_F(FutureTest, ARetrievedOrCancelledExceptionIsNotReported) {
    {
        asyncio::Future<int> by_result(*loop);
        by_result.set_exception(AppError("seen", 1));
        EXPECT_THROW((void)by_result.result(), AppError);
        asyncio::Future<int> by_exception(*loop);
        by_exception.set_exception(AppError("seen", 2));
        (void)by_exception.exception();
        asyncio::Future<int> cancelled(*loop);
        cancelled.cancel();
        asyncio::Future<int> awaited(*loop);
        awaited.set_exception(AppError("seen", 3));
        EXPECT_EQ(asyncio::run_until_complete(*loop, awaits_failing(awaited)), "AppError 3");
    }
    EXPECT_TRUE(errors.contexts.empty());
}

} // namespace
