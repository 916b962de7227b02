// threading.Timer: a thread that calls a function after a delay unless cancelled first.
#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include <concur/core/exceptions.hpp>
#include <concur/threading.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

namespace th = concur::threading;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using ::testing::MatchesRegex;

// Every wait in these tests has this bound, so that a bug fails a test instead of hanging it.
constexpr auto kLong = 5s;

TEST(Timer, FiresAfterItsInterval) {
    th::Event fired;
    Clock::time_point fired_at;
    th::Timer timer(50ms, [&] {
        fired_at = Clock::now();
        fired.set();
    });
    const auto started_at = Clock::now();
    timer.start();
    ASSERT_TRUE(fired.wait(kLong));
    ASSERT_TRUE(timer.join(kLong));
    // Never early: the interval is a lower bound.
    EXPECT_GE(fired_at - started_at, 50ms);
    EXPECT_TRUE(timer.finished().is_set());
}

TEST(Timer, PassesItsArguments) {
    std::string text = "copied";
    std::string seen;
    int sum = 0;
    th::Timer timer(
        1ms,
        [](const std::string& s, int a, std::string& out, int& total) {
            out = s;
            total = a + 1;
        },
        text, 41, std::ref(seen), std::ref(sum));
    text = "changed"; // the timer holds its own copy
    timer.start();
    ASSERT_TRUE(timer.join(kLong));
    EXPECT_EQ(seen, "copied");
    EXPECT_EQ(sum, 42);
}

TEST(Timer, CancelBeforeItFiresPreventsTheCall) {
    std::atomic<bool> called{false};
    th::Timer timer(60s, [&called] { called = true; });
    timer.start();
    EXPECT_FALSE(timer.finished().is_set());
    timer.cancel();
    EXPECT_TRUE(timer.finished().is_set());
    // cancel() wakes the waiting timer: it ends long before its 60 s.
    ASSERT_TRUE(timer.join(kLong));
    EXPECT_FALSE(called.load());
}

TEST(Timer, CancelBeforeStart) {
    std::atomic<bool> called{false};
    th::Timer timer(1ms, [&called] { called = true; });
    timer.cancel();
    timer.start();
    ASSERT_TRUE(timer.join(kLong));
    EXPECT_FALSE(called.load());
}

TEST(Timer, CancelThroughACopy) {
    std::atomic<bool> called{false};
    th::Timer timer(60s, [&called] { called = true; });
    th::Timer copy = timer;
    timer.start();
    copy.cancel();
    ASSERT_TRUE(timer.join(kLong));
    EXPECT_FALSE(called.load());
}

TEST(Timer, CancelAfterItFiredDoesNothing) {
    std::atomic<int> calls{0};
    th::Timer timer(1ms, [&calls] { ++calls; });
    timer.start();
    ASSERT_TRUE(timer.join(kLong));
    timer.cancel();
    timer.cancel();
    EXPECT_EQ(calls.load(), 1);
    EXPECT_TRUE(timer.finished().is_set());
}

TEST(Timer, WaitingOnFinished) {
    th::Timer timer(10ms, [] {});
    EXPECT_FALSE(timer.finished().wait(0s));
    timer.start();
    EXPECT_TRUE(timer.finished().wait(kLong));
    EXPECT_TRUE(timer.join(kLong));
}

TEST(Timer, IsAThread) {
    th::Event release;
    th::Timer timer(0s, [&release] { release.wait(kLong); });
    EXPECT_THAT(timer.name(), MatchesRegex("Thread-[0-9]+"));
    EXPECT_FALSE(timer.daemon());
    timer.set_daemon(true);
    timer.set_name("timer");
    th::Thread& as_thread = timer;
    as_thread.start();
    EXPECT_TRUE(timer.is_alive());
    EXPECT_THROW(timer.start(), concur::RuntimeError);
    EXPECT_THROW(timer.set_daemon(false), concur::RuntimeError);
    EXPECT_FALSE(as_thread.join(10ms));
    release.set();
    EXPECT_TRUE(as_thread.join(kLong));
    EXPECT_TRUE(timer.daemon());
    EXPECT_EQ(timer.name(), "timer");
}

TEST(Timer, ManyTimersEachFireOnce) {
    // As CPython's test_init_immutable_default_args: timers do not share state.
    std::atomic<int> a{0};
    std::atomic<int> b{0};
    th::Timer first(1ms, [&a] { ++a; });
    th::Timer second(1ms, [&b] { ++b; });
    first.start();
    second.start();
    ASSERT_TRUE(first.join(kLong));
    ASSERT_TRUE(second.join(kLong));
    EXPECT_EQ(a.load(), 1);
    EXPECT_EQ(b.load(), 1);
}

TEST(Timer, AnExceptionFromTheFunctionGoesToTheExcepthook) {
    std::string type;
    std::optional<th::Thread> thread;
    th::set_excepthook([&](const th::ExceptHookArgs& args) {
        type = args.exc_type;
        thread = args.thread;
    });
    th::Timer timer(1ms, [] { throw std::invalid_argument("timer failed"); });
    timer.start();
    const bool joined = timer.join(kLong);
    th::set_excepthook({});
    ASSERT_TRUE(joined);
    EXPECT_EQ(type, "std::invalid_argument");
    ASSERT_TRUE(thread.has_value());
    EXPECT_TRUE(*thread == timer);
    // As Python's Timer.run(): finished is set after the call, so not when the call raised.
    EXPECT_FALSE(timer.finished().is_set());
}

} // namespace
