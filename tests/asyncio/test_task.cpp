// Tasks (Python's test_tasks and test_runners): scheduling, names, states, exceptions,
// awaiting, current_task/all_tasks, done-callbacks, destruction, asyncio::run.
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
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
using concur_test::DestroyFlag;
using concur_test::ManualLoopTest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace asyncio = concur::asyncio;

using TaskTest = ManualLoopTest;
using Log = std::vector<std::string>;

asyncio::Coroutine<void> noop() {
    co_return;
}

asyncio::Coroutine<void> append(Log* log, std::string what) {
    log->push_back(std::move(what));
    co_return;
}

asyncio::Coroutine<int> value_after(std::chrono::duration<double> delay, int value) {
    co_await asyncio::sleep(delay);
    co_return value;
}

asyncio::Coroutine<int> fail_after(std::chrono::duration<double> delay, int code) {
    co_await asyncio::sleep(delay);
    throw AppError("failed", code);
}

asyncio::Coroutine<void> sleep_forever(DestroyFlag flag) {
    co_await asyncio::sleep(std::chrono::hours(1000));
    (void)flag;
}

int number_of(const std::string& name) {
    return std::stoi(name.substr(std::string("Task-").size()));
}

// --- scheduling

asyncio::Coroutine<void> creates_and_yields(Log* log) {
    auto child = asyncio::create_task(append(log, "child"));
    log->push_back("created");
    co_await asyncio::sleep(0s);
    log->push_back("parent resumed");
    co_await child;
}

TEST_F(TaskTest, CreateTaskSchedulesTheTaskWhichRunsWhenTheCreatorYields) {
    Log log;
    asyncio::run_until_complete(*loop, creates_and_yields(&log));
    EXPECT_THAT(log, ElementsAre("created", "child", "parent resumed"));
}

TEST_F(TaskTest, TasksStartInTheOrderTheyWereCreated) {
    Log log;
    auto a = asyncio::loop_create_task(*loop, append(&log, "a"));
    auto b = asyncio::loop_create_task(*loop, append(&log, "b"));
    auto c = asyncio::loop_create_task(*loop, append(&log, "c"));
    EXPECT_TRUE(log.empty()) << "nothing runs before the loop does";
    asyncio::run_until_complete(*loop, c);
    EXPECT_THAT(log, ElementsAre("a", "b", "c"));
}

TEST_F(TaskTest, ATaskWithoutHandlesRunsToTheEnd) {
    Log log;
    (void)asyncio::loop_create_task(*loop, append(&log, "fire and forget"));
    asyncio::run_until_complete(*loop, value_after(1s, 0));
    EXPECT_THAT(log, ElementsAre("fire and forget"));
}

TEST(TaskOutsideALoop, CreateTaskWithoutARunningLoopRaisesAndDestroysTheCoroutine) {
    bool destroyed = false;
    try {
        (void)asyncio::create_task(sleep_forever(DestroyFlag(&destroyed)));
        FAIL() << "no exception";
    } catch (const RuntimeError& e) {
        EXPECT_THAT(e.what(), HasSubstr("no running event loop"));
    }
    EXPECT_TRUE(destroyed);
}

// --- names

TEST_F(TaskTest, TasksAreNamedTaskNUnlessNamed) {
    auto t1 = asyncio::loop_create_task(*loop, noop());
    auto t2 = asyncio::loop_create_task(*loop, noop());
    EXPECT_THAT(t1.get_name(), StartsWith("Task-"));
    EXPECT_THAT(t2.get_name(), StartsWith("Task-"));
    EXPECT_EQ(number_of(t2.get_name()), number_of(t1.get_name()) + 1);
    auto named = asyncio::loop_create_task(*loop, noop(), "worker");
    EXPECT_EQ(named.get_name(), "worker");
    EXPECT_EQ(named.repr(), "<Task pending name='worker'>");
    named.set_name("renamed");
    EXPECT_EQ(named.get_name(), "renamed");
    t1.set_name("first");
    EXPECT_EQ(t1.get_name(), "first");
    asyncio::run_until_complete(*loop, named);
    EXPECT_EQ(named.get_name(), "renamed");
    EXPECT_EQ(named.repr(), "<Task finished name='renamed'>");
}

