// Child processes (the base of Python's create_subprocess_exec/shell; Python's test_subprocess
// for asyncio): real programs (/bin/sh, /bin/echo, sleep) on a real loop, counting descriptors
// and checking that no zombie is left.
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "concur/asyncio.hpp"
#include "concur/asyncio/detail/child_process.hpp"
#include "net_helpers.hpp"

namespace {

using namespace std::chrono_literals;
namespace asyncio = concur::asyncio;
using asyncio::detail::ChildHandle;
using asyncio::detail::DEVNULL;
using asyncio::detail::PIPE;
using asyncio::detail::spawn_child;
using asyncio::detail::SpawnedChild;
using asyncio::detail::SpawnOptions;
using asyncio::detail::STDOUT;
using asyncio::detail::wait_child;
using concur::CancelledError;

using concur_test::open_fds;

// A child that has exited and is not reaped: its pid, or 0. Reaps nothing (WNOWAIT).
pid_t zombie() {
    siginfo_t info{};
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
        return 0; // ECHILD: no child at all
    }
    return info.si_pid;
}

// Until `pid` is gone (reaped by someone), for at most 10 s.
bool gone(pid_t pid) {
    for (int i = 0; i < 2000; ++i) {
        if (::kill(pid, 0) != 0 && errno == ESRCH) {
            return true;
        }
        std::this_thread::sleep_for(5ms);
    }
    return false;
}

class ChildProcessTest : public ::testing::Test {
protected:
    void SetUp() override { fds_before = open_fds(); }
    void TearDown() override {
        EXPECT_EQ(open_fds(), fds_before) << "a file descriptor was left open";
        EXPECT_EQ(zombie(), 0) << "a child was left unreaped";
    }
    int fds_before = 0;
};

// Reads `fd` (non-blocking) to its end, as a stream reader would.
asyncio::Coroutine<std::string> read_all(int fd) {
    std::string data;
    for (;;) {
        char buf[512];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            data.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0) {
            co_return data;
        } else if (errno == EAGAIN) {
            co_await asyncio::wait_readable(fd);
        } else if (errno != EINTR) {
            throw std::system_error(errno, std::generic_category(), "read");
        }
    }
}

// What a child printed on its stdout, and its returncode, within 20 s.
struct Outcome {
    std::string out;
    int code = -1000;
};

asyncio::Coroutine<Outcome> output_of(SpawnOptions options) {
    options.stdout_ = options.stdout_.value_or(PIPE);
    SpawnedChild child = spawn_child(asyncio::get_running_loop(), options);
    Outcome outcome;
    outcome.out = co_await asyncio::wait_for(read_all(child.stdout_.get()), 20s);
    outcome.code = co_await asyncio::wait_for(wait_child(child.process), 20s);
    EXPECT_EQ(child.process.returncode(), outcome.code);
    co_return outcome;
}

Outcome run_child(SpawnOptions options) {
    return asyncio::run(output_of(std::move(options)));
}

// --- programs, arguments, exit codes

TEST_F(ChildProcessTest, EchoWritesToAPipe) {
    const Outcome o = run_child({.args = {"/bin/echo", "hello", "world"}});
    EXPECT_EQ(o.out, "hello world\n");
    EXPECT_EQ(o.code, 0);
}

TEST_F(ChildProcessTest, AProgramWithoutSlashIsLookedUpInPath) {
    const Outcome o = run_child({.args = {"echo", "found"}});
    EXPECT_EQ(o.out, "found\n");
}

TEST_F(ChildProcessTest, TheExitStatusIsTheReturncode) {
    EXPECT_EQ(run_child({.args = {"exit 3"}, .shell = true}).code, 3);
    EXPECT_EQ(run_child({.args = {"/bin/sh", "-c", "exit 0"}}).code, 0);
}

