// asyncio::sleep (Python's test_tasks, sleep tests): timers in due order, sleep(0) as one
// yield, and many sleeps at once, all on a ManualClock.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "concur/asyncio.hpp"
#include "runtime_helpers.hpp"

namespace {

using namespace std::chrono_literals;
using concur_test::ManualLoopTest;
using ::testing::ElementsAre;
using ::testing::Pair;
namespace asyncio = concur::asyncio;

using SleepTest = ManualLoopTest;
using Log = std::vector<std::string>;
using Wakes = std::vector<std::pair<int, double>>;

double elapsed_in_loop() {
    return asyncio::get_running_loop().time() - 1000.0;
}

asyncio::Coroutine<void> sleeper(std::chrono::duration<double> d, int id, Wakes* wakes) {
    co_await asyncio::sleep(d);
    wakes->emplace_back(id, elapsed_in_loop());
}

asyncio::Coroutine<void> value_after(std::chrono::duration<double> d) {
    co_await asyncio::sleep(d);
}

TEST_F(SleepTest, SleepersWakeInDueOrderAtTheirTime) {
    Wakes wakes;
    (void)asyncio::loop_create_task(*loop, sleeper(3s, 3, &wakes));
    (void)asyncio::loop_create_task(*loop, sleeper(1s, 1, &wakes));
    (void)asyncio::loop_create_task(*loop, sleeper(2500ms, 2, &wakes));
    (void)asyncio::loop_create_task(*loop, sleeper(0.25s, 0, &wakes));
    asyncio::run_until_complete(*loop, value_after(4s));
    EXPECT_THAT(wakes, ElementsAre(Pair(0, 0.25), Pair(1, 1.0), Pair(2, 2.5), Pair(3, 3.0)));
    EXPECT_DOUBLE_EQ(elapsed(), 4.0);
}

TEST_F(SleepTest, SleepersDueTogetherWakeInTheOrderTheySlept) {
    Wakes wakes;
    for (int i = 0; i < 5; ++i) {
        (void)asyncio::loop_create_task(*loop, sleeper(1s, i, &wakes));
    }
    asyncio::run_until_complete(*loop, value_after(1s));
    EXPECT_THAT(wakes,
                ElementsAre(Pair(0, 1.0), Pair(1, 1.0), Pair(2, 1.0), Pair(3, 1.0), Pair(4, 1.0)));
}

asyncio::Coroutine<void> sleeps_in_steps(Wakes* wakes) {
    for (int i = 1; i <= 4; ++i) {
        co_await asyncio::sleep(0.5s);
        wakes->emplace_back(i, elapsed_in_loop());
    }
}

TEST_F(SleepTest, ConsecutiveSleepsAddUp) {
    Wakes wakes;
    asyncio::run_until_complete(*loop, sleeps_in_steps(&wakes));
    EXPECT_THAT(wakes, ElementsAre(Pair(1, 0.5), Pair(2, 1.0), Pair(3, 1.5), Pair(4, 2.0)));
}

asyncio::Coroutine<void> sleeps_seconds_as_numbers(Wakes* wakes) {
    co_await asyncio::sleep(0.5); // Python's asyncio.sleep(0.5)
    wakes->emplace_back(1, elapsed_in_loop());
    co_await asyncio::sleep(2);
    wakes->emplace_back(2, elapsed_in_loop());
    co_await asyncio::sleep(0);
    wakes->emplace_back(3, elapsed_in_loop());
}

TEST_F(SleepTest, SecondsMayBeGivenAsANumber) {
    Wakes wakes;
    asyncio::run_until_complete(*loop, sleeps_seconds_as_numbers(&wakes));
    EXPECT_THAT(wakes, ElementsAre(Pair(1, 0.5), Pair(2, 2.5), Pair(3, 2.5)));
}

asyncio::Coroutine<void> yields_once(Log* log) {
    log->emplace_back("A1");
    asyncio::get_running_loop().call_soon([log] { log->emplace_back("callback"); });
    co_await asyncio::sleep(0s);
    log->emplace_back("A2");
}

asyncio::Coroutine<void> runs_through(Log* log) {
    log->emplace_back("B1");
    log->emplace_back("B2");
    co_return;
}

TEST_F(SleepTest, SleepZeroYieldsOnceBehindWhatIsReady) {
    Log log;
    auto a = asyncio::loop_create_task(*loop, yields_once(&log));
    auto b = asyncio::loop_create_task(*loop, runs_through(&log));
    asyncio::run_until_complete(*loop, a);
    // B was ready before A yielded, the callback was scheduled before it: both run first.
    EXPECT_THAT(log, ElementsAre("A1", "B1", "B2", "callback", "A2"));
    EXPECT_DOUBLE_EQ(elapsed(), 0.0) << "sleep(0) takes no time";
}

asyncio::Coroutine<void> counts_steps(int* steps, std::chrono::duration<double> d) {
    for (int i = 0; i < 3; ++i) {
        co_await asyncio::sleep(d);
        ++*steps;
    }
}

TEST_F(SleepTest, ANegativeSleepIsASleepZero) {
    int zero = 0;
    int negative = 0;
    auto z = asyncio::loop_create_task(*loop, counts_steps(&zero, 0s));
    auto n = asyncio::loop_create_task(*loop, counts_steps(&negative, -1s));
    for (int i = 1; i <= 4; ++i) {
        loop->stop();
        loop->run_forever();
        EXPECT_EQ(zero, i - 1);
        EXPECT_EQ(negative, i - 1) << "one step per iteration, as sleep(0)";
    }
    EXPECT_TRUE(z.done());
    EXPECT_TRUE(n.done());
    EXPECT_DOUBLE_EQ(elapsed(), 0.0);
}

asyncio::Coroutine<void> checks_its_wake(double delay, int* on_time, int* late) {
    co_await asyncio::sleep(std::chrono::duration<double>(delay));
    if (elapsed_in_loop() == delay) {
        ++*on_time;
    } else {
        ++*late;
    }
}

TEST_F(SleepTest, AHundredThousandConcurrentSleepsAllComplete) {
    constexpr int kSleepers = 100'000;
    int on_time = 0;
    int late = 0;
    for (int i = 0; i < kSleepers; ++i) {
        (void)asyncio::loop_create_task(*loop, checks_its_wake(i % 100, &on_time, &late));
    }
    asyncio::run_until_complete(*loop, value_after(100s));
    EXPECT_EQ(on_time, kSleepers);
    EXPECT_EQ(late, 0);
    EXPECT_TRUE(asyncio::all_tasks(*loop).empty());
    EXPECT_DOUBLE_EQ(elapsed(), 100.0);
}

} // namespace
