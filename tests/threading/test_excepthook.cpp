// threading.excepthook: where an exception escaping a thread goes, after CPython's
// ExceptHookTests.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <concur/core/exceptions.hpp>
#include <concur/threading.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace concur_test {
// A user-defined exception type, named in reports by its qualified name.
struct RunFailed : std::runtime_error {
    using std::runtime_error::runtime_error;
};
} // namespace concur_test

namespace {

namespace th = concur::threading;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

// Every wait in these tests has this bound, so that a bug fails a test instead of hanging it.
constexpr auto kLong = 5s;

// As CPython's ThreadRunFail: a subclass whose run() raises.
class ThreadRunFail : public th::Thread {
public:
    explicit ThreadRunFail(std::string name) : Thread({.name = std::move(name)}) {}
    void run() override { throw std::invalid_argument("run failed"); }
};

// Each test starts and ends with the default hook in force.
class Excepthook : public ::testing::Test {
protected:
    void SetUp() override { th::set_excepthook({}); }
    void TearDown() override { th::set_excepthook({}); }
};

// Runs `thread` to its end with stderr captured, and returns what it wrote. By reference: a
// copy of a ThreadRunFail into a Thread would be sliced, and run Thread::run().
template <class T>
std::string run_capturing_stderr(T&& thread) {
    ::testing::internal::CaptureStderr();
    thread.start();
    const bool joined = thread.join(kLong);
    std::string output = ::testing::internal::GetCapturedStderr();
    EXPECT_TRUE(joined);
    return output;
}

TEST_F(Excepthook, DefaultHookPrintsTheThreadNameTypeAndMessage) {
    const std::string output = run_capturing_stderr(ThreadRunFail("excepthook thread"));
    EXPECT_EQ(output, "Exception in thread excepthook thread:\n"
                      "std::invalid_argument: run failed\n");
}

TEST_F(Excepthook, DefaultHookForATarget) {
    const std::string output = run_capturing_stderr(
        th::Thread({.name = "worker"}, [] { throw concur_test::RunFailed("custom type"); }));
    EXPECT_EQ(output, "Exception in thread worker:\n"
                      "concur_test::RunFailed: custom type\n");
}

TEST_F(Excepthook, DefaultHookForExceptionsWithoutAMessage) {
    EXPECT_EQ(run_capturing_stderr(th::Thread({.name = "int"}, [] { throw 42; })),
              "Exception in thread int:\nint\n");
    // concur's BaseException family is not a std::exception, and is reported all the same.
    EXPECT_EQ(run_capturing_stderr(
                  th::Thread({.name = "cancelled"}, [] { throw concur::CancelledError("gone"); })),
              "Exception in thread cancelled:\nconcur::CancelledError: gone\n");
}

TEST_F(Excepthook, DefaultHookWithoutAThreadNamesTheCallerByIdent) {
    // As CPython's test_excepthook_thread_None.
    th::ExceptHookArgs args{"std::invalid_argument",
                            std::make_exception_ptr(std::invalid_argument("bug")), std::nullopt};
    ::testing::internal::CaptureStderr();
    th::default_excepthook(args);
    const std::string output = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(output, "Exception in thread " + std::to_string(th::get_ident()) +
                          ":\nstd::invalid_argument: bug\n");
}

TEST_F(Excepthook, CustomHookReceivesTheException) {
    std::optional<th::ExceptHookArgs> received;
    bool alive_in_hook = false;
    bool hook_ran_in_the_thread = false;
    th::set_excepthook([&](const th::ExceptHookArgs& args) {
        received = args;
        // As in Python, the hook runs in the failing thread, before it counts as ended.
        hook_ran_in_the_thread = args.thread && *args.thread == th::current_thread();
        alive_in_hook = args.thread && args.thread->is_alive();
    });
    ThreadRunFail thread("custom hook");
    ::testing::internal::CaptureStderr();
    thread.start();
    ASSERT_TRUE(thread.join(kLong));
    // The default hook did not run.
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");

    ASSERT_TRUE(received.has_value());
    EXPECT_EQ(received->exc_type, "std::invalid_argument");
    ASSERT_TRUE(received->thread.has_value());
    EXPECT_TRUE(*received->thread == thread);
    EXPECT_EQ(received->thread->name(), "custom hook");
    EXPECT_TRUE(hook_ran_in_the_thread);
    EXPECT_TRUE(alive_in_hook);
    // exc_value is the exception itself, with its type.
    ASSERT_TRUE(received->exc_value);
    try {
        std::rethrow_exception(received->exc_value);
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "run failed");
    } catch (...) {
        ADD_FAILURE() << "exc_value lost its type";
    }
}