TEST_F(ChildProcessTest, ShellModeRunsBinShWithTheArguments) {
    // Python's Popen(["echo $0 $1", "a", "b"], shell=True): /bin/sh -c 'echo $0 $1' a b.
    const Outcome o = run_child({.args = {"echo $0 $1", "a", "b"}, .shell = true});
    EXPECT_EQ(o.out, "a b\n");
}

asyncio::Coroutine<std::pair<int, int>> killed_children() {
    asyncio::EventLoop& loop = asyncio::get_running_loop();
    SpawnedChild a = spawn_child(loop, {.args = {"sleep", "60"}});
    SpawnedChild b = spawn_child(loop, {.args = {"sleep", "60"}});
    EXPECT_EQ(a.process.returncode(), std::nullopt);
    a.process.kill();
    b.process.terminate();
    const int ca = co_await asyncio::wait_for(wait_child(a.process), 20s);
    const int cb = co_await asyncio::wait_for(wait_child(b.process), 20s);
    co_return std::pair{ca, cb};
}

TEST_F(ChildProcessTest, AChildEndedByASignalHasMinusTheSignal) {
    const auto [killed, terminated] = asyncio::run(killed_children());
    EXPECT_EQ(killed, -SIGKILL);
    EXPECT_EQ(terminated, -SIGTERM);
}

asyncio::Coroutine<void> signals_after_exit() {
    SpawnedChild child = spawn_child(asyncio::get_running_loop(), {.args = {"/bin/true"}});
    // Exited, not yet reaped (the loop has not run): not an error.
    siginfo_t info{};
    EXPECT_EQ(::waitid(P_PID, static_cast<id_t>(child.process.pid()), &info, WEXITED | WNOWAIT), 0);
    EXPECT_NO_THROW(child.process.send_signal(SIGTERM));
    EXPECT_EQ(co_await asyncio::wait_for(wait_child(child.process), 20s), 0);
    // Reaped: ProcessLookupError, as Python's Process.send_signal once the process finished.
    EXPECT_THROW(child.process.kill(), concur::ProcessLookupError);
}

TEST_F(ChildProcessTest, SignallingAReapedChildIsProcessLookupError) {
    asyncio::run(signals_after_exit());
}

// --- errors

TEST_F(ChildProcessTest, AMissingProgramIsFileNotFoundError) {
    asyncio::run([]() -> asyncio::Coroutine<void> {
        asyncio::EventLoop& loop = asyncio::get_running_loop();
        for (const char* program : {"/nonexistent/concur-test", "concur-no-such-program"}) {
            try {
                (void)spawn_child(
                    loop, {.args = {program}, .stdin_ = PIPE, .stdout_ = PIPE, .stderr_ = PIPE});
                ADD_FAILURE() << "no error for " << program;
            } catch (const concur::FileNotFoundError& e) {
                EXPECT_EQ(e.code().value(), ENOENT);
                EXPECT_NE(std::string(e.what()).find(program), std::string::npos) << e.what();
            }
        }
        co_return;
    }());
}

TEST_F(ChildProcessTest, AProgramThatIsNotExecutableIsPermissionError) {
    char path[] = "/tmp/concur-not-executable-XXXXXX";
    const int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    ::chmod(path, 0644);
    asyncio::run([&]() -> asyncio::Coroutine<void> {
        EXPECT_THROW((void)spawn_child(asyncio::get_running_loop(), {.args = {path}}),
                     concur::PermissionError);
        co_return;
    }());
    ::unlink(path);
}

TEST_F(ChildProcessTest, AMissingDirectoryIsFileNotFoundErrorNamingIt) {
    asyncio::run([]() -> asyncio::Coroutine<void> {
        try {
            (void)spawn_child(asyncio::get_running_loop(),
                              {.args = {"/bin/true"}, .stdout_ = PIPE, .cwd = "/nonexistent-dir"});
            ADD_FAILURE() << "no error";
        } catch (const concur::FileNotFoundError& e) {
            EXPECT_NE(std::string(e.what()).find("/nonexistent-dir"), std::string::npos)
                << e.what();
        }
        co_return;
    }());
}