asyncio::Coroutine<std::string> names_from_inside() {
    auto t = asyncio::create_task(noop(), "inner");
    std::string inner = t.get_name();
    co_await t;
    co_return asyncio::current_task().get_name() + "/" + inner;
}

TEST_F(TaskTest, CreateTaskTakesAName) {
    auto outer = asyncio::loop_create_task(*loop, names_from_inside(), "outer");
    EXPECT_EQ(asyncio::run_until_complete(*loop, outer), "outer/inner");
}

// --- states

TEST_F(TaskTest, APendingTaskHasNoResultYet) {
    auto t = asyncio::loop_create_task(*loop, value_after(1s, 5));
    EXPECT_FALSE(t.done());
    EXPECT_FALSE(t.cancelled());
    EXPECT_THROW((void)t.result(), InvalidStateError);
    EXPECT_THROW((void)t.exception(), InvalidStateError);
    EXPECT_EQ(t.repr(), "<Task pending name='" + t.get_name() + "'>");
    asyncio::run_until_complete(*loop, t);
}

TEST_F(TaskTest, AFinishedTaskHasItsResult) {
    auto t = asyncio::loop_create_task(*loop, value_after(1s, 5));
    EXPECT_EQ(asyncio::run_until_complete(*loop, t), 5);
    EXPECT_TRUE(t.done());
    EXPECT_FALSE(t.cancelled());
    EXPECT_EQ(t.result(), 5);
    EXPECT_EQ(t.exception(), nullptr);
    EXPECT_EQ(t.repr(), "<Task finished name='" + t.get_name() + "'>");
}

TEST_F(TaskTest, AFailedTaskKeepsItsException) {
    auto t = asyncio::loop_create_task(*loop, fail_after(1s, 6));
    EXPECT_THROW(asyncio::run_until_complete(*loop, t), AppError);
    EXPECT_TRUE(t.done());
    EXPECT_FALSE(t.cancelled());
    try {
        (void)t.result();
        FAIL() << "no exception";
    } catch (const AppError& e) {
        EXPECT_EQ(e.code, 6);
    }
    std::exception_ptr e = t.exception();
    ASSERT_TRUE(e != nullptr);
    EXPECT_THROW(std::rethrow_exception(e), AppError);
    EXPECT_EQ(t.repr(), "<Task finished exception name='" + t.get_name() + "'>");
}

TEST_F(TaskTest, ACancelledTaskRaisesCancelledErrorFromResultAndException) {
    auto t = asyncio::loop_create_task(*loop, value_after(1s, 5));
    EXPECT_TRUE(t.cancel());
    EXPECT_THROW(asyncio::run_until_complete(*loop, t), CancelledError);
    EXPECT_TRUE(t.done());
    EXPECT_TRUE(t.cancelled());
    EXPECT_THROW((void)t.result(), CancelledError);
    EXPECT_THROW((void)t.exception(), CancelledError);
    EXPECT_EQ(t.repr(), "<Task cancelled name='" + t.get_name() + "'>");
}

asyncio::Coroutine<std::unique_ptr<int>> make_unique_after(int value) {
    co_await asyncio::sleep(0s);
    co_return std::make_unique<int>(value);
}

asyncio::Coroutine<int> awaits_move_only() {
    std::unique_ptr<int> p = co_await asyncio::create_task(make_unique_after(8));
    std::unique_ptr<int> q = co_await make_unique_after(9);
    co_return *p + *q;
}

TEST_F(TaskTest, MoveOnlyResults) {
    EXPECT_EQ(asyncio::run_until_complete(*loop, awaits_move_only()), 17);
    auto t = asyncio::loop_create_task(*loop, make_unique_after(3));
    asyncio::run_until_complete(*loop, value_after(1s, 0));
    EXPECT_EQ(*t.result(), 3); // result() is a reference: read in place
}

// --- exceptions and awaiting

asyncio::Coroutine<int> throws_plain_int() {
    co_await asyncio::sleep(0s);
    throw 42;
}

