// threading.Thread and the module functions, after CPython's Lib/test/test_threading.py.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <pthread.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <unordered_set>
#include <vector>

#include <concur/core/exceptions.hpp>
#include <concur/threading.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

namespace th = concur::threading;
using namespace std::chrono_literals;
using concur::RuntimeError;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

// Every wait in these tests has this bound, so that a bug fails a test instead of hanging it.
constexpr auto kLong = 5s;

// Releases a blocked thread and joins it on scope exit, so that a failed assertion leaves no
// thread behind for the exit rule to wait on.
class ReleaseAndJoin {
public:
    ReleaseAndJoin(th::Event& release, th::Thread thread)
        : release_(release), thread_(std::move(thread)) {}
    ReleaseAndJoin(const ReleaseAndJoin&) = delete;
    ReleaseAndJoin& operator=(const ReleaseAndJoin&) = delete;
    ~ReleaseAndJoin() {
        release_.set();
        if (thread_.ident()) {
            thread_.join(kLong);
        }
    }

private:
    th::Event& release_;
    th::Thread thread_;
};

bool contains(const std::vector<th::Thread>& threads, const th::Thread& t) {
    return std::find(threads.begin(), threads.end(), t) != threads.end();
}

std::string system_thread_name() {
    char buffer[32] = {};
    pthread_getname_np(pthread_self(), buffer, sizeof buffer);
    return buffer;
}

// --- targets and their arguments -------------------------------------------------------------

TEST(Thread, TargetReceivesCopiesOfItsArguments) {
    std::string text = "before";
    std::string seen;
    int sum = 0;
    th::Thread t(
        [](const std::string& s, int a, int b, std::string& out, int& total) {
            out = s;
            total = a + b;
        },
        text, 2, 3, std::ref(seen), std::ref(sum));
    // The thread got its own copy at construction: later changes to the caller's do not reach it.
    text = "after";
    t.start();
    ASSERT_TRUE(t.join(kLong));
    EXPECT_EQ(seen, "before");
    EXPECT_EQ(sum, 5);
}

TEST(Thread, StdRefSharesAnObjectWithTheThread) {
    std::vector<int> shared;
    th::Event appended;
    th::Thread t(
        [](std::vector<int>& v, th::Event& done) {
            v.push_back(42);
            done.set();
        },
        std::ref(shared), std::ref(appended));
    t.start();
    ASSERT_TRUE(appended.wait(kLong));
    ASSERT_TRUE(t.join(kLong));
    EXPECT_EQ(shared, std::vector<int>{42});
}

TEST(Thread, ArgumentsAreReleasedWhenTheThreadEnds) {
    // As CPython's test_no_refcycle_through_target: the thread drops its target and arguments
    // when it ends, even while a handle to it lives on.
    auto payload = std::make_shared<int>(7);
    th::Thread t([](const std::shared_ptr<int>& p) { EXPECT_EQ(*p, 7); }, payload);
    EXPECT_EQ(payload.use_count(), 2);
    t.start();
    ASSERT_TRUE(t.join(kLong));
    EXPECT_EQ(payload.use_count(), 1);
}

TEST(Thread, NoCycleThroughTheTarget) {
    struct Owner {
        std::optional<th::Thread> thread;
    };
    auto owner = std::make_shared<Owner>();
    std::weak_ptr<Owner> weak = owner;
    // The owner holds the thread and the thread's target holds the owner: a cycle that must
    // break when the thread ends.
    owner->thread.emplace([](const std::shared_ptr<Owner>&) {}, owner);
    owner->thread->start();
    ASSERT_TRUE(owner->thread->join(kLong));
    owner.reset();
    EXPECT_TRUE(weak.expired());
}

TEST(Thread, AThreadWithoutATargetRunsNothing) {
    // Python's Thread().start() is legal and does nothing, also once the object that started it
    // is gone (ASan catches a thread that still calls run() on it).
    for (int i = 0; i < 20; ++i) {
        auto original = std::make_unique<th::Thread>();
        th::Thread copy = *original;
        original->start();
        original.reset();
        ASSERT_TRUE(copy.join(kLong));
    }
}

TEST(Thread, RunCalledDirectlyRunsTheTargetInTheCaller) {
    unsigned long ran_in = 0;
    th::Thread t([&ran_in] { ran_in = th::get_ident(); });
    t.run();
    EXPECT_EQ(ran_in, th::get_ident());
    EXPECT_FALSE(t.is_alive());
}

