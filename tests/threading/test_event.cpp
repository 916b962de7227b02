// threading.Event, after CPython's Lib/test/lock_tests.py (EventTests).
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <concur/threading/event.hpp>
#include <concur/threading/thread.hpp>
#include <gtest/gtest.h>

#include "common/sleeping_on.hpp"
#include "common/spawn.hpp"
#include "common/wait_helpers.hpp"

namespace {

using namespace std::chrono_literals;
namespace th = concur::threading;
using concur_test::eventually;
using concur_test::sleeping_on;
using concur_test::spawn;

TEST(Event, IsSet) {
    th::Event evt;
    EXPECT_FALSE(evt.is_set());
    evt.set();
    EXPECT_TRUE(evt.is_set());
    evt.set();
    EXPECT_TRUE(evt.is_set());
    evt.clear();
    EXPECT_FALSE(evt.is_set());
    evt.clear();
    EXPECT_FALSE(evt.is_set());
}

// Every waiting thread is woken by set(), and a second wait returns at once.
void check_notify(th::Event& evt) {
    constexpr int kThreads = 5;
    std::atomic<int> started{0};
    std::atomic<int> first{0};
    std::atomic<int> second{0};
    std::vector<th::Thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.push_back(spawn([&] {
            ++started;
            first += evt.wait(10s) ? 1 : 0;
            second += evt.wait(10s) ? 1 : 0;
        }));
    }
    ASSERT_TRUE(eventually([&] { return started == kThreads; }));
    std::this_thread::sleep_for(10ms); // a chance to return early, were wait() broken
    EXPECT_EQ(first, 0);
    evt.set();
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(20s));
    }
    EXPECT_EQ(first, kThreads);
    EXPECT_EQ(second, kThreads);
}

TEST(Event, Notify) {
    th::Event evt;
    check_notify(evt);
    // Another time, after an explicit clear().
    evt.set();
    evt.clear();
    check_notify(evt);
}

TEST(Event, Timeout) {
    th::Event evt;
    std::vector<th::Thread> threads;
    std::atomic<int> immediate{0};
    std::atomic<int> timed{0};
    std::atomic<int> in_bounds{0};
    auto waiter = [&] {
        immediate += evt.wait(0s) ? 1 : 0;
        const auto start = std::chrono::steady_clock::now();
        timed += evt.wait(50ms) ? 1 : 0;
        const auto elapsed = std::chrono::steady_clock::now() - start;
        in_bounds += (elapsed >= 30ms && elapsed < 5s) ? 1 : 0;
    };
    for (int i = 0; i < 5; ++i) {
        threads.push_back(spawn(waiter));
    }
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(10s));
    }
    EXPECT_EQ(immediate, 0);
    EXPECT_EQ(timed, 0);
    EXPECT_EQ(in_bounds, 5);
    // Once set, waits succeed at once.
    evt.set();
    EXPECT_TRUE(evt.wait(0s));
    EXPECT_TRUE(evt.wait(50ms));
    EXPECT_TRUE(evt.wait());
    EXPECT_TRUE(evt.wait(-1s));
    evt.clear();
    EXPECT_FALSE(evt.wait(-1s));
}

TEST(Event, WaitUntil) {
    th::Event evt;
    EXPECT_FALSE(evt.wait_until(concur::Deadline::after(10ms)));
    evt.set();
    EXPECT_TRUE(evt.wait_until(concur::Deadline::after(0s)));
}

TEST(Event, SetAndClear) {
    // CPython issue #13502: wait() returns true even when the event is cleared again before
    // the waiting thread wakes up. The threads are known to be asleep before set().
    th::Event evt;
    constexpr int kThreads = 5;
    std::vector<std::atomic<long>> tids(kThreads);
    std::atomic<int> results{0};
    std::vector<th::Thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.push_back(spawn([&, i] {
            tids[static_cast<std::size_t>(i)] = th::get_native_id();
            results += evt.wait(10s) ? 1 : 0;
        }));
    }
    for (auto& tid : tids) {
        ASSERT_TRUE(eventually([&] { return tid != 0 && sleeping_on(tid, &evt); }));
    }
    evt.set();
    evt.clear();
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(20s));
    }
    EXPECT_EQ(results, kThreads);
    EXPECT_FALSE(evt.is_set());
}

TEST(Event, SetWakesWaitersRepeatedly) {
    // Rounds of set/clear: a waiter of each round sees its set, whatever the interleaving.
    th::Event go;
    th::Event done;
    std::atomic<int> woken{0};
    auto t = spawn([&] {
        for (int round = 0; round < 200; ++round) {
            if (!go.wait(10s)) {
                return;
            }
            go.clear();
            ++woken;
            done.set();
        }
    });
    for (int round = 0; round < 200; ++round) {
        go.set();
        ASSERT_TRUE(done.wait(10s));
        done.clear();
    }
    ASSERT_TRUE(t.join(10s));
    EXPECT_EQ(woken, 200);
}

} // namespace