TEST_F(Excepthook, GetExcepthookReturnsTheHookInForce) {
    // As CPython's test_original_excepthook: custom output while a hook is set, the default's
    // again once it is reset.
    const std::string default_output = run_capturing_stderr(ThreadRunFail("hook swap"));
    EXPECT_NE(th::get_excepthook().target<void (*)(const th::ExceptHookArgs&)>(), nullptr);

    int calls = 0;
    th::set_excepthook([&calls](const th::ExceptHookArgs&) { ++calls; });
    const std::string custom_output = run_capturing_stderr(ThreadRunFail("hook swap"));
    EXPECT_EQ(custom_output, "");
    EXPECT_EQ(calls, 1);
    th::get_excepthook()(th::ExceptHookArgs{});
    EXPECT_EQ(calls, 2);

    th::set_excepthook(th::default_excepthook);
    EXPECT_EQ(run_capturing_stderr(ThreadRunFail("hook swap")), default_output);
    th::set_excepthook({});
    EXPECT_EQ(run_capturing_stderr(ThreadRunFail("hook swap")), default_output);
    EXPECT_EQ(calls, 2);
}

TEST_F(Excepthook, AThrowingHookIsReportedAndTheThreadEnds) {
    th::set_excepthook(
        [](const th::ExceptHookArgs&) { throw std::logic_error("threading_hook failed"); });
    ThreadRunFail thread("bad hook");
    const std::string output = run_capturing_stderr(thread);
    EXPECT_THAT(output, HasSubstr("Exception in threading.excepthook:\n"
                                  "std::logic_error: threading_hook failed\n"));
    // concur then falls back to the default report of the original exception.
    EXPECT_THAT(output, HasSubstr("Exception in thread bad hook:\n"
                                  "std::invalid_argument: run failed\n"));
    EXPECT_FALSE(thread.is_alive());
}

TEST_F(Excepthook, AHookThrowingANonStandardExceptionIsReportedToo) {
    th::set_excepthook([](const th::ExceptHookArgs&) { throw 7; });
    const std::string output = run_capturing_stderr(ThreadRunFail("int hook"));
    EXPECT_THAT(output, HasSubstr("Exception in threading.excepthook:\nint\n"));
}

TEST_F(Excepthook, ConcurrentReportsStayWhole) {
    // Each report is one write: lines from threads failing at once never interleave.
    constexpr int kThreads = 8;
    th::Event go;
    std::vector<th::Thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back(th::ThreadOptions{.name = "racer-" + std::to_string(i)}, [&go] {
            go.wait(kLong);
            throw std::runtime_error("simultaneous");
        });
    }
    ::testing::internal::CaptureStderr();
    for (auto& t : threads) {
        t.start();
    }
    go.set();
    bool all_joined = true;
    for (auto& t : threads) {
        all_joined = t.join(kLong) && all_joined;
    }
    const std::string output = ::testing::internal::GetCapturedStderr();
    ASSERT_TRUE(all_joined);

    std::vector<std::string> lines;
    for (std::size_t begin = 0; begin < output.size();) {
        const std::size_t end = output.find('\n', begin);
        ASSERT_NE(end, std::string::npos) << "unterminated line in:\n" << output;
        lines.push_back(output.substr(begin, end - begin));
        begin = end + 1;
    }
    ASSERT_EQ(lines.size(), 2u * kThreads) << output;
    for (std::size_t i = 0; i < lines.size(); i += 2) {
        EXPECT_THAT(lines[i], ::testing::MatchesRegex("Exception in thread racer-[0-9]:"));
        EXPECT_EQ(lines[i + 1], "std::runtime_error: simultaneous");
    }
}

TEST_F(Excepthook, SettingTheHookWhileThreadsFail) {
    // Swapping hooks races with reports; each report goes to exactly one hook.
    constexpr int kThreads = 16;
    std::atomic<int> first{0};
    std::atomic<int> second{0};
    th::set_excepthook([&first](const th::ExceptHookArgs&) { ++first; });
    std::vector<th::Thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([] { throw std::runtime_error("swap"); });
        threads.back().start();
        if (i % 2 == 0) {
            th::set_excepthook([&second](const th::ExceptHookArgs&) { ++second; });
        } else {
            th::set_excepthook([&first](const th::ExceptHookArgs&) { ++first; });
        }
    }
    for (auto& t : threads) {
        EXPECT_TRUE(t.join(kLong));
    }
    EXPECT_EQ(first.load() + second.load(), kThreads);
}

TEST(ExcepthookDeathTest, AnUncaughtExceptionNeverTerminatesTheProcess) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(
        {
            th::Thread std_error({.name = "a"}, [] { throw std::runtime_error("one"); });
            th::Thread other({.name = "b"}, [] { throw 3.5; });
            std_error.start();
            other.start();
            std_error.join(kLong);
            other.join(kLong);
            th::set_excepthook([](const th::ExceptHookArgs&) { throw std::bad_alloc(); });
            th::Thread bad_hook({.name = "c"}, [] { throw std::runtime_error("three"); });
            bad_hook.start();
            bad_hook.join(kLong);
            const bool any_alive = std_error.is_alive() || other.is_alive() || bad_hook.is_alive();
            std::exit(any_alive ? 1 : 0); // NOLINT(concurrency-mt-unsafe)
        },
        ::testing::ExitedWithCode(0),
        "Exception in thread (a|b):.*Exception in thread (a|b):.*"
        "Exception in threading.excepthook:\nstd::bad_alloc");
}

} // namespace
