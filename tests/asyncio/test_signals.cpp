// The loop's signal handlers (Python's test_unix_events signal tests) and asyncio::run's
// SIGINT handling (Python's test_runners interrupt tests). Signals are raised in this process
// at signals the tests own (SIGUSR1, SIGUSR2); SIGINT through asyncio::run is raised only while
// its handler is in place, or in a child process (tests/asyncio/sigint_child.cpp).
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "concur/asyncio.hpp"
#include "concur/core/traceback.hpp"
#include "concur/threading/thread.hpp"
#include "net_helpers.hpp"

extern char** environ; // NOLINT: POSIX declares it nowhere

namespace {

using namespace std::chrono_literals;
namespace asyncio = concur::asyncio;
using concur::CancelledError;
using concur::KeyboardInterrupt;

using concur_test::open_fds;

using Handler = void (*)(int);

Handler disposition(int sig) {
    struct sigaction current {};
    ::sigaction(sig, nullptr, &current);
    return current.sa_handler;
}

void set_disposition(int sig, Handler handler) {
    struct sigaction action {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    ::sigaction(sig, &action, nullptr);
}

std::atomic<int> g_previous_handler_calls{0};
void previous_handler(int /*sig*/) {
    g_previous_handler_calls.fetch_add(1);
}

// The signals the tests use keep their dispositions, and no descriptor stays open.
class SignalTest : public ::testing::Test {
protected:
    void SetUp() override {
        fds_before = open_fds();
        for (const int sig : {SIGUSR1, SIGUSR2, SIGINT}) {
            ::sigaction(sig, nullptr, &saved[sig]);
        }
    }
    void TearDown() override {
        for (const int sig : {SIGUSR1, SIGUSR2, SIGINT}) {
            EXPECT_EQ(disposition(sig), saved[sig].sa_handler)
                << "the disposition of signal " << sig << " was not restored";
            ::sigaction(sig, &saved[sig], nullptr);
        }
        EXPECT_EQ(open_fds(), fds_before) << "a file descriptor was left open";
    }
    int fds_before = 0;
    struct sigaction saved[NSIG] {};
};

// Lets the loop run until `done` holds, for at most 10 s.
template <class F>
asyncio::Coroutine<bool> until(F done) {
    for (int i = 0; i < 1000; ++i) {
        if (done()) {
            co_return true;
        }
        co_await asyncio::sleep(0.01);
    }
    co_return done();
}

// --- add_signal_handler / remove_signal_handler

asyncio::Coroutine<void> handles_sigusr1() {
    asyncio::EventLoop& loop = asyncio::get_running_loop();
    const Handler before = disposition(SIGUSR1);
    int calls = 0;
    loop.add_signal_handler(SIGUSR1, [&calls] { ++calls; });
    EXPECT_NE(disposition(SIGUSR1), before);
    EXPECT_EQ(::raise(SIGUSR1), 0);
    EXPECT_EQ(calls, 0) << "the callback runs later, on the loop, never in the signal handler";
    const bool called = co_await until([&] { return calls > 0; });
    EXPECT_TRUE(called);
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(loop.remove_signal_handler(SIGUSR1));
    EXPECT_FALSE(loop.remove_signal_handler(SIGUSR1)) << "nothing left to remove";
    EXPECT_EQ(disposition(SIGUSR1), before) << "remove restores the disposition";
}

TEST_F(SignalTest, TheCallbackRunsOnTheLoopAfterTheSignal) {
    asyncio::run(handles_sigusr1());
}

asyncio::Coroutine<void> counts_each_signal(int& calls) {
    asyncio::EventLoop& loop = asyncio::get_running_loop();
    loop.add_signal_handler(SIGUSR1, [&calls] { ++calls; });
    for (int i = 0; i < 3; ++i) {
        ::raise(SIGUSR1);
        const int expected = i + 1;
        const bool called = co_await until([&] { return calls == expected; });
        EXPECT_TRUE(called);
    }
    loop.remove_signal_handler(SIGUSR1);
}

TEST_F(SignalTest, EachSignalCallsTheCallbackAgain) {
    int calls = 0;
    asyncio::run(counts_each_signal(calls));
    EXPECT_EQ(calls, 3);
}

asyncio::Coroutine<std::vector<int>> records_order() {
    asyncio::EventLoop& loop = asyncio::get_running_loop();
    std::vector<int> order;
    loop.add_signal_handler(SIGUSR1, [&order] { order.push_back(SIGUSR1); });
    loop.add_signal_handler(SIGUSR2, [&order] { order.push_back(SIGUSR2); });
    ::raise(SIGUSR2);
    ::raise(SIGUSR1);
    ::raise(SIGUSR2);
    co_await until([&] { return order.size() == 3; });
    EXPECT_TRUE(loop.remove_signal_handler(SIGUSR1));
    EXPECT_TRUE(loop.remove_signal_handler(SIGUSR2));
    co_return order;
}

TEST_F(SignalTest, CallbacksRunInTheOrderTheSignalsCame) {
    EXPECT_EQ(asyncio::run(records_order()), (std::vector<int>{SIGUSR2, SIGUSR1, SIGUSR2}));
}

asyncio::Coroutine<void> replaces_handler(int& first, int& second) {
    asyncio::EventLoop& loop = asyncio::get_running_loop();
    const Handler before = disposition(SIGUSR1);
    loop.add_signal_handler(SIGUSR1, [&first] { ++first; });
    loop.add_signal_handler(SIGUSR1, [&second] { ++second; });
    ::raise(SIGUSR1);
    co_await until([&] { return second > 0; });
    EXPECT_TRUE(loop.remove_signal_handler(SIGUSR1));
    EXPECT_EQ(disposition(SIGUSR1), before) << "the disposition before the first add";
}

TEST_F(SignalTest, AddingAgainReplacesTheCallback) {
    int first = 0;
    int second = 0;
    asyncio::run(replaces_handler(first, second));
    EXPECT_EQ(first, 0);
    EXPECT_EQ(second, 1);
}

TEST_F(SignalTest, TheCallbackRunsOnTheLoopThread) {
    std::atomic<bool> ready{false};
    std::atomic<unsigned long> callback_thread{0};
    unsigned long loop_thread = 0;
    std::thread t([&] {
        loop_thread = concur::threading::get_ident();
        asyncio::run([&]() -> asyncio::Coroutine<void> {
            asyncio::EventLoop& loop = asyncio::get_running_loop();
            loop.add_signal_handler(SIGUSR1,
                                    [&] { callback_thread.store(concur::threading::get_ident()); });
            ready.store(true);
            co_await until([&] { return callback_thread.load() != 0; });
            loop.remove_signal_handler(SIGUSR1);
        }());
    });
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!ready.load() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(1ms);
    }
    ASSERT_TRUE(ready.load());
    // To the process: any thread may take it; the loop's thread runs the callback.
    EXPECT_EQ(::kill(::getpid(), SIGUSR1), 0);
    t.join();
    EXPECT_EQ(callback_thread.load(), loop_thread);
}

TEST_F(SignalTest, InvalidSignalsAreValueErrors) {
    asyncio::EventLoop loop;
    for (const int sig : {0, -1, NSIG, 1000}) {
        EXPECT_THROW(loop.add_signal_handler(sig, [] {}), concur::ValueError) << sig;
        EXPECT_THROW((void)loop.remove_signal_handler(sig), concur::ValueError) << sig;
    }
    try {
        loop.add_signal_handler(0, [] {});
        FAIL() << "no error";
    } catch (const concur::ValueError& e) {
        EXPECT_STREQ(e.what(), "invalid signal number 0");
    }
    EXPECT_FALSE(loop.remove_signal_handler(SIGUSR1)) << "none was added";
}

TEST_F(SignalTest, SigkillAndSigstopCannotBeCaught) {
    asyncio::EventLoop loop;
    for (const int sig : {SIGKILL, SIGSTOP}) {
        try {
            loop.add_signal_handler(sig, [] {});
            FAIL() << "no error for " << sig;
        } catch (const concur::RuntimeError& e) {
            EXPECT_EQ(std::string(e.what()), "sig " + std::to_string(sig) + " cannot be caught");
        }
        EXPECT_FALSE(loop.remove_signal_handler(sig));
    }
}

TEST_F(SignalTest, AClosedLoopTakesNoHandler) {
    asyncio::EventLoop loop;
    loop.close();
    EXPECT_THROW(loop.add_signal_handler(SIGUSR1, [] {}), concur::RuntimeError);
    EXPECT_FALSE(loop.remove_signal_handler(SIGUSR1));
}

TEST_F(SignalTest, ClosingTheLoopRestoresThePreviousDisposition) {
    set_disposition(SIGUSR1, &previous_handler);
    set_disposition(SIGUSR2, SIG_IGN);
    {
        asyncio::EventLoop loop;
        loop.add_signal_handler(SIGUSR1, [] {});
        loop.add_signal_handler(SIGUSR2, [] {});
        EXPECT_NE(disposition(SIGUSR1), &previous_handler);
        EXPECT_NE(disposition(SIGUSR2), SIG_IGN);
        loop.close();
        EXPECT_EQ(disposition(SIGUSR1), &previous_handler);
        EXPECT_EQ(disposition(SIGUSR2), SIG_IGN);
        EXPECT_FALSE(loop.remove_signal_handler(SIGUSR1)) << "close removed it";
    }
    g_previous_handler_calls.store(0);
    ::raise(SIGUSR1);
    EXPECT_EQ(g_previous_handler_calls.load(), 1) << "the previous handler is back in charge";
    set_disposition(SIGUSR1, SIG_DFL);
    set_disposition(SIGUSR2, SIG_DFL);
}

TEST_F(SignalTest, DestroyingTheLoopRestoresTheDisposition) {
    const Handler before = disposition(SIGUSR1);
    {
        asyncio::EventLoop loop;
        loop.add_signal_handler(SIGUSR1, [] {});
    }
    EXPECT_EQ(disposition(SIGUSR1), before);
}

asyncio::Coroutine<void> nap() {
    co_await asyncio::sleep(0.01);
}

asyncio::Coroutine<void> raise_and_wait(int sig, const int& calls) {
    const int before = calls;
    ::raise(sig);
    co_await until([&] { return calls > before; });
}

TEST_F(SignalTest, ASecondLoopTakesTheSignalOver) {
    const Handler before = disposition(SIGUSR1);
    int first_calls = 0;
    int second_calls = 0;
    asyncio::EventLoop first;
    first.add_signal_handler(SIGUSR1, [&] { ++first_calls; });
    {
        asyncio::EventLoop second;
        second.add_signal_handler(SIGUSR1, [&] { ++second_calls; });
        asyncio::run_until_complete(second, raise_and_wait(SIGUSR1, second_calls));
        EXPECT_EQ(second_calls, 1);
        // The first loop lost the signal: removing its callback leaves the second's in place.
        EXPECT_TRUE(first.remove_signal_handler(SIGUSR1));
        EXPECT_NE(disposition(SIGUSR1), before);
        asyncio::run_until_complete(second, raise_and_wait(SIGUSR1, second_calls));
        EXPECT_EQ(second_calls, 2);
        EXPECT_TRUE(second.remove_signal_handler(SIGUSR1));
        EXPECT_EQ(disposition(SIGUSR1), before) << "the disposition before the first loop";
    }
    asyncio::run_until_complete(first, nap());
    EXPECT_EQ(first_calls, 0);
}

TEST_F(SignalTest, ACallbackErrorGoesToTheExceptionHandler) {
    std::vector<std::string> reported;
    asyncio::run([&]() -> asyncio::Coroutine<void> {
        asyncio::EventLoop& loop = asyncio::get_running_loop();
        loop.set_exception_handler([&](asyncio::EventLoop&, const asyncio::ExceptionContext& c) {
            reported.push_back(concur::exception_message(c.exception));
        });
        loop.add_signal_handler(SIGUSR1, [] { throw std::runtime_error("boom"); });
        ::raise(SIGUSR1);
        co_await until([&] { return !reported.empty(); });
        loop.remove_signal_handler(SIGUSR1);
    }());
    EXPECT_EQ(reported, std::vector<std::string>{"boom"});
}

// --- asyncio::run and SIGINT, in this process

TEST_F(SignalTest, RunHandlesSigintOnlyWhileItRuns) {
    ASSERT_EQ(disposition(SIGINT), SIG_DFL);
    Handler during = SIG_DFL;
    asyncio::run([&]() -> asyncio::Coroutine<void> {
        during = disposition(SIGINT);
        co_return;
    }());
    EXPECT_NE(during, SIG_DFL);
    EXPECT_EQ(disposition(SIGINT), SIG_DFL);
}

TEST_F(SignalTest, RunLeavesSigintAloneWhenAskedTo) {
    Handler during = nullptr;
    asyncio::run(
        [&]() -> asyncio::Coroutine<void> {
            during = disposition(SIGINT);
            co_return;
        }(),
        {.handle_sigint = false});
    EXPECT_EQ(during, SIG_DFL);
}

TEST_F(SignalTest, RunLeavesAnotherSigintHandlerAlone) {
    set_disposition(SIGINT, SIG_IGN);
    Handler during = nullptr;
    asyncio::run([&]() -> asyncio::Coroutine<void> {
        during = disposition(SIGINT);
        co_return;
    }());
    EXPECT_EQ(during, SIG_IGN);
    EXPECT_EQ(disposition(SIGINT), SIG_IGN);
    set_disposition(SIGINT, SIG_DFL);
}

TEST_F(SignalTest, RunOffTheMainThreadLeavesSigintAlone) {
    Handler during = nullptr;
    std::thread t([&] {
        asyncio::run([&]() -> asyncio::Coroutine<void> {
            during = disposition(SIGINT);
            co_return;
        }());
    });
    t.join();
    EXPECT_EQ(during, SIG_DFL);
}

asyncio::Coroutine<int> interrupted(std::vector<std::string>& log) {
    struct Finally {
        std::vector<std::string>& log;
        ~Finally() { log.emplace_back("finally"); }
    } finally{log};
    if (disposition(SIGINT) == SIG_DFL) {
        ADD_FAILURE() << "no SIGINT handler: raising SIGINT would end the test program";
        co_return 0;
    }
    asyncio::get_running_loop().call_later(50ms, [] { ::raise(SIGINT); });
    try {
        co_await asyncio::sleep(60);
    } catch (const CancelledError&) {
        log.emplace_back("cancelled");
        throw;
    }
    co_return 1;
}

TEST_F(SignalTest, SigintCancelsTheMainTaskAndRunRaisesKeyboardInterrupt) {
    std::vector<std::string> log;
    EXPECT_THROW(asyncio::run(interrupted(log)), KeyboardInterrupt);
    EXPECT_EQ(log, (std::vector<std::string>{"cancelled", "finally"}));
    EXPECT_EQ(disposition(SIGINT), SIG_DFL);
}

asyncio::Coroutine<int> swallows_the_interrupt() {
    if (disposition(SIGINT) == SIG_DFL) {
        ADD_FAILURE() << "no SIGINT handler";
        co_return 0;
    }
    ::raise(SIGINT);
    try {
        co_await asyncio::sleep(60);
    } catch (const CancelledError&) {
        co_return 7; // Python's run() returns what the task returns, cancelled or not
    }
    co_return 1;
}

TEST_F(SignalTest, AMainTaskThatSwallowsTheCancellationReturnsItsValue) {
    EXPECT_EQ(asyncio::run(swallows_the_interrupt()), 7);
}

// --- asyncio::run and SIGINT, in a child process

#ifdef CONCUR_SIGINT_CHILD

// A child running sigint_child, its stdout read line by line with a deadline.
class Child {
public:
    explicit Child(const char* mode) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) {
            throw std::system_error(errno, std::generic_category(), "pipe2");
        }
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, p[1], 1);
        char* argv[] = {const_cast<char*>(CONCUR_SIGINT_CHILD), const_cast<char*>(mode), nullptr};
        const int r = ::posix_spawn(&pid_, CONCUR_SIGINT_CHILD, &fa, nullptr, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        ::close(p[1]);
        out_ = p[0];
        if (r != 0) {
            ::close(out_);
            throw std::system_error(r, std::generic_category(), "posix_spawn");
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            wait();
        }
        ::close(out_);
    }

    /// The next line (without '\n'), or "" at end of stream or after 20 s.
    std::string read_line() {
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        for (;;) {
            const std::size_t nl = buffer_.find('\n');
            if (nl != std::string::npos) {
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return line;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd pfd{out_, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
                return "";
            }
            char buf[256];
            const ssize_t n = ::read(out_, buf, sizeof buf);
            if (n <= 0) {
                return "";
            }
            buffer_.append(buf, static_cast<std::size_t>(n));
        }
    }

    void signal(int sig) const { ::kill(pid_, sig); }

    /// The wait status, or -1 if the child is still running after 20 s (it is then killed).
    int wait() {
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        int status = 0;
        while (::waitpid(pid_, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                pid_ = -1;
                return -1;
            }
            std::this_thread::sleep_for(5ms);
        }
        pid_ = -1;
        return status;
    }

private:
    pid_t pid_ = -1;
    int out_ = -1;
    std::string buffer_;
};