// --- subclass style --------------------------------------------------------------------------

// The course's FibonacciThread: derives from Thread and computes fib(num) in run().
class FibonacciThread : public th::Thread {
public:
    explicit FibonacciThread(int num) : num_(num) {}

    void run() override {
        std::vector<long> fib(static_cast<std::size_t>(num_) + 1);
        fib[0] = 0;
        fib[1] = 1;
        for (std::size_t i = 2; i < fib.size(); ++i) {
            fib[i] = fib[i - 1] + fib[i - 2];
        }
        result = fib.back();
        ran_as = th::current_thread();
    }

    long result = -1;
    std::optional<th::Thread> ran_as;

private:
    int num_;
};

TEST(Thread, SubclassOverridingRun) {
    FibonacciThread task1(9);
    FibonacciThread task2(12);
    task1.start();
    task2.start();
    ASSERT_TRUE(task1.join(kLong));
    ASSERT_TRUE(task2.join(kLong));
    EXPECT_EQ(task1.result, 34);
    EXPECT_EQ(task2.result, 144);
    // run() ran in the new thread, whose current_thread() is the object itself.
    ASSERT_TRUE(task1.ran_as.has_value());
    EXPECT_TRUE(*task1.ran_as == task1);
    EXPECT_FALSE(*task1.ran_as == task2);
}

TEST(Thread, SubclassWithOptions) {
    class Named : public th::Thread {
    public:
        Named() : Thread({.name = "named-worker", .daemon = true}) {}
        void run() override { seen = th::current_thread().name(); }
        std::string seen;
    };
    Named t;
    EXPECT_EQ(t.name(), "named-worker");
    EXPECT_TRUE(t.daemon());
    t.start();
    ASSERT_TRUE(t.join(kLong));
    EXPECT_EQ(t.seen, "named-worker");
}

// --- names -----------------------------------------------------------------------------------

TEST(Thread, DefaultNamesAreThreadN) {
    th::Thread first([] {});
    th::Thread second([] {});
    ASSERT_THAT(first.name(), MatchesRegex("Thread-[0-9]+"));
    ASSERT_THAT(second.name(), MatchesRegex("Thread-[0-9]+"));
    const int n1 = std::stoi(first.name().substr(7));
    const int n2 = std::stoi(second.name().substr(7));
    EXPECT_EQ(n2, n1 + 1);
    // As in Python, an empty name is no name.
    EXPECT_THAT(th::Thread({.name = ""}, [] {}).name(), MatchesRegex("Thread-[0-9]+"));
}

TEST(Thread, CustomNameAndSetName) {
    th::Thread t({.name = "myname1"}, [] {});
    EXPECT_EQ(t.name(), "myname1");
    t.set_name("renamed");
    EXPECT_EQ(t.name(), "renamed");
    // Names are not unique.
    th::Thread twin({.name = "renamed"}, [] {});
    EXPECT_EQ(twin.name(), t.name());
    EXPECT_FALSE(twin == t);
}

TEST(Thread, NameIsVisibleInsideAndNamesTheSystemThread) {
    std::string inside;
    std::string system_at_start;
    std::string system_after_rename;
    th::Thread t({.name = "a-rather-long-thread-name"}, [&] {
        inside = th::current_thread().name();
        system_at_start = system_thread_name();
        th::current_thread().set_name("inner");
        system_after_rename = system_thread_name();
    });
    t.start();
    ASSERT_TRUE(t.join(kLong));
    EXPECT_EQ(inside, "a-rather-long-thread-name");
    // The kernel keeps 15 bytes of a thread's name.
    EXPECT_EQ(system_at_start, "a-rather-long-t");
    EXPECT_EQ(system_after_rename, "inner");
    EXPECT_EQ(t.name(), "inner");
}

TEST(Thread, SetNameOfARunningThreadFromAnotherThread) {
    th::Event release;
    std::string seen;
    std::string system_name;
    th::Thread t({.name = "old"}, [&] {
        release.wait(kLong);
        seen = th::current_thread().name();
        system_name = system_thread_name();
    });
    t.start();
    ReleaseAndJoin guard(release, t);
    t.set_name("new");
    EXPECT_EQ(t.name(), "new");
    release.set();
    ASSERT_TRUE(t.join(kLong));
    EXPECT_EQ(seen, "new");
    // As CPython 3.14, only the thread itself renames its system thread.
    EXPECT_EQ(system_name, "old");
    // Renaming a thread that has ended is allowed and harmless.
    t.set_name("after");
    EXPECT_EQ(t.name(), "after");
}

