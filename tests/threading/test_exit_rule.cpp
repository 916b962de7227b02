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

// Starts a non-daemon thread that waits for `go` (ending the child with kWorkerStuck if it never
// comes), then after `delay` says `done`. A delay gives a wrongly unwaited-for exit every chance
// to finish first. `go` is shared by ownership: exit() does not unwind the caller's frame, but
// keep the worker's state out of anything exit might tear down.
th::Thread start_worker(std::shared_ptr<th::Event> go, std::string_view done,
                        std::chrono::milliseconds delay = 0ms) {
    th::Thread worker([go = std::move(go), done, delay] {
        if (!go->wait(kLong)) {
            say("worker stuck\n");
            ::_exit(kWorkerStuck);
        }
        std::this_thread::sleep_for(delay);
        say(done);
    });
    worker.start();
    return worker;
}

// The body of a daemon thread that exit must not wait for: it outlasts any correct exit, and
// ends the child with kDaemonWaited if exit waits for it all the same.
void outlast_the_exit() {
    th::Event never;
    never.wait(kLong);
    say("daemon waited for\n");
    ::_exit(kDaemonWaited);
}

// Runs `child` in a child process under the watchdog, and expects the child to exit with code 0
// having written to stderr what the regular expression `output` matches.
template <class Child>
void expect_clean_exit(Child child, const char* output) {
    EXPECT_EXIT(
        {
            start_watchdog();
            child();
        },
        ExitedWithCode(0), output);
}

class ExitRuleDeathTest : public ::testing::Test {
protected:
    void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(ExitRuleDeathTest, ExitWaitsForANonDaemonThread) {
    expect_clean_exit(
        [] {
            auto exiting = std::make_shared<th::Event>();
            const th::Thread worker = start_worker(exiting, "worker done\n", 200ms);
            say("main exiting\n");
            exiting->set();
            exit_process(0);
        },
        "main exiting\nworker done\n");
}

TEST_F(ExitRuleDeathTest, ExitDoesNotWaitForADaemonThread) {
    expect_clean_exit(
        [] {
            auto running = std::make_shared<th::Event>();
            th::Thread daemon({.daemon = true}, [running] {
                running->set();
                outlast_the_exit();
            });
            daemon.start();
            running->wait(kLong);
            say("main exiting\n");
            exit_process(0);
        },
        "^main exiting\n$");
}

TEST_F(ExitRuleDeathTest, DaemonInheritedFromADaemonThreadIsNotWaitedFor) {
    expect_clean_exit(
        [] {
            auto running = std::make_shared<th::Event>();
            th::Thread parent({.daemon = true}, [running] {
                // No options: a daemon, like its creator.
                th::Thread(outlast_the_exit).start();
                running->set();
            });
            parent.start();
            running->wait(kLong);
            exit_process(0);
        },
        "");
}

TEST_F(ExitRuleDeathTest, AtexitCallsRunNewestFirstBeforeTheJoin) {
    expect_clean_exit(
        [] {
            // Only an atexit call releases the worker: the calls run before the join.
            auto release = std::make_shared<th::Event>();
            const th::Thread worker = start_worker(release, "worker done\n");
            th::register_atexit([release] {
                say("atexit: first registered\n");
                release->set();
            });
            th::register_atexit([] { say("atexit: second registered\n"); });
            say("main exiting\n");
            exit_process(0);
        },
        "main exiting\natexit: second registered\natexit: first registered\nworker done\n");
}

TEST_F(ExitRuleDeathTest, AtexitCallWithoutAnyThread) {
    // As CPython's test_atexit_output: registering is enough to have the call made. Without the
    // watchdog, so that no thread at all runs.
    EXPECT_EXIT(
        {
            th::register_atexit([] { say("parrot\n"); });
            exit_process(0);
        },
        ExitedWithCode(0), "^parrot\n$");
}

TEST_F(ExitRuleDeathTest, AFailingAtexitCallIsReportedAndTheOthersRun) {
    expect_clean_exit(
        [] {
            auto release = std::make_shared<th::Event>();
            const th::Thread worker = start_worker(release, "worker done\n");
            th::register_atexit([release] {
                say("older call ran\n");
                release->set();
            });
            th::register_atexit([] { throw std::runtime_error("atexit call failed"); });
            exit_process(0);
        },
        "Exception in threading atexit call:\nstd::runtime_error: atexit call failed\n"
        "older call ran\nworker done\n");
}

TEST_F(ExitRuleDeathTest, AThreadStartedByAnAtexitCallIsWaitedFor) {
    expect_clean_exit(
        [] {
            th::register_atexit([] {
                th::Thread([] {
                    std::this_thread::sleep_for(200ms);
                    say("late worker done\n");
                }).start();
            });
            exit_process(0);
        },
        "^late worker done\n$");
}

TEST_F(ExitRuleDeathTest, AThreadJoiningTheMainThreadIsReleasedAtExit) {
    // As CPython's test_1_join_on_shutdown: the main thread counts as ended once exit has
    // begun, so a non-daemon thread waiting for it does not deadlock the exit.
    expect_clean_exit(
        [] {
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
        "^end of main\nend of thread\n$");
}

TEST_F(ExitRuleDeathTest, ExitFromAThreadWaitsForTheOthersButNotItself) {
    expect_clean_exit(
        [] {
            auto go = std::make_shared<th::Event>();
            const th::Thread other = start_worker(go, "other done\n", 200ms);
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
        "^thread calls exit\nother done\n$");
}

TEST_F(ExitRuleDeathTest, ExitFromAForeignThreadThatHasADummyEntry) {
    // exit() destroys the caller's thread_local objects, its dummy entry among them, before the
    // exit rule runs: the rule must not depend on them.
    expect_clean_exit(
        [] {
            auto go = std::make_shared<th::Event>();
            const th::Thread other = start_worker(go, "other done\n");
            std::thread foreign([go] {
                (void)th::current_thread();
                say("foreign thread calls exit\n");
                go->set();
                exit_process(0);
            });
            foreign.join();
            ::_exit(kHung);
        },
        "^foreign thread calls exit\nother done\n$");
}

} // namespace
