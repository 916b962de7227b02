#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <numeric>
#include <string>
#include <tuple>
#include <vector>

#include "concur/multiprocessing/pool.hpp"
#include "concur/multiprocessing/process.hpp"
#include "mp_test_util.hpp"

namespace mp = concur::multiprocessing;
using namespace std::chrono_literals;

namespace {

int square(int x) {
    return x * x;
}
int add(int a, int b) {
    return a + b;
}
int fail_on_three(int x) {
    if (x == 3) {
        throw concur::ValueError("three");
    }
    return x;
}
int worker_pid(int) {
    return static_cast<int>(::getpid());
}
int sleep_ms(int ms) {
    ::usleep(static_cast<useconds_t>(ms) * 1000);
    return ms;
}
void note_start(std::string dir) {
    std::ofstream(dir + "/" + std::to_string(::getpid())) << mp::current_process().name;
}
void bad_initializer() {
    throw std::runtime_error("no");
}

class PoolTest : public concur_test::NoLeaks {};

TEST_F(PoolTest, ApplyAndApplyAsync) {
    mp::Pool pool({.processes = 2});
    EXPECT_EQ(pool.processes(), 2);
    EXPECT_EQ(pool.apply(add, 2, 3), 5);
    auto r = pool.apply_async(square, 9);
    EXPECT_EQ(r.get(30s), 81);
    EXPECT_TRUE(r.ready());
    EXPECT_TRUE(r.successful());
}

TEST_F(PoolTest, ApplyAsyncCallbacks) {
    mp::Pool pool({.processes = 1});
    std::atomic<int> seen{0};
    std::atomic<bool> errored{false};
    auto ok = pool.apply_async({.callback = [&](int& v) { seen = v; }}, square, 4);
    auto bad = pool.apply_async({.error_callback = [&](std::exception_ptr) { errored = true; }},
                                fail_on_three, 3);
    ok.wait(30s);
    bad.wait(30s);
    EXPECT_EQ(seen.load(), 16);
    EXPECT_TRUE(errored.load());
    EXPECT_FALSE(bad.successful());
    EXPECT_THROW(bad.get(), concur::ValueError);
}

TEST_F(PoolTest, MapKeepsOrderWithAnyChunksize) {
    mp::Pool pool({.processes = 2});
    std::vector<int> inputs(1000);
    std::iota(inputs.begin(), inputs.end(), 0);
    for (std::optional<int> chunksize :
         {std::optional<int>{}, std::optional<int>{1}, std::optional<int>{64}}) {
        const std::vector<int> out = pool.map(square, inputs, chunksize);
        ASSERT_EQ(out.size(), inputs.size());
        for (int i = 0; i < 1000; ++i) {
            ASSERT_EQ(out[static_cast<std::size_t>(i)], i * i);
        }
    }
    EXPECT_TRUE(pool.map(square, std::vector<int>{}).empty());
}

TEST_F(PoolTest, MapRethrowsTheCallsException) {
    mp::Pool pool({.processes = 2});
    EXPECT_THROW(pool.map(fail_on_three, std::vector<int>{1, 2, 3, 4}), concur::ValueError);
    // The pool goes on working.
    EXPECT_EQ(pool.apply(square, 5), 25);
}

TEST_F(PoolTest, MapAsyncWithCallback) {
    mp::Pool pool({.processes = 2});
    std::atomic<std::size_t> got{0};
    auto r = pool.map_async(square, std::vector<int>{1, 2, 3},
                            {.callback = [&](std::vector<int>& v) { got = v.size(); }});
    EXPECT_EQ(r.get(30s), (std::vector<int>{1, 4, 9}));
    EXPECT_EQ(got.load(), 3U);
}

TEST_F(PoolTest, StarmapAndStarmapAsync) {
    mp::Pool pool({.processes = 2});
    const std::vector<std::tuple<int, int>> pairs{{1, 2}, {3, 4}, {5, 6}};
    EXPECT_EQ(pool.starmap(add, pairs), (std::vector<int>{3, 7, 11}));
    EXPECT_EQ(pool.starmap_async(add, pairs, {.chunksize = 1}).get(30s),
              (std::vector<int>{3, 7, 11}));
}

std::string label(std::string name, int n) {
    return name + "#" + std::to_string(n);
}

TEST_F(PoolTest, StarmapWithStringsAndNumbers) {
    mp::Pool pool({.processes = 2});
    const std::vector<std::tuple<std::string, int>> items{{"a", 1}, {"b", 2}, {"c", 3}};
    EXPECT_EQ(pool.starmap(label, items, 2), (std::vector<std::string>{"a#1", "b#2", "c#3"}));
}

TEST_F(PoolTest, ImapInOrderAndUnordered) {
    mp::Pool pool({.processes = 2});
    const std::vector<int> delays{80, 1, 40, 1};
    std::vector<int> ordered;
    for (int v : pool.imap(sleep_ms, delays)) {
        ordered.push_back(v);
    }
    EXPECT_EQ(ordered, delays);
    std::vector<int> unordered;
    for (int v : pool.imap_unordered(sleep_ms, delays)) {
        unordered.push_back(v);
    }
    std::sort(unordered.begin(), unordered.end());
    EXPECT_EQ(unordered, (std::vector<int>{1, 1, 40, 80}));
}

TEST_F(PoolTest, InitializerRunsInEveryWorker) {
    const std::string dir = concur_test::temp_path("init");
    std::filesystem::create_directory(dir);
    {
        mp::Pool pool({.processes = 3}, note_start, dir);
        (void)pool.map(square, std::vector<int>(30, 1), 1);
        pool.close();
        EXPECT_TRUE(pool.join(30s));
    }
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(entry.path());
        std::string name;
        in >> name;
        EXPECT_EQ(name.rfind("PoolWorker-", 0), 0U) << name;
        ++n;
    }
    std::filesystem::remove_all(dir);
    EXPECT_EQ(n, 3);
}