asyncio::Coroutine<std::string> catches_every_kind() {
    std::string out;
    try {
        co_await asyncio::create_task(fail_after(1s, 7));
    } catch (const AppError& e) {
        out += "task:" + std::to_string(e.code) + " ";
    }
    try {
        co_await fail_after(0s, 8); // awaited inline
    } catch (const AppError& e) {
        out += "inline:" + std::to_string(e.code) + " ";
    }
    try {
        co_await asyncio::create_task(fail_after(0s, 9));
    } catch (const std::runtime_error& e) { // caught by a base class, still an AppError
        out += std::string("base:") +
               (dynamic_cast<const AppError*>(&e) != nullptr ? "AppError" : "?") + " ";
    }
    try {
        co_await asyncio::create_task(throws_plain_int());
    } catch (int v) {
        out += "int:" + std::to_string(v);
    }
    co_return out;
}

TEST_F(TaskTest, ExceptionsKeepTheirTypeAcrossAwait) {
    EXPECT_EQ(asyncio::run_until_complete(*loop, catches_every_kind()),
              "task:7 inline:8 base:AppError int:42");
}

asyncio::Coroutine<int> await_task(asyncio::Task<int> t) {
    co_return co_await t;
}

asyncio::Coroutine<int> awaited_by_two() {
    auto shared = asyncio::create_task(value_after(1s, 11));
    auto a = asyncio::create_task(await_task(shared));
    auto b = asyncio::create_task(await_task(shared));
    const int x = co_await a;
    const int y = co_await b;
    const int again = co_await shared; // done: no suspension, same result
    co_return x * 10000 + y * 100 + again;
}

TEST_F(TaskTest, ATaskAwaitedByTwoTasksGivesBothItsResult) {
    EXPECT_EQ(asyncio::run_until_complete(*loop, awaited_by_two()), 111111);
}

asyncio::Coroutine<int> await_failing(asyncio::Task<int> t) {
    try {
        co_await t;
    } catch (const AppError& e) {
        co_return e.code;
    }
    co_return -1;
}

asyncio::Coroutine<int> failure_awaited_by_two() {
    auto shared = asyncio::create_task(fail_after(1s, 3));
    auto a = asyncio::create_task(await_failing(shared));
    auto b = asyncio::create_task(await_failing(shared));
    co_return co_await a + co_await b;
}

TEST_F(TaskTest, AFailureAwaitedByTwoTasksReachesBoth) {
    EXPECT_EQ(asyncio::run_until_complete(*loop, failure_awaited_by_two()), 6);
}

// --- current_task and all_tasks

bool contains(const std::vector<asyncio::TaskInfo>& tasks, const asyncio::detail::FutureCore* t) {
    for (const asyncio::TaskInfo& info : tasks) {
        if (static_cast<const asyncio::detail::FutureCore*>(info.task) == t) {
            return true;
        }
    }
    return false;
}

asyncio::Coroutine<std::string> current_inline() {
    co_await asyncio::sleep(0s);
    co_return asyncio::current_task().get_name();
}

asyncio::Coroutine<std::string> inspects_tasks() {
    std::string out;
    asyncio::TaskInfo me = asyncio::current_task();
    out += me.get_name() + " ";
    out += (co_await current_inline()) + " "; // an awaited coroutine runs in the same task
    auto other = asyncio::create_task(value_after(1s, 1), "other");
    auto all = asyncio::all_tasks();
    out += std::to_string(all.size()) + " ";
    out += contains(all, me.task) ? "me " : "";
    out += contains(all, other.core()) ? "other " : "";
    co_await other;
    all = asyncio::all_tasks();
    out += std::to_string(all.size()) + " ";
    out += contains(all, other.core()) ? "other-still" : "other-gone";
    co_return out;
}

TEST_F(TaskTest, CurrentTaskAndAllTasks) {
    auto t = asyncio::loop_create_task(*loop, inspects_tasks(), "main");
    EXPECT_EQ(asyncio::run_until_complete(*loop, t), "main main 2 me other 1 other-gone");
    EXPECT_TRUE(asyncio::all_tasks(*loop).empty());
    EXPECT_FALSE(asyncio::current_task());
}

TEST_F(TaskTest, NoCurrentTaskInACallback) {
    bool had_task = true;
    loop->call_soon([&] {
        had_task = static_cast<bool>(asyncio::current_task());
        loop->stop();
    });
    loop->run_forever();
    EXPECT_FALSE(had_task);
}