TEST_F(SignalTest, ASigintFromATimerEndsRunWithKeyboardInterrupt) {
    Child child("self");
    EXPECT_EQ(child.read_line(), "ready");
    EXPECT_EQ(child.read_line(), "cancelled");
    EXPECT_EQ(child.read_line(), "finally");
    EXPECT_EQ(child.read_line(), "KeyboardInterrupt");
    EXPECT_EQ(child.read_line(), "restored");
    const int status = child.wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

TEST_F(SignalTest, ASigintFromOutsideEndsRunWithKeyboardInterrupt) {
    Child child("parent");
    ASSERT_EQ(child.read_line(), "ready");
    child.signal(SIGINT);
    EXPECT_EQ(child.read_line(), "cancelled");
    EXPECT_EQ(child.read_line(), "finally");
    EXPECT_EQ(child.read_line(), "KeyboardInterrupt");
    EXPECT_EQ(child.read_line(), "restored");
    const int status = child.wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

TEST_F(SignalTest, ASecondSigintEndsTheProcess) {
    Child child("twice");
    ASSERT_EQ(child.read_line(), "ready");
    child.signal(SIGINT);
    ASSERT_EQ(child.read_line(), "cancelled");
    child.signal(SIGINT);
    EXPECT_EQ(child.read_line(), "") << "nothing more: the process ends";
    const int status = child.wait();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) << "status " << status;
}

#endif

} // namespace