TEST_F(PoolTest, FailingInitializerBreaksThePool) {
    mp::Pool pool({.processes = 2}, bad_initializer);
    EXPECT_THROW(pool.apply_async(square, 1).get(30s), mp::BrokenProcessPool);
}

TEST_F(PoolTest, KilledWorkerBreaksThePool) {
    mp::Pool pool({.processes = 2});
    const int victim = pool.apply(worker_pid, 0);
    auto pending = pool.map_async(sleep_ms, std::vector<int>(20, 20), {.chunksize = 1});
    ::kill(victim, SIGKILL);
    EXPECT_THROW(pending.get(30s), mp::BrokenProcessPool);
    EXPECT_THROW(pool.apply(square, 1), mp::BrokenProcessPool);
}

TEST_F(PoolTest, MaxTasksPerChildReplacesWorkers) {
    mp::Pool pool({.processes = 1, .maxtasksperchild = 1});
    const int a = pool.apply(worker_pid, 0);
    const int b = pool.apply(worker_pid, 0);
    EXPECT_NE(a, b);
}

TEST_F(PoolTest, CloseJoinAndMisuse) {
    mp::Pool pool({.processes = 2});
    EXPECT_THROW(pool.join(), concur::ValueError); // still running
    auto r = pool.apply_async(sleep_ms, 50);
    pool.close();
    EXPECT_THROW(pool.apply(square, 1), concur::ValueError);
    EXPECT_TRUE(pool.join(30s));
    EXPECT_EQ(r.get(), 50); // close lets submitted work finish
    EXPECT_THROW(mp::Pool({.processes = 0}), concur::ValueError);
}

TEST_F(PoolTest, TerminateDuringMapFailsWhatIsLeft) {
    mp::Pool pool({.processes = 2});
    auto r = pool.map_async(sleep_ms, std::vector<int>(50, 20), {.chunksize = 1});
    pool.terminate();
    EXPECT_THROW(r.get(30s), mp::ProcessError);
    EXPECT_TRUE(pool.join(30s));
}

TEST_F(PoolTest, GetTimesOut) {
    mp::Pool pool({.processes = 1});
    auto r = pool.apply_async(sleep_ms, 300);
    EXPECT_THROW(r.get(10ms), concur::TimeoutError);
    EXPECT_FALSE(r.ready());
    EXPECT_THROW((void)r.successful(), concur::ValueError);
    EXPECT_EQ(r.get(30s), 300);
}

TEST_F(PoolTest, SpawnContext) {
    mp::Pool pool({.processes = 2, .context = mp::get_context("spawn")});
    EXPECT_EQ(pool.map(square, std::vector<int>{1, 2, 3}), (std::vector<int>{1, 4, 9}));
}

} // namespace