TEST_F(TaskTest, AllTasksListsUnstartedTasks) {
    auto t = asyncio::loop_create_task(*loop, noop());
    auto all = asyncio::all_tasks(*loop);
    ASSERT_EQ(all.size(), 1U);
    EXPECT_EQ(all[0].get_name(), t.get_name());
    EXPECT_FALSE(all[0].done());
    asyncio::run_until_complete(*loop, t);
    EXPECT_TRUE(all[0].done()) << "a TaskInfo keeps the task it names";
    EXPECT_TRUE(asyncio::all_tasks(*loop).empty());
}

// --- awaiting what cannot be awaited

asyncio::Coroutine<std::string> await_self(asyncio::Task<std::string>* self) {
    co_await asyncio::sleep(0s); // lets the creator store the handle
    try {
        co_await *self;
    } catch (const RuntimeError& e) {
        co_return e.what();
    }
    co_return "no exception";
}

TEST_F(TaskTest, ATaskAwaitingItselfRaisesRuntimeError) {
    asyncio::Task<std::string> self;
    self = asyncio::loop_create_task(*loop, await_self(&self));
    EXPECT_THAT(asyncio::run_until_complete(*loop, self), HasSubstr("Task cannot await on itself"));
}

asyncio::Coroutine<std::string> await_foreign(asyncio::Task<int> foreign) {
    try {
        co_await foreign;
    } catch (const RuntimeError& e) {
        co_return e.what();
    }
    co_return "no exception";
}

TEST_F(TaskTest, AwaitingATaskOfAnotherLoopRaisesRuntimeError) {
    auto other = asyncio::testing::manual_loop();
    auto foreign = asyncio::loop_create_task(*other, value_after(1s, 1));
    EXPECT_THAT(asyncio::run_until_complete(*loop, await_foreign(foreign)),
                HasSubstr("attached to a different loop"));
    EXPECT_EQ(asyncio::run_until_complete(*other, foreign), 1); // untouched, on its own loop
}

// --- done-callbacks

asyncio::Coroutine<int> schedules_then_returns(Log* log) {
    co_await asyncio::sleep(1s);
    asyncio::get_running_loop().call_soon([log] { log->push_back("scheduled by the task"); });
    co_return 5;
}

TEST_F(TaskTest, DoneCallbacksAreScheduledInOrderWhenTheTaskFinishes) {
    Log log;
    auto t = asyncio::loop_create_task(*loop, schedules_then_returns(&log));
    t.add_done_callback([&log](const asyncio::Task<int>& done) {
        log.push_back("cb1 " + std::to_string(done.result()));
    });
    t.add_done_callback([&log](const asyncio::Task<int>& done) {
        log.push_back(std::string("cb2 ") + (done.done() ? "done" : "pending"));
    });
    asyncio::run_until_complete(*loop, t);
    // Scheduled through the loop when the task finished, after what the task scheduled itself.
    EXPECT_THAT(log, ElementsAre("scheduled by the task", "cb1 5", "cb2 done"));
}

TEST_F(TaskTest, DoneCallbackOnADoneTaskIsScheduledNotCalled) {
    Log log;
    auto t = asyncio::loop_create_task(*loop, value_after(0s, 1));
    asyncio::run_until_complete(*loop, t);
    t.add_done_callback([&log](const asyncio::Task<int>&) { log.emplace_back("late"); });
    EXPECT_TRUE(log.empty());
    loop->call_soon([this] { loop->stop(); });
    loop->run_forever();
    EXPECT_THAT(log, ElementsAre("late"));
}

TEST_F(TaskTest, AThrowingDoneCallbackIsReported) {
    auto t = asyncio::loop_create_task(*loop, value_after(0s, 1));
    t.add_done_callback([](const asyncio::Task<int>&) { throw AppError("callback", 2); });
    asyncio::run_until_complete(*loop, t);
    EXPECT_EQ(t.result(), 1);
    ASSERT_EQ(errors.contexts.size(), 1U);
    EXPECT_THAT(errors.contexts[0].message, HasSubstr("Exception in callback"));
    errors.contexts.clear();
}

// --- destruction

asyncio::Coroutine<void> records(bool* body_ran, DestroyFlag flag) {
    *body_ran = true;
    (void)flag;
    co_return;
}