// --- daemon ----------------------------------------------------------------------------------

TEST(Thread, DaemonParameter) {
    EXPECT_FALSE(th::Thread([] {}).daemon());
    EXPECT_FALSE(th::Thread({.daemon = false}, [] {}).daemon());
    EXPECT_TRUE(th::Thread({.daemon = true}, [] {}).daemon());
    th::Thread t([] {});
    t.set_daemon(true);
    EXPECT_TRUE(t.daemon());
    t.set_daemon(false);
    EXPECT_FALSE(t.daemon());
}

TEST(Thread, DaemonIsInheritedFromTheCreatingThread) {
    // What a thread created inside `parent` defaults to, and what an explicit option gives.
    struct Seen {
        bool inherited = false;
        bool explicit_false = true;
    };
    auto probe = [](bool parent_daemon) {
        Seen seen;
        th::Thread parent({.daemon = parent_daemon}, [&seen] {
            seen.inherited = th::Thread([] {}).daemon();
            seen.explicit_false = th::Thread({.daemon = false}, [] {}).daemon();
        });
        parent.start();
        EXPECT_TRUE(parent.join(kLong));
        return seen;
    };
    const Seen from_daemon = probe(true);
    EXPECT_TRUE(from_daemon.inherited);
    EXPECT_FALSE(from_daemon.explicit_false);
    const Seen from_normal = probe(false);
    EXPECT_FALSE(from_normal.inherited);
    EXPECT_FALSE(from_normal.explicit_false);
}

TEST(Thread, SetDaemonAfterStartIsRuntimeError) {
    th::Event release;
    th::Thread t([&release] { release.wait(kLong); });
    t.start();
    ReleaseAndJoin guard(release, t);
    EXPECT_THROW(t.set_daemon(true), RuntimeError);
    EXPECT_FALSE(t.daemon());
    release.set();
    ASSERT_TRUE(t.join(kLong));
    // Still an error once the thread has ended: it has been started.
    EXPECT_THROW(t.set_daemon(true), RuntimeError);
    EXPECT_THROW(th::main_thread().set_daemon(true), RuntimeError);
}

// --- start and join --------------------------------------------------------------------------

TEST(Thread, StartTwiceIsRuntimeError) {
    th::Event release;
    th::Thread t([&release] { release.wait(kLong); });
    t.start();
    ReleaseAndJoin guard(release, t);
    EXPECT_THROW(t.start(), RuntimeError);
    // Through a copy too: copies are the same thread.
    th::Thread copy = t;
    EXPECT_THROW(copy.start(), RuntimeError);
    release.set();
    ASSERT_TRUE(t.join(kLong));
    EXPECT_THROW(t.start(), RuntimeError);
}

TEST(Thread, StartReturnsOnceTheThreadRuns) {
    th::Event release;
    th::Thread t([&release] { release.wait(kLong); });
    EXPECT_FALSE(t.is_alive());
    EXPECT_FALSE(contains(th::enumerate(), t));
    t.start();
    ReleaseAndJoin guard(release, t);
    // No waiting needed: start() has returned, so the thread is running.
    EXPECT_TRUE(t.is_alive());
    EXPECT_TRUE(t.ident().has_value());
    EXPECT_TRUE(contains(th::enumerate(), t));
}

TEST(Thread, JoinBeforeStartIsRuntimeError) {
    th::Thread t([] {});
    EXPECT_THROW(t.join(), RuntimeError);
    EXPECT_THROW(t.join(1s), RuntimeError);
    EXPECT_THROW(th::Thread().join(), RuntimeError);
}

TEST(Thread, JoinCurrentThreadIsRuntimeError) {
    EXPECT_THROW(th::current_thread().join(), RuntimeError);
    EXPECT_THROW(th::main_thread().join(kLong), RuntimeError);

    // From inside a thread, through its own handle.
    std::atomic<int> outcome{0}; // 1: RuntimeError, 2: returned, 3: other exception
    th::Thread t([&outcome] {
        try {
            th::current_thread().join(1s);
            outcome = 2;
        } catch (const RuntimeError&) {
            outcome = 1;
        } catch (...) {
            outcome = 3;
        }
    });
    t.start();
    ASSERT_TRUE(t.join(kLong));
    EXPECT_EQ(outcome.load(), 1);
}

