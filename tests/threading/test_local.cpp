// threading.local, after CPython's Lib/test/test_threading_local.py: each thread sees its own
// value; values die with their thread or with the local, whichever comes first.
//
// std::thread is used where a test counts destructions at thread exit: its join() returns
// after the thread's thread-local cleanup, where a value is destroyed.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <concur/threading/event.hpp>
#include <concur/threading/local.hpp>
#include <concur/threading/thread.hpp>
#include <gtest/gtest.h>

#include "common/wait_helpers.hpp"

namespace {

using namespace std::chrono_literals;
namespace th = concur::threading;
using concur_test::eventually;

// Joins `t` within `limit`; false if it has not ended by then (the thread is abandoned).
bool join_within(std::thread t, std::chrono::seconds limit = 10s) {
    auto done = std::make_shared<th::Event>();
    std::thread([t = std::move(t), done]() mutable {
        t.join();
        done->set();
    }).detach();
    return done->wait(limit);
}

// Counts constructions and destructions, to check that every value is destroyed once.
struct Tracked {
    static inline std::atomic<int> alive{0};
    static inline std::atomic<int> made{0};
    Tracked() {
        ++alive;
        ++made;
    }
    Tracked(const Tracked&) = delete;
    Tracked& operator=(const Tracked&) = delete;
    ~Tracked() { --alive; }
    int value = 0;
};

class Local : public ::testing::Test {
protected:
    void SetUp() override {
        Tracked::alive = 0;
        Tracked::made = 0;
    }
};

TEST_F(Local, EachThreadHasItsOwnValue) {
    th::local<int> data;
    *data = 1;
    std::vector<int> first_seen(4, -1);
    std::vector<int> last_seen(4, -1);
    std::vector<th::Thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back(th::ThreadOptions{.daemon = true}, [&, i] {
            const auto slot = static_cast<std::size_t>(i);
            first_seen[slot] = data.get();
            for (int k = 0; k < 1000; ++k) {
                data.get() += i + 10;
            }
            last_seen[slot] = *data;
        });
        threads.back().start();
    }
    for (auto& t : threads) {
        ASSERT_TRUE(t.join(10s));
    }
    for (int i = 0; i < 4; ++i) {
        const auto slot = static_cast<std::size_t>(i);
        EXPECT_EQ(first_seen[slot], 0);
        EXPECT_EQ(last_seen[slot], 1000 * (i + 10));
    }
    EXPECT_EQ(data.get(), 1);
}

TEST_F(Local, FactoryRunsOncePerThreadInThatThread) {
    std::atomic<int> calls{0};
    th::local<std::pair<std::string, unsigned long>> data([&] {
        ++calls;
        return std::pair<std::string, unsigned long>("init", th::get_ident());
    });
    EXPECT_EQ(data->first, "init");
    EXPECT_EQ(data->second, th::get_ident());
    data->first = "main";
    bool ok = false;
    th::Thread t({.daemon = true}, [&] {
        ok = data->first == "init" && data->second == th::get_ident() && (*data).first == "init";
        data->first = "other";
        ok = ok && data->first == "other";
    });
    t.start();
    ASSERT_TRUE(t.join(10s));
    EXPECT_TRUE(ok);
    EXPECT_EQ(data->first, "main");
    EXPECT_EQ(calls, 2);
}

TEST_F(Local, NonMovableValues) {
    th::local<std::mutex> mutexes;
    std::scoped_lock guard(*mutexes);
    th::local<Tracked> tracked;
    tracked->value = 3;
    EXPECT_EQ(tracked.get().value, 3);
}

TEST_F(Local, FactoryExceptionPropagatesAndIsRetried) {
    int calls = 0;
    th::local<int> data([&]() -> int {
        if (++calls == 1) {
            throw std::runtime_error("first call fails");
        }
        return 42;
    });
    EXPECT_THROW(data.get(), std::runtime_error);
    EXPECT_EQ(data.get(), 42);
    EXPECT_EQ(calls, 2);
}

TEST_F(Local, ValueDestroyedAtThreadExit) {
    th::local<Tracked> data;
    data->value = 1; // the main thread's value lives on
    ASSERT_TRUE(join_within(std::thread([&] { data->value = 2; })));
    EXPECT_EQ(Tracked::made, 2);
    EXPECT_EQ(Tracked::alive, 1);
    EXPECT_EQ(data->value, 1);
    // A thread that never touches the local makes nothing.
    ASSERT_TRUE(join_within(std::thread([] {})));
    EXPECT_EQ(Tracked::made, 2);
}

