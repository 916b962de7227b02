// asyncio subprocesses (Python's test_asyncio/test_subprocess): real programs with piped
// streams, communicate(), signals and failures; no descriptor and no zombie left behind.
#include <csignal>
#include <sys/wait.h>

#include <string>

#include <gtest/gtest.h>

#include "concur/asyncio.hpp"
#include "net_helpers.hpp"

namespace {

namespace asyncio = concur::asyncio;
using asyncio::Coroutine;
using asyncio::subprocess::DEVNULL;
using asyncio::subprocess::PIPE;
using asyncio::subprocess::STDOUT;
using Options = asyncio::subprocess::Options;

class Subprocess : public concur_test::FdCountingTest {
protected:
    void TearDown() override {
        FdCountingTest::TearDown();
        EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1) << "a child is left behind";
    }
};

TEST_F(Subprocess, ReadsStdoutAndWaits) {
    asyncio::run([]() -> Coroutine<void> {
        auto p = co_await asyncio::create_subprocess_exec("echo", "hello", "world",
                                                          Options{.stdout_ = PIPE});
        EXPECT_GT(p.pid(), 0);
        EXPECT_FALSE(p.stdin_.has_value());
        EXPECT_FALSE(p.stderr_.has_value());
        EXPECT_EQ(co_await p.stdout_->readline(), "hello world\n");
        EXPECT_EQ(co_await p.stdout_->read(), "");
        EXPECT_EQ(co_await p.wait(), 0);
        EXPECT_EQ(p.returncode(), 0);
    }());
}

TEST_F(Subprocess, CommunicateFeedsStdinAndCollectsBothOutputs) {
    asyncio::run([]() -> Coroutine<void> {
        auto cat = co_await asyncio::create_subprocess_exec(
            "cat", Options{.stdin_ = PIPE, .stdout_ = PIPE, .stderr_ = PIPE});
        auto [out, err] = co_await cat.communicate("through cat\n");
        EXPECT_EQ(out, "through cat\n");
        EXPECT_EQ(err, "");
        EXPECT_EQ(cat.returncode(), 0);

        auto sh = co_await asyncio::create_subprocess_shell("echo out; echo err 1>&2; exit 3",
                                                            {.stdout_ = PIPE, .stderr_ = PIPE});
        auto [o, e] = co_await sh.communicate();
        EXPECT_EQ(o, "out\n");
        EXPECT_EQ(e, "err\n");
        EXPECT_EQ(sh.returncode(), 3);

        auto merged = co_await asyncio::create_subprocess_shell(
            "echo one; echo two 1>&2", {.stdout_ = PIPE, .stderr_ = STDOUT});
        auto [m, none] = co_await merged.communicate();
        EXPECT_EQ(m, "one\ntwo\n");
        EXPECT_FALSE(none.has_value());

        auto quiet = co_await asyncio::create_subprocess_shell("echo lost", {.stdout_ = DEVNULL});
        auto [nothing, nothing_err] = co_await quiet.communicate();
        EXPECT_FALSE(nothing.has_value());
        EXPECT_FALSE(nothing_err.has_value());
        EXPECT_EQ(quiet.returncode(), 0);
    }());
}

TEST_F(Subprocess, OutputLargerThanAPipeBuffer) {
    asyncio::run([]() -> Coroutine<void> {
        const std::string input(3 << 20, 'z');
        auto cat = co_await asyncio::create_subprocess_exec(
            "cat", Options{.stdin_ = PIPE, .stdout_ = PIPE});
        auto [out, err] = co_await cat.communicate(input);
        EXPECT_EQ(out->size(), input.size());
        EXPECT_TRUE(*out == input);
    }());
}

TEST_F(Subprocess, AChildThatDoesNotReadItsStdinIsNoError) {
    asyncio::run([]() -> Coroutine<void> {
        auto p = co_await asyncio::create_subprocess_exec("true", Options{.stdin_ = PIPE});
        auto [out, err] = co_await p.communicate(std::string(4 << 20, 'x'));
        EXPECT_FALSE(out.has_value());
        EXPECT_EQ(p.returncode(), 0);
    }());
}

TEST_F(Subprocess, LinesAsTheyCome) {
    asyncio::run([]() -> Coroutine<void> {
        auto p = co_await asyncio::create_subprocess_shell(
            "for i in 1 2 3; do echo line $i; sleep 0.01; done", {.stdout_ = PIPE});
        std::vector<std::string> lines;
        for (;;) {
            std::string line = co_await asyncio::wait_for(p.stdout_->readline(), 10.0);
            if (line.empty()) {
                break;
            }
            lines.push_back(line);
        }
        EXPECT_EQ(lines, (std::vector<std::string>{"line 1\n", "line 2\n", "line 3\n"}));
        EXPECT_EQ(co_await p.wait(), 0);
    }());
}

TEST_F(Subprocess, KillTerminateAndATimedOutWait) {
    asyncio::run([]() -> Coroutine<void> {
        auto p = co_await asyncio::create_subprocess_exec("sleep", "30");
        EXPECT_THROW(co_await asyncio::wait_for(p.wait(), 0.05), concur::TimeoutError);
        EXPECT_FALSE(p.returncode().has_value()); // the timeout ended the wait, not the child
        p.kill();
        EXPECT_EQ(co_await asyncio::wait_for(p.wait(), 10.0), -SIGKILL);
        EXPECT_THROW(p.kill(), concur::ProcessLookupError);

        auto q = co_await asyncio::create_subprocess_exec("sleep", "30");
        q.terminate();
        EXPECT_EQ(co_await asyncio::wait_for(q.wait(), 10.0), -SIGTERM);
    }());
}

TEST_F(Subprocess, AMissingProgramRaisesFileNotFoundError) {
    asyncio::run([]() -> Coroutine<void> {
        EXPECT_THROW(co_await asyncio::create_subprocess_exec("/nonexistent/program",
                                                              Options{.stdout_ = PIPE}),
                     concur::FileNotFoundError);
        EXPECT_THROW(co_await asyncio::create_subprocess_exec("echo", Options{.limit = 0}),
                     std::invalid_argument);
    }());
}

TEST_F(Subprocess, EnvAndCwd) {
    asyncio::run([]() -> Coroutine<void> {
        // Named first: GCC 12 mishandles such temporaries inside a co_await expression (see
        // docs/python-differences.md).
        Options options{.stdout_ = PIPE,
                        .cwd = "/tmp",
                        .env = std::map<std::string, std::string>{{"GREETING", "hi"},
                                                                  {"PATH", "/usr/bin:/bin"}}};
        auto p =
            co_await asyncio::create_subprocess_shell("pwd; echo $GREETING", std::move(options));
        auto [out, err] = co_await p.communicate();
        EXPECT_EQ(out, "/tmp\nhi\n");
    }());
}

} // namespace