TEST(Thread, JoinWithTimeoutOnABlockedThread) {
    th::Event release;
    th::Thread t([&release] { release.wait(kLong); });
    t.start();
    ReleaseAndJoin guard(release, t);
    const auto begin = std::chrono::steady_clock::now();
    EXPECT_FALSE(t.join(50ms));
    EXPECT_LT(std::chrono::steady_clock::now() - begin, kLong);
    EXPECT_TRUE(t.is_alive());
    // A zero or negative timeout polls, as Python's join(timeout <= 0).
    EXPECT_FALSE(t.join(0s));
    EXPECT_FALSE(t.join(-1s));
    EXPECT_TRUE(t.is_alive());
    release.set();
    EXPECT_TRUE(t.join(kLong));
    EXPECT_FALSE(t.is_alive());
    // A thread can be joined many times.
    EXPECT_TRUE(t.join());
    EXPECT_TRUE(t.join(0s));
}

TEST(Thread, SeveralThreadsJoinTheSameThread) {
    th::Event release;
    th::Thread target([&release] { release.wait(kLong); });
    target.start();
    ReleaseAndJoin guard(release, target);
    std::atomic<int> joined{0};
    std::vector<th::Thread> joiners;
    for (int i = 0; i < 4; ++i) {
        joiners.emplace_back([&joined, target] {
            if (target.join(kLong)) {
                ++joined;
            }
        });
        joiners.back().start();
    }
    std::this_thread::sleep_for(20ms); // a chance for the joiners to block; not needed to pass
    release.set();
    for (auto& j : joiners) {
        ASSERT_TRUE(j.join(kLong));
    }
    EXPECT_EQ(joined.load(), 4);
}

TEST(Thread, IsAliveThroughItsLife) {
    th::Event release;
    th::Event running;
    th::Thread t([&] {
        running.set();
        release.wait(kLong);
    });
    EXPECT_FALSE(t.is_alive());
    t.start();
    ReleaseAndJoin guard(release, t);
    ASSERT_TRUE(running.wait(kLong));
    EXPECT_TRUE(t.is_alive());
    release.set();
    ASSERT_TRUE(t.join(kLong));
    EXPECT_FALSE(t.is_alive());
}

// A thread that ends with pthread_exit() (Python: a thread ending with SystemExit) ends quietly:
// no excepthook, no std::terminate, and join() returns.
TEST(Thread, PthreadExitEndsTheThreadQuietly) {
    std::atomic<int> hook_calls{0};
    th::set_excepthook([&hook_calls](const th::ExceptHookArgs&) { ++hook_calls; });
    bool after_exit = false;
    th::Thread t([&after_exit] {
        pthread_exit(nullptr);
        after_exit = true;
    });
    t.start();
    const bool joined = t.join(kLong);
    th::set_excepthook({});
    ASSERT_TRUE(joined);
    EXPECT_FALSE(t.is_alive());
    EXPECT_FALSE(after_exit);
    EXPECT_EQ(hook_calls.load(), 0);
    EXPECT_FALSE(contains(th::enumerate(), t));
}

// --- identity --------------------------------------------------------------------------------

TEST(Thread, IdentAndNativeId) {
    th::Event release;
    unsigned long ident_inside = 0;
    long native_inside = 0;
    std::optional<unsigned long> handle_ident_inside;
    std::optional<long> handle_native_inside;
    th::Thread t([&] {
        ident_inside = th::get_ident();
        native_inside = th::get_native_id();
        handle_ident_inside = th::current_thread().ident();
        handle_native_inside = th::current_thread().native_id();
        release.wait(kLong);
    });
    EXPECT_EQ(t.ident(), std::nullopt);
    EXPECT_EQ(t.native_id(), std::nullopt);
    t.start();
    ReleaseAndJoin guard(release, t);
    // Known as soon as start() returns.
    ASSERT_TRUE(t.ident().has_value());
    ASSERT_TRUE(t.native_id().has_value());
    EXPECT_NE(*t.ident(), 0u);
    EXPECT_GT(*t.native_id(), 0);
    EXPECT_NE(*t.ident(), th::get_ident());
    EXPECT_NE(*t.native_id(), th::get_native_id());
    release.set();
    ASSERT_TRUE(t.join(kLong));
    EXPECT_EQ(t.ident(), ident_inside);
    EXPECT_EQ(t.native_id(), native_inside);
    EXPECT_EQ(handle_ident_inside, ident_inside);
    EXPECT_EQ(handle_native_inside, native_inside);
    // Still available after the thread has ended.
    EXPECT_TRUE(t.ident().has_value());
}

