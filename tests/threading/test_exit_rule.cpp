// Python's exit rule: at process exit, run the threading atexit calls newest first, then wait
// for every non-daemon thread, never for daemon ones. After CPython's ThreadJoinOnShutdown and
// AtexitTests. Each case runs in a child process (a death test) that ends with std::exit, which
// is what returning from main does.
#include <chrono>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unistd.h>

#include <concur/threading.hpp>
#include <gtest/gtest.h>

namespace {

namespace th = concur::threading;
using namespace std::chrono_literals;
using ::testing::ExitedWithCode;

// Exit codes that tell how a child went wrong.
constexpr int kHung = 99;         // the watchdog fired: the exit rule never finished
constexpr int kWorkerStuck = 98;  // a worker gave up waiting for the step it depends on
constexpr int kDaemonWaited = 97; // exit waited for a daemon thread

// Long enough that only a bug reaches it, short enough to stay well under the ctest timeout.
constexpr auto kLong = 10s;

// One write(2) per message: visible even if the process ends right after, and never split.
void say(std::string_view text) {
    [[maybe_unused]] const auto written = ::write(STDERR_FILENO, text.data(), text.size());
}

// std::exit, as returning from main does. Calling it while threads run is the subject here.
[[noreturn]] void exit_process(int code) {
    std::exit(code); // NOLINT(concurrency-mt-unsafe)
}

// A daemon thread that ends the child with kHung if it is still running after a while: a bug
// that deadlocks the exit rule fails the test instead of hanging it.
void start_watchdog() {
    th::Thread({.name = "watchdog", .daemon = true}, [] {
        th::Event never;
        never.wait(2 * kLong);
        say("watchdog: the process did not exit\n");
        ::_exit(kHung);
    }).start();
}

class ExitRuleDeathTest : public ::testing::Test {
protected:
    void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(ExitRuleDeathTest, ExitWaitsForANonDaemonThread) {
    EXPECT_EXIT(
        {
            start_watchdog();
            // Shared by ownership: exit() does not unwind this frame, but keep the worker's
            // state out of anything exit might tear down.
            auto exiting = std::make_shared<th::Event>();
            th::Thread worker([exiting] {
                if (!exiting->wait(kLong)) {
                    ::_exit(kWorkerStuck);
                }
                // Give a wrongly unwaited-for exit every chance to finish first.
                std::this_thread::sleep_for(200ms);
                say("worker done\n");
            });
            worker.start();
            say("main exiting\n");
            exiting->set();
            exit_process(0);
        },
        ExitedWithCode(0), "main exiting\nworker done\n");
}

TEST_F(ExitRuleDeathTest, ExitDoesNotWaitForADaemonThread) {
    EXPECT_EXIT(
        {
            start_watchdog();
            auto running = std::make_shared<th::Event>();
            th::Thread daemon({.daemon = true}, [running] {
                running->set();
                th::Event never;
                never.wait(kLong);
                // Only reached if exit waited for this thread.
                say("daemon done\n");
                ::_exit(kDaemonWaited);
            });
            daemon.start();
            running->wait(kLong);
            say("main exiting\n");
            exit_process(0);
        },
        ExitedWithCode(0), "^main exiting\n$");
}

TEST_F(ExitRuleDeathTest, DaemonInheritedFromADaemonThreadIsNotWaitedFor) {
    EXPECT_EXIT(
        {
            start_watchdog();
            auto running = std::make_shared<th::Event>();
            th::Thread parent({.daemon = true}, [running] {
                // No options: a daemon, like its creator.
                th::Thread([] {
                    th::Event never;
                    never.wait(kLong);
                    ::_exit(kDaemonWaited);
                }).start();
                running->set();
            });
            parent.start();
            running->wait(kLong);
            exit_process(0);
        },
        ExitedWithCode(0), "");
}

TEST_F(ExitRuleDeathTest, AtexitCallsRunNewestFirstBeforeTheJoin) {
    EXPECT_EXIT(
        {
            start_watchdog();
            auto release = std::make_shared<th::Event>();
            th::Thread worker([release] {
                // Only an atexit call releases the worker: the calls run before the join.
                if (!release->wait(kLong)) {
                    say("worker stuck\n");
                    ::_exit(kWorkerStuck);
                }
                say("worker done\n");
            });
            worker.start();
            th::register_atexit([release] {
                say("atexit: first registered\n");
                release->set();
            });
            th::register_atexit([] { say("atexit: second registered\n"); });
            say("main exiting\n");
            exit_process(0);
        },
        ExitedWithCode(0),
        "main exiting\natexit: second registered\natexit: first registered\nworker done\n");
}

TEST_F(ExitRuleDeathTest, AtexitCallWithoutAnyThread) {
    // As CPython's test_atexit_output: registering is enough to have the call made.
    EXPECT_EXIT(
        {
            th::register_atexit([] { say("parrot\n"); });
            exit_process(0);
        },
        ExitedWithCode(0), "^parrot\n$");
}

TEST_F(ExitRuleDeathTest, AFailingAtexitCallIsReportedAndTheOthersRun) {
    EXPECT_EXIT(
        {
            start_watchdog();
            auto release = std::make_shared<th::Event>();
            th::Thread worker([release] {
                if (!release->wait(kLong)) {
                    ::_exit(kWorkerStuck);
                }
                say("worker done\n");
            });
            worker.start();
            th::register_atexit([release] {
                say("older call ran\n");
                release->set();
            });
            th::register_atexit([] { throw std::runtime_error("atexit call failed"); });
            exit_process(0);
        },
        ExitedWithCode(0),
        "Exception in threading atexit call:\nstd::runtime_error: atexit call failed\n"
        "older call ran\nworker done\n");
}

TEST_F(ExitRuleDeathTest, AThreadStartedByAnAtexitCallIsWaitedFor) {
    EXPECT_EXIT(
        {
            start_watchdog();
            th::register_atexit([] {
                th::Thread([] {
                    std::this_thread::sleep_for(200ms);
                    say("late worker done\n");
                }).start();
            });
            exit_process(0);
        },
        ExitedWithCode(0), "^late worker done\n$");
}

TEST_F(ExitRuleDeathTest, AThreadJoiningTheMainThreadIsReleasedAtExit) {
    // As CPython's test_1_join_on_shutdown: the main thread counts as ended once exit has
    // begun, so a non-daemon thread waiting for it does not deadlock the exit.
    EXPECT_EXIT(
        {
            start_watchdog();
            th::Thread joiner([main = th::main_thread()] {
                if (!main.join(kLong)) {
                    say("join timed out\n");
                    ::_exit(kWorkerStuck);
                }
                say("end of thread\n");
            });
            joiner.start();
            std::this_thread::sleep_for(50ms); // a chance to block in join; not needed to pass
            say("end of main\n");
            exit_process(0);
        },
        ExitedWithCode(0), "^end of main\nend of thread\n$");
}

TEST_F(ExitRuleDeathTest, ExitFromAThreadWaitsForTheOthersButNotItself) {
    EXPECT_EXIT(
        {
            start_watchdog();
            auto go = std::make_shared<th::Event>();
            th::Thread other([go] {
                if (!go->wait(kLong)) {
                    ::_exit(kWorkerStuck);
                }
                std::this_thread::sleep_for(200ms);
                say("other done\n");
            });
            other.start();
            th::Thread exiting([go] {
                say("thread calls exit\n");
                go->set();
                exit_process(0);
            });
            exiting.start();
            // The main thread stays busy meanwhile, as a program's would.
            exiting.join(2 * kLong);
            ::_exit(kHung);
        },
        ExitedWithCode(0), "^thread calls exit\nother done\n$");
}

TEST_F(ExitRuleDeathTest, ExitFromAForeignThreadThatHasADummyEntry) {
    // exit() destroys the caller's thread_local objects, its dummy entry among them, before the
    // exit rule runs: the rule must not depend on them.
    EXPECT_EXIT(
        {
            start_watchdog();
            auto go = std::make_shared<th::Event>();
            th::Thread other([go] {
                if (!go->wait(kLong)) {
                    ::_exit(kWorkerStuck);
                }
                say("other done\n");
            });
            other.start();
            std::thread foreign([go] {
                (void)th::current_thread();
                say("foreign thread calls exit\n");
                go->set();
                exit_process(0);
            });
            foreign.join();
            ::_exit(kHung);
        },
        ExitedWithCode(0), "^foreign thread calls exit\nother done\n$");
}

} // namespace