TEST_F(ChildProcessTest, BadOptionsAreValueErrors) {
    asyncio::EventLoop loop;
    EXPECT_THROW((void)spawn_child(loop, {}), concur::ValueError);
    EXPECT_THROW((void)spawn_child(loop, {.args = {"/bin/true"}, .stdout_ = STDOUT}),
                 concur::ValueError);
    EXPECT_THROW((void)spawn_child(loop, {.args = {"/bin/true"}, .stdin_ = -7}),
                 concur::ValueError);
    loop.close();
    EXPECT_THROW((void)spawn_child(loop, {.args = {"/bin/true"}}), concur::RuntimeError);
}

// --- cwd, env, streams, descriptors, sessions

TEST_F(ChildProcessTest, CwdAndEnvAreHonoured) {
    const Outcome o = run_child({.args = {"pwd; echo $FOO; echo ${HOME:-no home}"},
                                 .shell = true,
                                 .cwd = "/tmp",
                                 .env = std::map<std::string, std::string>{{"FOO", "bar"}}});
    EXPECT_EQ(o.out, "/tmp\nbar\nno home\n");
}

TEST_F(ChildProcessTest, WithAnEnvTheProgramIsLookedUpInItsPath) {
    const Outcome with_path =
        run_child({.args = {"printenv", "FOO"},
                   .env = std::map<std::string, std::string>{
                       {"FOO", "x"}, {"PATH", "/nonexistent:/usr/bin:/bin"}}});
    EXPECT_EQ(with_path.out, "x\n");
    // No PATH in the environment: os.defpath, /bin:/usr/bin.
    const Outcome default_path = run_child(
        {.args = {"printenv", "FOO"}, .env = std::map<std::string, std::string>{{"FOO", "y"}}});
    EXPECT_EQ(default_path.out, "y\n");
    asyncio::run([]() -> asyncio::Coroutine<void> {
        EXPECT_THROW((void)spawn_child(
                         asyncio::get_running_loop(),
                         {.args = {"printenv"},
                          .env = std::map<std::string, std::string>{{"PATH", "/nonexistent"}}}),
                     concur::FileNotFoundError);
        co_return;
    }());
}

asyncio::Coroutine<std::pair<std::string, std::string>> out_and_err(SpawnOptions options) {
    SpawnedChild child = spawn_child(asyncio::get_running_loop(), options);
    std::string out;
    std::string err;
    if (child.stdout_) {
        out = co_await asyncio::wait_for(read_all(child.stdout_.get()), 20s);
    }
    if (child.stderr_) {
        err = co_await asyncio::wait_for(read_all(child.stderr_.get()), 20s);
    }
    EXPECT_EQ(co_await asyncio::wait_for(wait_child(child.process), 20s), 0);
    co_return std::pair{out, err};
}

TEST_F(ChildProcessTest, StderrCanGoWithStdout) {
    const auto [out, err] = asyncio::run(out_and_err(
        {.args = {"echo out; echo err >&2"}, .shell = true, .stdout_ = PIPE, .stderr_ = STDOUT}));
    EXPECT_EQ(out, "out\nerr\n");
    EXPECT_EQ(err, "");
}

TEST_F(ChildProcessTest, DevnullSwallowsAStreamAndFeedsNothing) {
    const auto [out, err] = asyncio::run(out_and_err({.args = {"cat; echo out; echo err >&2"},
                                                      .shell = true,
                                                      .stdin_ = DEVNULL,
                                                      .stdout_ = DEVNULL,
                                                      .stderr_ = PIPE}));
    EXPECT_EQ(out, "");
    EXPECT_EQ(err, "err\n");
}