TEST(Thread, NativeIdsOfLiveThreadsAreDistinct) {
    // As CPython's test_various_ops.
    constexpr int kThreads = 5;
    th::Event release;
    std::vector<th::Thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&release] { release.wait(kLong); });
        threads.back().start();
    }
    std::unordered_set<long> native_ids{th::get_native_id()};
    std::unordered_set<unsigned long> idents{th::get_ident()};
    for (const auto& t : threads) {
        native_ids.insert(t.native_id().value_or(-1));
        idents.insert(t.ident().value_or(0));
    }
    release.set();
    for (auto& t : threads) {
        EXPECT_TRUE(t.join(kLong));
    }
    EXPECT_EQ(native_ids.size(), kThreads + 1u);
    EXPECT_EQ(idents.size(), kThreads + 1u);
}

TEST(Thread, CurrentThreadInsideEqualsTheHandle) {
    std::optional<th::Thread> inside;
    th::Thread t([&inside] { inside = th::current_thread(); });
    t.start();
    ASSERT_TRUE(t.join(kLong));
    ASSERT_TRUE(inside.has_value());
    EXPECT_TRUE(*inside == t);
    EXPECT_EQ(std::hash<th::Thread>{}(*inside), std::hash<th::Thread>{}(t));
    EXPECT_FALSE(*inside == th::current_thread());
}

TEST(Thread, CopiesAreTheSameThread) {
    th::Event release;
    th::Thread original([&release] { release.wait(kLong); });
    th::Thread copy = original;
    EXPECT_TRUE(copy == original);
    copy.start();
    ReleaseAndJoin guard(release, original);
    EXPECT_TRUE(original.is_alive());
    EXPECT_EQ(original.ident(), copy.ident());
    copy.set_name("shared-name");
    EXPECT_EQ(original.name(), "shared-name");
    std::unordered_set<th::Thread> set{original, copy, th::main_thread()};
    EXPECT_EQ(set.size(), 2u);
    release.set();
    EXPECT_TRUE(original.join(kLong));
    EXPECT_FALSE(copy.is_alive());
}

// --- the main thread and the registry ----------------------------------------------------------

TEST(Thread, MainThreadFromMain) {
    th::Thread main = th::main_thread();
    EXPECT_TRUE(main == th::current_thread());
    EXPECT_EQ(main.name(), "MainThread");
    EXPECT_EQ(main.ident(), th::get_ident());
    EXPECT_EQ(main.native_id(), static_cast<long>(::getpid()));
    EXPECT_EQ(th::get_native_id(), static_cast<long>(::getpid()));
    EXPECT_FALSE(main.daemon());
    EXPECT_TRUE(main.is_alive());
    EXPECT_TRUE(contains(th::enumerate(), main));
}

TEST(Thread, MainThreadFromAThread) {
    const unsigned long main_ident = th::get_ident();
    std::optional<th::Thread> main_seen;
    bool current_is_main = true;
    th::Thread t([&] {
        main_seen = th::main_thread();
        current_is_main = th::current_thread() == th::main_thread();
    });
    t.start();
    ASSERT_TRUE(t.join(kLong));
    ASSERT_TRUE(main_seen.has_value());
    EXPECT_TRUE(*main_seen == th::main_thread());
    EXPECT_EQ(main_seen->ident(), main_ident);
    EXPECT_EQ(main_seen->name(), "MainThread");
    EXPECT_FALSE(current_is_main);
}