TEST(TaskDestruction, ACoroutineDestroyedWithoutRunningNeverRunsItsBody) {
    bool body_ran = false;
    bool param_destroyed = false;
    {
        auto c = records(&body_ran, DestroyFlag(&param_destroyed));
        EXPECT_TRUE(static_cast<bool>(c));
        EXPECT_FALSE(param_destroyed);
    }
    EXPECT_FALSE(body_ran);
    EXPECT_TRUE(param_destroyed);

    bool replaced_destroyed = false;
    auto c = records(&body_ran, DestroyFlag(&replaced_destroyed));
    c = records(&body_ran, DestroyFlag(&param_destroyed));
    EXPECT_TRUE(replaced_destroyed);
    asyncio::Coroutine<void> moved = std::move(c);
    EXPECT_FALSE(static_cast<bool>(c));
    EXPECT_TRUE(static_cast<bool>(moved));
    EXPECT_FALSE(body_ran);
}

TEST_F(TaskTest, CreateTaskOnAClosedLoopDestroysTheCoroutine) {
    loop->close();
    bool destroyed = false;
    EXPECT_THROW((void)asyncio::loop_create_task(*loop, sleep_forever(DestroyFlag(&destroyed))),
                 RuntimeError);
    EXPECT_TRUE(destroyed);
}

asyncio::Coroutine<int> awaits_future(asyncio::Future<int> f, DestroyFlag flag) {
    (void)flag;
    co_return co_await f;
}

asyncio::Coroutine<void> awaits_task(asyncio::Task<void> t, DestroyFlag flag) {
    (void)flag;
    co_await t;
}

asyncio::Coroutine<void> awaits_inline(DestroyFlag inner, DestroyFlag flag) {
    (void)flag;
    co_await sleep_forever(std::move(inner));
}

asyncio::Coroutine<void> awaits_gather(asyncio::Future<int> f, DestroyFlag flag) {
    (void)flag;
    std::vector<asyncio::Future<int>> fs{f};
    co_await asyncio::gather(fs);
}

asyncio::Coroutine<void> awaits_sleep0_forever(DestroyFlag flag) {
    (void)flag;
    for (;;) {
        co_await asyncio::sleep(0s);
    }
}

TEST_F(TaskTest, PendingTasksAreReportedAndDestroyedAtClose) {
    asyncio::Future<int> never(*loop);
    bool sleeping = false, on_future = false, blocker = false, on_task = false, inner = false,
         outer = false, on_gather = false, yielding = false, unstarted = false, held_flag = false;
    (void)asyncio::loop_create_task(*loop, sleep_forever(DestroyFlag(&sleeping)));
    (void)asyncio::loop_create_task(*loop, awaits_future(never, DestroyFlag(&on_future)));
    auto blocking = asyncio::loop_create_task(*loop, sleep_forever(DestroyFlag(&blocker)));
    (void)asyncio::loop_create_task(*loop, awaits_task(blocking, DestroyFlag(&on_task)));
    blocking = asyncio::Task<void>();
    (void)asyncio::loop_create_task(*loop, awaits_inline(DestroyFlag(&inner), DestroyFlag(&outer)));
    (void)asyncio::loop_create_task(*loop, awaits_gather(never, DestroyFlag(&on_gather)));
    auto held = asyncio::loop_create_task(*loop, sleep_forever(DestroyFlag(&held_flag)));
    asyncio::run_until_complete(*loop, value_after(1s, 0)); // every one has started
    // One that is always ready (a sleep(0) loop would keep the ManualClock from moving, so it
    // comes after), and one that never started.
    (void)asyncio::loop_create_task(*loop, awaits_sleep0_forever(DestroyFlag(&yielding)));
    loop->stop();
    loop->run_forever();
    (void)asyncio::loop_create_task(*loop, sleep_forever(DestroyFlag(&unstarted)));

    loop->close();
    EXPECT_EQ(errors.count("Task was destroyed but it is pending!"), 9U);
    for (const auto& c : errors.contexts) {
        EXPECT_THAT(c.task, StartsWith("<Task pending name='Task-"));
    }
    errors.contexts.clear();
    EXPECT_TRUE(sleeping);
    EXPECT_TRUE(on_future);
    EXPECT_TRUE(blocker);
    EXPECT_TRUE(on_task);
    EXPECT_TRUE(inner);
    EXPECT_TRUE(outer);
    EXPECT_TRUE(on_gather);
    EXPECT_TRUE(yielding);
    EXPECT_TRUE(unstarted);
    // The awaiters left the future as their frames went: completing it touches none of them.
    EXPECT_FALSE(never.done());
    never.set_result(1);
    // A task someone still holds lives on, pending forever, until its last handle goes.
    EXPECT_FALSE(held_flag);
    EXPECT_FALSE(held.done());
    EXPECT_FALSE(held.cancel());
    held = asyncio::Task<void>();
    EXPECT_TRUE(held_flag);
}