TEST_F(ChildProcessTest, AnExistingDescriptorBecomesTheStream) {
    int p[2];
    ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
    const auto [out, err] = asyncio::run(out_and_err(
        {.args = {"echo to the pipe"}, .shell = true, .stdout_ = p[1], .stderr_ = PIPE}));
    ::close(p[1]);
    char buf[64] = {};
    EXPECT_EQ(::read(p[0], buf, sizeof buf), 12);
    EXPECT_EQ(std::string(buf), "to the pipe\n");
    ::close(p[0]);
}

asyncio::Coroutine<std::string> echoes_stdin() {
    SpawnedChild child = spawn_child(asyncio::get_running_loop(),
                                     {.args = {"cat"}, .stdin_ = PIPE, .stdout_ = PIPE});
    EXPECT_EQ(::write(child.stdin_.get(), "abc", 3), 3);
    child.stdin_.close(); // end of the child's input
    std::string out = co_await asyncio::wait_for(read_all(child.stdout_.get()), 20s);
    EXPECT_EQ(co_await asyncio::wait_for(wait_child(child.process), 20s), 0);
    co_return out;
}

TEST_F(ChildProcessTest, StdinCanBeAPipe) {
    EXPECT_EQ(asyncio::run(echoes_stdin()), "abc");
}