TEST(Thread, EnumerateAndActiveCountFollowARunningThread) {
    const std::size_t before = th::active_count();
    EXPECT_GE(before, 1u); // the main thread at least
    EXPECT_EQ(th::enumerate().size(), before);

    th::Event release;
    th::Thread t([&release] { release.wait(kLong); });
    t.start();
    ReleaseAndJoin guard(release, t);
    const auto during = th::enumerate();
    EXPECT_TRUE(contains(during, t));
    EXPECT_TRUE(contains(during, th::main_thread()));
    EXPECT_EQ(during.size(), before + 1);
    EXPECT_EQ(th::active_count(), before + 1);

    release.set();
    ASSERT_TRUE(t.join(kLong));
    // As CPython's test_enumerate_after_join: gone as soon as join() returns.
    EXPECT_FALSE(contains(th::enumerate(), t));
    EXPECT_EQ(th::active_count(), before);
}

TEST(Thread, EnumerateAfterJoinRepeatedly) {
    for (int i = 0; i < 100; ++i) {
        th::Thread t([] {});
        t.start();
        ASSERT_TRUE(t.join(kLong));
        ASSERT_FALSE(contains(th::enumerate(), t)) << "after " << i << " trials";
    }
}

TEST(Thread, ForeignThreadGetsADummyEntry) {
    th::Event registered;
    th::Event release;
    std::optional<th::Thread> dummy;
    std::optional<th::Thread> again;
    unsigned long ident_inside = 0;
    bool child_daemon = false;
    std::thread foreign([&] {
        dummy = th::current_thread();
        again = th::current_thread();
        ident_inside = th::get_ident();
        // A Thread made by a dummy (daemon) thread is a daemon by default, as in Python.
        child_daemon = th::Thread([] {}).daemon();
        registered.set();
        release.wait(kLong);
    });
    const bool was_registered = registered.wait(kLong);
    if (was_registered) {
        EXPECT_THAT(dummy->name(), StartsWith("Dummy-"));
        EXPECT_TRUE(*dummy == *again);
        EXPECT_TRUE(dummy->daemon());
        EXPECT_TRUE(dummy->is_alive());
        EXPECT_EQ(dummy->ident(), ident_inside);
        EXPECT_TRUE(child_daemon);
        EXPECT_TRUE(contains(th::enumerate(), *dummy));
        EXPECT_FALSE(*dummy == th::main_thread());
    }
    release.set();
    foreign.join();
    ASSERT_TRUE(was_registered);
    // The entry goes when the foreign thread exits.
    EXPECT_FALSE(contains(th::enumerate(), *dummy));
    EXPECT_FALSE(dummy->is_alive());
}

TEST(Thread, JoiningADummyEntryReturnsWhenTheForeignThreadExits) {
    th::Event registered;
    th::Event release;
    std::optional<th::Thread> dummy;
    std::thread foreign([&] {
        dummy = th::current_thread();
        registered.set();
        release.wait(kLong);
    });
    if (!registered.wait(kLong)) {
        release.set();
        foreign.join();
        FAIL() << "the foreign thread did not register";
    }
    // The joiner waits without a timeout; it is a daemon so that a hang here cannot hold up the
    // process's exit, and this test bounds it instead.
    th::Thread joiner({.daemon = true}, [d = *dummy] { d.join(); });
    joiner.start();
    EXPECT_FALSE(joiner.join(20ms));
    release.set();
    foreign.join();
    EXPECT_TRUE(joiner.join(kLong));
}

TEST(Thread, HandlesDroppedWhileTheThreadRuns) {
    // Fire and forget: the only handle is a temporary, gone before the thread does its work.
    constexpr int kThreads = 10;
    th::Event release;
    th::Lock lock;
    std::vector<th::Thread> seen; // each thread's own handle, from current_thread()
    th::Event all_seen;
    std::atomic<int> work{0};
    for (int i = 0; i < kThreads; ++i) {
        th::Thread([&] {
            release.wait(kLong);
            ++work;
            std::scoped_lock guard(lock);
            seen.push_back(th::current_thread());
            if (seen.size() == kThreads) {
                all_seen.set();
            }
        }).start();
    }
    release.set();
    ASSERT_TRUE(all_seen.wait(kLong));
    std::vector<th::Thread> handles;
    {
        std::scoped_lock guard(lock);
        handles = seen;
    }
    // Each thread is still joinable through the handle it gave itself.
    for (auto& t : handles) {
        EXPECT_TRUE(t.join(kLong));
    }
    EXPECT_EQ(work.load(), kThreads);
}

} // namespace
