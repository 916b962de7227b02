// asyncio::gather (Python's test_tasks, gather tests): order, mixed types, return_exceptions,
// failures and cancellation in either direction.
#include <chrono>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "concur/asyncio.hpp"
#include "runtime_helpers.hpp"

namespace {

using namespace std::chrono_literals;
using concur::CancelledError;
using concur::Outcome;
using concur_test::AppError;
using concur_test::ManualLoopTest;
using ::testing::ElementsAre;
namespace asyncio = concur::asyncio;

using GatherTest = ManualLoopTest;
using Log = std::vector<std::string>;

double elapsed_in_loop() {
    return asyncio::get_running_loop().time() - 1000.0;
}

asyncio::Coroutine<int> value_after(std::chrono::duration<double> d, int v) {
    co_await asyncio::sleep(d);
    co_return v;
}

asyncio::Coroutine<int> fail_after(std::chrono::duration<double> d, int code) {
    co_await asyncio::sleep(d);
    throw AppError("failed", code);
}

asyncio::Coroutine<std::string> text_after(std::chrono::duration<double> d, std::string s) {
    co_await asyncio::sleep(d);
    co_return s;
}

asyncio::Coroutine<void> nothing_after(std::chrono::duration<double> d, Log* log) {
    co_await asyncio::sleep(d);
    log->emplace_back("void child ran");
}

asyncio::Coroutine<void> append(Log* log, std::string what) {
    log->push_back(std::move(what));
    co_return;
}

// --- results

asyncio::Coroutine<std::vector<int>> gathers_coroutines() {
    std::vector<asyncio::Coroutine<int>> cs;
    for (int i = 0; i < 4; ++i) {
        cs.push_back(value_after(std::chrono::seconds(4 - i), i)); // the last finishes first
    }
    co_return co_await asyncio::gather(std::move(cs));
}

TEST_F(GatherTest, ResultsComeInArgumentOrder) {
    EXPECT_THAT(asyncio::run_until_complete(*loop, gathers_coroutines()), ElementsAre(0, 1, 2, 3));
    EXPECT_DOUBLE_EQ(elapsed(), 4.0) << "concurrently: as long as the longest";
}

asyncio::Coroutine<std::vector<int>> gathers_tasks_and_futures(asyncio::Future<int> f) {
    std::vector<asyncio::Task<int>> ts{asyncio::create_task(value_after(2s, 1)),
                                       asyncio::create_task(value_after(1s, 2))};
    std::vector<int> out = co_await asyncio::gather(ts);
    std::vector<asyncio::Future<int>> same_twice{f, f}; // (GCC 12: no braced list in co_await)
    std::vector<int> fs = co_await asyncio::gather(same_twice);
    out.insert(out.end(), fs.begin(), fs.end());
    co_return out;
}

TEST_F(GatherTest, GathersTasksAndFutures) {
    asyncio::Future<int> f(*loop);
    loop->call_later(3s, [&f] { f.set_result(7); });
    EXPECT_THAT(asyncio::run_until_complete(*loop, gathers_tasks_and_futures(f)),
                ElementsAre(1, 2, 7, 7));
}

asyncio::Coroutine<std::string> gathers_mixed(asyncio::Future<double> f, Log* log) {
    auto t = asyncio::create_task(value_after(1s, 5));
    auto [i, s, d, v] =
        co_await asyncio::gather(t, text_after(2s, "two"), f, nothing_after(1s, log));
    static_assert(std::is_same_v<decltype(v), std::monostate>);
    co_return std::to_string(i) + " " + s + " " + std::to_string(d);
}

TEST_F(GatherTest, VariadicGatherOfDifferentTypes) {
    asyncio::Future<double> f(*loop);
    loop->call_later(3s, [&f] { f.set_result(0.5); });
    Log log;
    EXPECT_EQ(asyncio::run_until_complete(*loop, gathers_mixed(f, &log)), "5 two 0.500000");
    EXPECT_THAT(log, ElementsAre("void child ran"));
    EXPECT_DOUBLE_EQ(elapsed(), 3.0);
}

asyncio::Coroutine<std::vector<int>> gathers_nothing(Log* log) {
    log->emplace_back("before");
    auto r = co_await asyncio::gather(std::vector<asyncio::Task<int>>{});
    log->emplace_back("after"); // no suspension in between
    co_return r;
}

TEST_F(GatherTest, EmptyVectorGivesAnEmptyResultAtOnce) {
    Log log;
    auto t = asyncio::loop_create_task(*loop, gathers_nothing(&log));
    auto other = asyncio::loop_create_task(*loop, append(&log, "other task"));
    EXPECT_TRUE(asyncio::run_until_complete(*loop, t).empty());
    EXPECT_THAT(log, ElementsAre("before", "after", "other task"));
}

asyncio::Coroutine<int> gathers_done(asyncio::Task<int> a, asyncio::Task<int> b) {
    std::vector<asyncio::Task<int>> ts{a, b};
    auto r = co_await asyncio::gather(ts);
    co_return r[0] + r[1];
}

TEST_F(GatherTest, ChildrenAlreadyDone) {
    // (concur resumes at once; Python's gather still takes two loop iterations, its
    // done-callbacks being scheduled: only the result is common ground.)
    auto a = asyncio::loop_create_task(*loop, value_after(0s, 1));
    auto b = asyncio::loop_create_task(*loop, value_after(0s, 2));
    asyncio::run_until_complete(*loop, b);
    EXPECT_EQ(asyncio::run_until_complete(*loop, gathers_done(a, b)), 3);
}

asyncio::Coroutine<int> count_tasks_while_gathering() {
    std::vector<asyncio::Coroutine<int>> cs;
    cs.push_back(value_after(1s, 1));
    cs.push_back(value_after(1s, 2));
    auto g = asyncio::gather(std::move(cs)); // the coroutines are tasks from here on
    const auto n = static_cast<int>(asyncio::all_tasks().size());
    auto r = co_await g;
    co_return n * 100 + r[0] * 10 + r[1];
}

asyncio::Coroutine<long> index_after_yield(long i) {
    co_await asyncio::sleep(0);
    co_return i;
}

asyncio::Coroutine<std::vector<long>> gathers_many(long n) {
    std::vector<asyncio::Task<long>> ts;
    for (long i = 0; i < n; ++i) {
        ts.push_back(asyncio::create_task(index_after_yield(i)));
    }
    co_return co_await asyncio::gather(std::move(ts));
}

TEST_F(GatherTest, ManyChildrenKeepTheirOrder) {
    // Enough children for the gather's table to be mapped apart from the heap.
    constexpr long kChildren = 60'000;
    const std::vector<long> r = asyncio::run_until_complete(*loop, gathers_many(kChildren));
    ASSERT_EQ(r.size(), static_cast<std::size_t>(kChildren));
    for (long i = 0; i < kChildren; ++i) {
        ASSERT_EQ(r[static_cast<std::size_t>(i)], i);
    }
    EXPECT_TRUE(asyncio::all_tasks(*loop).empty());
}

asyncio::Coroutine<int> gathers_sum(std::vector<asyncio::Task<int>> ts) {
    int sum = 0;
    for (int v : co_await asyncio::gather(ts)) {
        sum += v;
    }
    co_return sum;
}

TEST_F(GatherTest, TwoGathersOverTheSameTasksBothGetEveryResult) {
    std::vector<asyncio::Task<int>> ts{asyncio::loop_create_task(*loop, value_after(2s, 1)),
                                       asyncio::loop_create_task(*loop, value_after(1s, 2))};
    int callbacks = 0;
    ts[0].add_done_callback([&callbacks](const asyncio::Task<int>&) { ++callbacks; });
    auto first = asyncio::loop_create_task(*loop, gathers_sum(ts));
    auto second = asyncio::loop_create_task(*loop, gathers_sum(ts));
    ts[1].add_done_callback([&callbacks](const asyncio::Task<int>&) { ++callbacks; });
    EXPECT_EQ(asyncio::run_until_complete(*loop, first), 3);
    EXPECT_EQ(asyncio::run_until_complete(*loop, second), 3);
    EXPECT_EQ(callbacks, 2) << "done callbacks on gathered tasks still run";
}

asyncio::Coroutine<int> gathers_one_task_three_times(asyncio::Task<int> t) {
    std::vector<asyncio::Task<int>> ts{t, t, t};
    int sum = 0;
    for (int v : co_await asyncio::gather(ts)) {
        sum += v;
    }
    co_return sum;
}

TEST_F(GatherTest, OneTaskGatheredThreeTimesGivesItsResultThrice) {
    auto t = asyncio::loop_create_task(*loop, value_after(1s, 7));
    EXPECT_EQ(asyncio::run_until_complete(*loop, gathers_one_task_three_times(t)), 21);
}

TEST_F(GatherTest, CancellingAGatherOfOneTaskThriceCancelsItOnce) {
    auto t = asyncio::loop_create_task(*loop, value_after(10s, 7));
    auto gatherer = asyncio::loop_create_task(*loop, gathers_one_task_three_times(t));
    loop->call_later(1s, [gatherer]() mutable { gatherer.cancel(); });
    EXPECT_THROW(asyncio::run_until_complete(*loop, gatherer), CancelledError);
    EXPECT_TRUE(t.cancelled());
    EXPECT_DOUBLE_EQ(elapsed(), 1.0);
}

asyncio::Coroutine<std::string> drops_a_gather(std::vector<asyncio::Task<int>> ts) {
    {
        auto g = asyncio::gather(ts); // registered on the children, never awaited
    }
    int sum = 0;
    for (auto& t : ts) {
        sum += co_await t;
    }
    co_return std::to_string(sum);
}

TEST_F(GatherTest, AGatherDroppedUnawaitedLeavesItsChildrenAlone) {
    std::vector<asyncio::Task<int>> ts{asyncio::loop_create_task(*loop, value_after(2s, 1)),
                                       asyncio::loop_create_task(*loop, value_after(1s, 2))};
    EXPECT_EQ(asyncio::run_until_complete(*loop, drops_a_gather(ts)), "3");
    EXPECT_DOUBLE_EQ(elapsed(), 2.0);
}

struct NoDefault {
    explicit NoDefault(int v) : value(v) {}
    int value;
};

asyncio::Coroutine<NoDefault> no_default_after(std::chrono::duration<double> d, int v) {
    co_await asyncio::sleep(d);
    co_return NoDefault(v);
}

asyncio::Coroutine<int> gathers_no_default() {
    std::vector<asyncio::Coroutine<NoDefault>> cs;
    cs.push_back(no_default_after(2s, 1));
    cs.push_back(no_default_after(1s, 2));
    std::vector<NoDefault> r = co_await asyncio::gather(std::move(cs));
    co_return r[0].value * 10 + r[1].value;
}

TEST_F(GatherTest, ResultsWithoutADefaultConstructor) {
    EXPECT_EQ(asyncio::run_until_complete(*loop, gathers_no_default()), 12);
}

// Moves freely; a copy throws when the value is negative.
struct CopyMayThrow {
    explicit CopyMayThrow(int v) : value(v) {}
    CopyMayThrow(CopyMayThrow&& other) noexcept = default;
    CopyMayThrow(const CopyMayThrow& other) : value(other.value) {
        if (value < 0) {
            throw AppError("copy", value);
        }
    }
    CopyMayThrow& operator=(const CopyMayThrow&) = default;
    CopyMayThrow& operator=(CopyMayThrow&&) noexcept = default;
    CopyMayThrow() = default;
    int value = 0;
};

asyncio::Coroutine<CopyMayThrow> copy_may_throw(int v) {
    co_await asyncio::sleep(0);
    co_return CopyMayThrow(v);
}

asyncio::Coroutine<std::string> gathers_a_failing_copy() {
    std::vector<asyncio::Task<CopyMayThrow>> ts{asyncio::create_task(copy_may_throw(1)),
                                                asyncio::create_task(copy_may_throw(-2))};
    try {
        co_await asyncio::gather(ts);
    } catch (const AppError& e) {
        // The value stays with its task; the copy is raised where the results are read.
        co_return "AppError " + std::to_string(e.code) + " " + std::to_string(ts[1].result().value);
    }
    co_return "no exception";
}

TEST_F(GatherTest, AThrowingCopyOfAResultIsRaisedByTheGather) {
    EXPECT_EQ(asyncio::run_until_complete(*loop, gathers_a_failing_copy()), "AppError -2 -2");
}

TEST_F(GatherTest, CoroutinesAreWrappedAsTasks) {
    EXPECT_EQ(asyncio::run_until_complete(*loop, count_tasks_while_gathering()), 312);
}

// --- return_exceptions

asyncio::Coroutine<std::vector<Outcome<int>>> gathers_outcomes(asyncio::Task<int> cancelled) {
    std::vector<asyncio::Task<int>> ts{asyncio::create_task(value_after(1s, 1)),
                                       asyncio::create_task(fail_after(2s, 2)), cancelled,
                                       asyncio::create_task(value_after(3s, 4))};
    co_return co_await asyncio::gather({.return_exceptions = true}, ts);
}

TEST_F(GatherTest, ReturnExceptionsGivesAnOutcomePerChild) {
    auto cancelled = asyncio::loop_create_task(*loop, value_after(10s, 3));
    loop->call_later(1500ms, [cancelled]() mutable { cancelled.cancel("no"); });
    auto outcomes = asyncio::run_until_complete(*loop, gathers_outcomes(cancelled));
    ASSERT_EQ(outcomes.size(), 4U);
    EXPECT_EQ(outcomes[0].value(), 1);
    EXPECT_FALSE(outcomes[1].has_value());
    EXPECT_THROW(std::rethrow_exception(outcomes[1].exception()), AppError);
    EXPECT_FALSE(outcomes[2].has_value());
    EXPECT_EQ(concur_test::cancelled_message(outcomes[2].exception()), "no");
    EXPECT_EQ(outcomes[3].value(), 4);
    EXPECT_DOUBLE_EQ(elapsed(), 3.0) << "waits for every child";
}

asyncio::Coroutine<std::string> gathers_outcome_tuple() {
    auto [a, b, c] = co_await asyncio::gather({.return_exceptions = true}, value_after(1s, 1),
                                              fail_after(1s, 2), text_after(1s, "three"));
    std::string out = std::to_string(a.value()) + " ";
    out += b.has_value() ? "?" : "error ";
    out += c.value();
    co_return out;
}

TEST_F(GatherTest, VariadicReturnExceptionsGivesATupleOfOutcomes) {
    EXPECT_EQ(asyncio::run_until_complete(*loop, gathers_outcome_tuple()), "1 error three");
}

// --- failures

asyncio::Coroutine<std::string> catches_first_failure(asyncio::Task<int> slow) {
    std::vector<asyncio::Task<int>> ts{asyncio::create_task(fail_after(1s, 1)), slow};
    try {
        co_await asyncio::gather(ts);
    } catch (const AppError& e) {
        co_return "AppError " + std::to_string(e.code) + " at " +
            std::to_string(elapsed_in_loop()) + (slow.done() ? " slow done" : " slow running");
    }
    co_return "no exception";
}

TEST_F(GatherTest, TheFirstExceptionIsRaisedAtOnceAndTheOthersGoOn) {
    auto slow = asyncio::loop_create_task(*loop, value_after(5s, 2));
    EXPECT_EQ(asyncio::run_until_complete(*loop, catches_first_failure(slow)),
              "AppError 1 at 1.000000 slow running");
    EXPECT_FALSE(slow.cancelled());
    EXPECT_EQ(asyncio::run_until_complete(*loop, slow), 2);
    EXPECT_DOUBLE_EQ(elapsed(), 5.0);
}

asyncio::Coroutine<std::string> catches_child_cancellation(asyncio::Task<int> doomed,
                                                           asyncio::Task<int> other) {
    std::string out;
    std::vector<asyncio::Task<int>> ts{doomed, other};
    try {
        co_await asyncio::gather(ts);
    } catch (const CancelledError&) {
        out = "CancelledError at " + std::to_string(elapsed_in_loop());
    }
    co_await asyncio::sleep(0s); // the gathering task was not cancelled: it goes on
    co_return out + (other.done() ? " other done" : " other running");
}

TEST_F(GatherTest, AChildsCancellationRaisesInTheGathererWithoutCancellingTheOthers) {
    auto doomed = asyncio::loop_create_task(*loop, value_after(10s, 1));
    auto other = asyncio::loop_create_task(*loop, value_after(5s, 2));
    auto gatherer = asyncio::loop_create_task(*loop, catches_child_cancellation(doomed, other));
    loop->call_later(1s, [doomed]() mutable { doomed.cancel(); });
    EXPECT_EQ(asyncio::run_until_complete(*loop, gatherer),
              "CancelledError at 1.000000 other running");
    EXPECT_FALSE(gatherer.cancelled());
    EXPECT_EQ(gatherer.cancelling(), 0U);
    EXPECT_EQ(asyncio::run_until_complete(*loop, other), 2);
}

asyncio::Coroutine<std::string> gathers_until_cancelled(std::vector<asyncio::Task<int>> ts,
                                                        bool return_exceptions) {
    try {
        if (return_exceptions) {
            co_await asyncio::gather({.return_exceptions = true}, ts);
        } else {
            co_await asyncio::gather(ts);
        }
    } catch (const CancelledError& e) {
        bool all_done = true;
        for (const auto& t : ts) {
            all_done = all_done && t.cancelled();
        }
        throw CancelledError(std::string(e.what()) +
                             (all_done ? " / all children cancelled" : " / some child running"));
    }
    co_return "no exception";
}

class GatherCancelTest : public ManualLoopTest, public ::testing::WithParamInterface<bool> {};

TEST_P(GatherCancelTest, CancellingTheGathererCancelsEveryChildThenRaises) {
    std::vector<asyncio::Task<int>> ts{asyncio::loop_create_task(*loop, value_after(10s, 1)),
                                       asyncio::loop_create_task(*loop, value_after(20s, 2))};
    auto gatherer = asyncio::loop_create_task(*loop, gathers_until_cancelled(ts, GetParam()));
    loop->call_later(1s, [gatherer]() mutable { gatherer.cancel("enough"); });
    try {
        asyncio::run_until_complete(*loop, gatherer);
        FAIL() << "no exception";
    } catch (const CancelledError& e) {
        EXPECT_STREQ(e.what(), "enough / all children cancelled");
    }
    EXPECT_TRUE(gatherer.cancelled());
    for (const auto& t : ts) {
        EXPECT_TRUE(t.cancelled());
    }
    EXPECT_DOUBLE_EQ(elapsed(), 1.0);
}

INSTANTIATE_TEST_SUITE_P(ReturnExceptions, GatherCancelTest, ::testing::Bool());

asyncio::Coroutine<int> swallows_cancellation() {
    try {
        co_await asyncio::sleep(10s);
    } catch (const CancelledError&) {
        co_return 99;
    }
    co_return 0;
}

TEST_F(GatherTest, GathererCancelledRaisesEvenIfAChildSwallowsTheCancellation) {
    std::vector<asyncio::Task<int>> ts{asyncio::loop_create_task(*loop, swallows_cancellation()),
                                       asyncio::loop_create_task(*loop, swallows_cancellation())};
    auto gatherer = asyncio::loop_create_task(*loop, gathers_until_cancelled(ts, false));
    loop->call_later(1s, [gatherer]() mutable { gatherer.cancel(); });
    EXPECT_THROW(asyncio::run_until_complete(*loop, gatherer), CancelledError);
    EXPECT_TRUE(gatherer.cancelled());
    EXPECT_EQ(ts[0].result(), 99);
    EXPECT_EQ(ts[1].result(), 99);
}

asyncio::Coroutine<std::string> gathers_then_checks(std::vector<asyncio::Task<int>> ts) {
    try {
        co_await asyncio::gather(ts);
    } catch (const AppError&) {
        co_return "AppError";
    } catch (const CancelledError&) {
        co_return "CancelledError";
    }
    co_return "no exception";
}

TEST_F(GatherTest, GathererCancelledOnceNothingIsLeftToCancelRaisesCancelledError) {
    // The last child completes, and the gatherer is cancelled before it resumes: no child is
    // left to cancel, so the gatherer owes the CancelledError itself (Python: its outer
    // future's cancel() returns false, the task's must_cancel is set).
    std::vector<asyncio::Task<int>> ts{asyncio::loop_create_task(*loop, value_after(1s, 1)),
                                       asyncio::loop_create_task(*loop, value_after(1s, 2))};
    asyncio::Task<std::string> gatherer;
    ts[1].add_done_callback([&gatherer](const asyncio::Task<int>&) { gatherer.cancel(); });
    gatherer = asyncio::loop_create_task(*loop, gathers_then_checks(ts));
    EXPECT_EQ(asyncio::run_until_complete(*loop, gatherer), "CancelledError");
    EXPECT_EQ(ts[0].result(), 1);
    EXPECT_EQ(ts[1].result(), 2);
}

asyncio::Coroutine<int> fails_later_than_the_first() {
    std::vector<asyncio::Coroutine<int>> cs;
    cs.push_back(fail_after(1s, 1));
    cs.push_back(fail_after(2s, 2));
    int code = 0;
    try {
        co_await asyncio::gather(std::move(cs));
    } catch (const AppError& e) {
        code = e.code;
    }
    co_await asyncio::sleep(5s); // the second child fails meanwhile
    co_return code;
}

// Python's gather marks the exceptions of children that fail after the first one as retrieved
// (its done-callback calls fut.exception() once the outer future is done), so they are never
// reported: the second child, a task nobody holds, must not reach the exception handler.
TEST_F(GatherTest, LaterFailuresOfChildrenAreNotReported) {
    EXPECT_EQ(asyncio::run_until_complete(*loop, fails_later_than_the_first()), 1);
}

} // namespace