TEST_F(ChildProcessTest, TheParentsEndsAreNonBlockingAndCloseOnExec) {
    asyncio::run([]() -> asyncio::Coroutine<void> {
        SpawnedChild child = spawn_child(asyncio::get_running_loop(),
                                         {.args = {"cat"}, .stdin_ = PIPE, .stdout_ = PIPE});
        for (const int fd : {child.stdin_.get(), child.stdout_.get()}) {
            EXPECT_NE(::fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
            EXPECT_NE(::fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
        }
        child.stdin_.close();
        EXPECT_EQ(co_await asyncio::wait_for(wait_child(child.process), 20s), 0);
    }());
}

// Whether the child sees descriptor `fd` open.
std::string sees(int fd, SpawnOptions options) {
    options.args = {"[ -e /proc/$$/fd/" + std::to_string(fd) + " ] && echo open || echo closed"};
    options.shell = true;
    return run_child(std::move(options)).out;
}

TEST_F(ChildProcessTest, CloseFdsClosesWhatIsNotPassed) {
    int p[2];
    ASSERT_EQ(::pipe(p), 0); // inheritable, as close_fds is about
    EXPECT_EQ(sees(p[0], {}), "closed\n") << "close_fds is the default";
    EXPECT_EQ(sees(p[0], {.close_fds = false}), "open\n");
    EXPECT_EQ(sees(p[0], {.pass_fds = {p[0]}}), "open\n");
    EXPECT_EQ(sees(p[1], {.pass_fds = {p[0]}}), "closed\n") << "only what is passed";
    int q[2];
    ASSERT_EQ(::pipe2(q, O_CLOEXEC), 0);
    EXPECT_EQ(sees(q[1], {.pass_fds = {q[1]}}), "open\n") << "a passed fd is made inheritable";
    EXPECT_EQ(sees(q[1], {.close_fds = false}), "closed\n") << "close-on-exec still holds";
    for (const int fd : {p[0], p[1], q[0], q[1]}) {
        ::close(fd);
    }
}

asyncio::Coroutine<void> checks_session_and_group() {
    asyncio::EventLoop& loop = asyncio::get_running_loop();
    SpawnedChild session = spawn_child(loop, {.args = {"sleep", "60"}, .start_new_session = true});
    SpawnedChild group = spawn_child(loop, {.args = {"sleep", "60"}, .process_group = 0});
    SpawnedChild plain = spawn_child(loop, {.args = {"sleep", "60"}});
    // posix_spawn returns once the child has exec'd: its session and group are set.
    EXPECT_EQ(::getsid(session.process.pid()), session.process.pid());
    EXPECT_EQ(::getpgid(group.process.pid()), group.process.pid());
    EXPECT_EQ(::getsid(group.process.pid()), ::getsid(0));
    EXPECT_EQ(::getpgid(plain.process.pid()), ::getpgid(0));
    for (SpawnedChild* c : {&session, &group, &plain}) {
        c->process.kill();
        EXPECT_EQ(co_await asyncio::wait_for(wait_child(c->process), 20s), -SIGKILL);
    }
}

TEST_F(ChildProcessTest, SessionsAndProcessGroups) {
    asyncio::run(checks_session_and_group());
}

// --- waiting

asyncio::Coroutine<std::vector<int>> waits_together() {
    SpawnedChild child =
        spawn_child(asyncio::get_running_loop(), {.args = {"sh", "-c", "sleep 0.2; exit 5"}});
    std::vector<asyncio::Task<int>> waiters;
    for (int i = 0; i < 3; ++i) {
        waiters.push_back(asyncio::create_task(wait_child(child.process)));
    }
    std::vector<int> codes;
    for (asyncio::Task<int>& waiter : waiters) {
        codes.push_back(co_await asyncio::wait_for(waiter, 20s));
    }
    codes.push_back(co_await wait_child(child.process)); // done already: at once
    co_return codes;
}

TEST_F(ChildProcessTest, EveryWaiterGetsTheReturncode) {
    EXPECT_EQ(asyncio::run(waits_together()), (std::vector<int>{5, 5, 5, 5}));
}

asyncio::Coroutine<int> cancels_a_waiter() {
    SpawnedChild child =
        spawn_child(asyncio::get_running_loop(), {.args = {"sh", "-c", "sleep 0.2; exit 4"}});
    asyncio::Task<int> waiter = asyncio::create_task(wait_child(child.process));
    asyncio::Task<int> other = asyncio::create_task(wait_child(child.process));
    co_await asyncio::sleep(0.05);
    waiter.cancel();
    try {
        co_await waiter;
        ADD_FAILURE() << "the waiter was not cancelled";
    } catch (const CancelledError&) {
    }
    EXPECT_EQ(child.process.returncode(), std::nullopt);
    const int code = co_await asyncio::wait_for(other, 20s);
    EXPECT_EQ(co_await wait_child(child.process), code);
    co_return code;
}

TEST_F(ChildProcessTest, ACancelledWaiterLeavesTheChildToTheOthers) {
    EXPECT_EQ(asyncio::run(cancels_a_waiter()), 4);
}

asyncio::Coroutine<void> drops_the_handle(pid_t& pid) {
    {
        SpawnedChild child = spawn_child(asyncio::get_running_loop(), {.args = {"/bin/true"}});
        pid = child.process.pid();
    }
    // Nobody holds the child: the loop still reaps it when it exits.
    for (int i = 0; i < 2000 && ::kill(pid, 0) == 0; ++i) {
        co_await asyncio::sleep(0.005);
    }
}

TEST_F(ChildProcessTest, AChildNobodyWaitsForIsReapedAnyway) {
    pid_t pid = 0;
    asyncio::run(drops_the_handle(pid));
    EXPECT_TRUE(gone(pid));
}

TEST_F(ChildProcessTest, ClosingTheLoopLeavesNoZombie) {
    ChildHandle handle;
    {
        asyncio::EventLoop loop;
        SpawnedChild child = spawn_child(loop, {.args = {"sleep", "60"}});
        handle = child.process;
        loop.close(); // the child runs on; a thread reaps it when it exits
    }
    const pid_t pid = handle.pid();
    EXPECT_EQ(::kill(pid, 0), 0) << "still running";
    handle.kill(); // through the pidfd, which the handle keeps
    EXPECT_TRUE(gone(pid));
    EXPECT_NO_THROW(handle.kill()) << "exited: nothing to signal, no error";
    EXPECT_EQ(handle.returncode(), std::nullopt) << "nobody on the loop saw it exit";
    asyncio::EventLoop other;
    EXPECT_THROW(asyncio::run_until_complete(other, wait_child(handle)), concur::RuntimeError);
    handle = ChildHandle(); // the pidfd goes with the last handle
}

} // namespace