TEST_F(Local, ValuesDestroyedWithTheLocal) {
    // The local goes first: every thread's value is destroyed by its destructor, and the
    // threads' exits later destroy nothing more.
    auto data = std::make_unique<th::local<Tracked>>();
    th::Event go;
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] {
            (*data)->value = 1;
            ++ready;
            go.wait(10s);
        });
    }
    ASSERT_TRUE(eventually([&] { return ready == 4; }));
    (*data)->value = 1;
    EXPECT_EQ(Tracked::alive, 5);
    data.reset();
    EXPECT_EQ(Tracked::alive, 0);
    go.set();
    for (auto& t : threads) {
        ASSERT_TRUE(join_within(std::move(t)));
    }
    EXPECT_EQ(Tracked::alive, 0);
    EXPECT_EQ(Tracked::made, 5);
}

TEST_F(Local, ANewLocalInTheSameSlotStartsFresh) {
    // Keys of destroyed locals are reused; a thread must not see the old local's value.
    th::Event step;
    th::Event stepped;
    auto first = std::make_unique<th::local<int>>();
    std::unique_ptr<th::local<int>> second;
    int seen = -1;
    std::thread t([&] {
        **first = 5;
        stepped.set();
        if (step.wait(10s)) {
            seen = **second;
        }
    });
    ASSERT_TRUE(stepped.wait(10s));
    first.reset();
    second = std::make_unique<th::local<int>>();
    step.set();
    ASSERT_TRUE(join_within(std::move(t)));
    EXPECT_EQ(seen, 0);
}

TEST_F(Local, ThreadExitRacesWithLocalDestruction) {
    // Threads exit while the local is destroyed: each value is destroyed exactly once, by one
    // side or the other (TSan and ASan check the rest).
    for (int round = 0; round < 100; ++round) {
        auto data = std::make_unique<th::local<Tracked>>();
        std::atomic<int> touched{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 3; ++i) {
            threads.emplace_back([&] {
                (*data)->value = 1;
                ++touched;
            });
        }
        // Spins rather than polls: the reset below must follow the last touch closely, to race
        // with the threads' exits.
        const auto limit = std::chrono::steady_clock::now() + 10s;
        while (touched < 3 && std::chrono::steady_clock::now() < limit) {
            std::this_thread::yield();
        }
        ASSERT_EQ(touched, 3);
        data.reset();
        for (auto& t : threads) {
            ASSERT_TRUE(join_within(std::move(t)));
        }
        ASSERT_EQ(Tracked::alive, 0) << "round " << round;
        ASSERT_EQ(Tracked::made, 3 * (round + 1));
    }
}

TEST_F(Local, ManyLocalsPerThread) {
    std::vector<std::unique_ptr<th::local<Tracked>>> locals;
    for (int i = 0; i < 40; ++i) {
        locals.push_back(std::make_unique<th::local<Tracked>>());
    }
    ASSERT_TRUE(join_within(std::thread([&] {
        for (int i = 0; i < 40; ++i) {
            (*locals[static_cast<std::size_t>(i)])->value = i;
        }
        for (int i = 0; i < 40; ++i) {
            EXPECT_EQ((*locals[static_cast<std::size_t>(i)])->value, i);
        }
    })));
    EXPECT_EQ(Tracked::made, 40);
    EXPECT_EQ(Tracked::alive, 0);
}

// A value whose destructor uses another local, at thread exit.
struct UsesOther {
    th::local<Tracked>* other = nullptr;
    ~UsesOther() {
        if (other != nullptr) {
            (*other)->value += 1;
        }
    }
};

TEST_F(Local, DestructorsMayUseLocalsAtThreadExit) {
    th::local<UsesOther> first;
    th::local<Tracked> second;
    ASSERT_TRUE(join_within(std::thread([&] { first->other = &second; })));
    // `second` was made during the thread's cleanup, and destroyed by it too.
    EXPECT_EQ(Tracked::made, 1);
    EXPECT_EQ(Tracked::alive, 0);
}

TEST_F(Local, DestructorsMayDestroyLocalsAtThreadExit) {
    // A value owning another local, which the same thread used: destroying the value destroys
    // that local, which must not wait for the thread's own cleanup.
    th::local<std::unique_ptr<th::local<Tracked>>> outer;
    ASSERT_TRUE(join_within(std::thread([&] {
        *outer = std::make_unique<th::local<Tracked>>();
        (**outer)->value = 1;
    })));
    EXPECT_EQ(Tracked::made, 1);
    EXPECT_EQ(Tracked::alive, 0);
}

TEST_F(Local, ReleaseThreadLocalsDestroysTheCallersValuesNow) {
    // The hook for Thread: values go before the thread ends; later accesses start afresh.
    th::local<Tracked> data;
    int alive_after_release = -1;
    int value_after_release = -1;
    ASSERT_TRUE(join_within(std::thread([&] {
        data->value = 7;
        th::detail::release_thread_locals();
        alive_after_release = Tracked::alive;
        value_after_release = data->value;
    })));
    EXPECT_EQ(alive_after_release, 0);
    EXPECT_EQ(value_after_release, 0);
    EXPECT_EQ(Tracked::made, 2);
    EXPECT_EQ(Tracked::alive, 0);
}

} // namespace