// Known bug: a task that close() orphaned but a handle keeps alive keeps its awaiter on the
// future it awaited; completing that future later wakes the task through its loop, which is
// now null: a crash. (Python would raise RuntimeError("Event loop is closed") from the
// future's call_soon.) Expected: nothing happens to the orphaned task.
TEST_F(TaskTest, CompletingAFutureAwaitedByAnOrphanedTaskLeavesItAlone) {
    asyncio::Future<int> f(*loop);
    bool flag = false;
    auto held = asyncio::loop_create_task(*loop, awaits_future(f, DestroyFlag(&flag)));
    asyncio::run_until_complete(*loop, value_after(1s, 0));
    loop->close();
    errors.contexts.clear();
    f.set_result(1);
    EXPECT_FALSE(held.done());
}

// --- asyncio::run

asyncio::Coroutine<bool> debug_flag() {
    co_return asyncio::get_running_loop().get_debug();
}

TEST(Run, ReturnsTheResult) {
    EXPECT_EQ(asyncio::run(value_after(0s, 3)), 3);
    asyncio::run(noop());
    EXPECT_EQ(*asyncio::run(make_unique_after(4)), 4);
    EXPECT_FALSE(asyncio::run(debug_flag()));
    EXPECT_TRUE(asyncio::run(debug_flag(), {.debug = true}));
    EXPECT_EQ(asyncio::EventLoop::running(), nullptr);
}

TEST(Run, RethrowsTheException) {
    try {
        asyncio::run(fail_after(0s, 12));
        FAIL() << "no exception";
    } catch (const AppError& e) {
        EXPECT_EQ(e.code, 12);
    }
}

struct Leftovers {
    bool started = false;
    bool cleaned_up = false;
    bool frame_destroyed = false;
    bool unstarted_destroyed = false;
};

asyncio::Coroutine<void> leftover(Leftovers* l, DestroyFlag flag) {
    (void)flag;
    l->started = true;
    bool cancelled = false;
    try {
        co_await asyncio::sleep(std::chrono::hours(1));
    } catch (const CancelledError&) {
        cancelled = true;
    }
    if (cancelled) {
        co_await asyncio::sleep(0s); // cleanup may await: run() waits for it
        l->cleaned_up = true;
        throw CancelledError();
    }
}

asyncio::Coroutine<int> leaves_tasks_behind(Leftovers* l) {
    (void)asyncio::create_task(leftover(l, DestroyFlag(&l->frame_destroyed)));
    co_await asyncio::sleep(0s);
    (void)asyncio::create_task(sleep_forever(DestroyFlag(&l->unstarted_destroyed)));
    co_return 5;
}

TEST(Run, CancelsWhatIsLeftAndWaitsForIt) {
    Leftovers l;
    EXPECT_EQ(asyncio::run(leaves_tasks_behind(&l)), 5);
    EXPECT_TRUE(l.started);
    EXPECT_TRUE(l.cleaned_up);
    EXPECT_TRUE(l.frame_destroyed);
    EXPECT_TRUE(l.unstarted_destroyed);
}

asyncio::Coroutine<void> fails_when_cancelled() {
    bool cancelled = false;
    try {
        co_await asyncio::sleep(std::chrono::hours(1));
    } catch (const CancelledError&) {
        cancelled = true;
    }
    if (cancelled) {
        throw AppError("cleanup failed", 1);
    }
}

asyncio::Coroutine<void> leaves_a_failing_task() {
    (void)asyncio::create_task(fails_when_cancelled());
    co_await asyncio::sleep(0s);
}

TEST(Run, ReportsLeftoversThatFailWhenCancelled) {
    ::testing::internal::CaptureStderr();
    asyncio::run(leaves_a_failing_task());
    const std::string out = ::testing::internal::GetCapturedStderr();
    EXPECT_THAT(out, HasSubstr("unhandled exception during asyncio.run() shutdown"));
    EXPECT_THAT(out, HasSubstr("cleanup failed"));
}

} // namespace
