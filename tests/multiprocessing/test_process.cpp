#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

#include "concur/multiprocessing/context.hpp"
#include "concur/multiprocessing/process.hpp"
#include "mp_test_util.hpp"

namespace mp = concur::multiprocessing;
using namespace std::chrono_literals;

namespace {

using concur_test::read_file;
using concur_test::temp_path;

void write_file(std::string path, std::string text, int code) {
    std::ofstream(path) << text << " " << mp::current_process().name;
    std::exit(code);
}

void sleep_forever() {
    for (;;) {
        ::pause();
    }
}

void throw_value_error() {
    throw concur::ValueError("bad value");
}

class ProcessTest : public concur_test::NoLeaks, public testing::WithParamInterface<const char*> {};

TEST_P(ProcessTest, RunsTargetWithArgumentsAndReportsExitCode) {
    const std::string path = temp_path("out");
    mp::Process p({.name = "writer", .start_method = GetParam()}, write_file, path,
                  std::string("hello"), 3);
    EXPECT_FALSE(p.pid().has_value());
    p.start();
    EXPECT_TRUE(p.pid().has_value());
    EXPECT_TRUE(p.join(30s));
    EXPECT_EQ(p.exitcode(), 3);
    EXPECT_FALSE(p.is_alive());
    EXPECT_EQ(read_file(path), "hello writer");
}

TEST_P(ProcessTest, TerminateEndsTheChildWithMinusSigterm) {
    mp::Process p({.start_method = GetParam()}, sleep_forever);
    p.start();
    EXPECT_TRUE(p.is_alive());
    EXPECT_EQ(p.exitcode(), std::nullopt);
    EXPECT_FALSE(p.join(10ms));
    p.terminate();
    EXPECT_TRUE(p.join(30s));
    EXPECT_EQ(p.exitcode(), -SIGTERM);
    EXPECT_FALSE(p.is_alive());
}

TEST_P(ProcessTest, KillGivesMinusSigkill) {
    mp::Process p({.start_method = GetParam()}, sleep_forever);
    p.start();
    p.kill();
    EXPECT_TRUE(p.join(30s));
    EXPECT_EQ(p.exitcode(), -SIGKILL);
}

TEST_P(ProcessTest, TargetThatThrowsExitsWithOne) {
    mp::Process p({.start_method = GetParam()}, throw_value_error);
    p.start();
    EXPECT_TRUE(p.join(30s));
    EXPECT_EQ(p.exitcode(), 1);
}

TEST_P(ProcessTest, CapturelessLambdaTarget) {
    const std::string path = temp_path("lambda");
    mp::Process p(
        {.start_method = GetParam()}, [](std::string where) { std::ofstream(where) << "lambda"; },
        path);
    p.start();
    EXPECT_TRUE(p.join(30s));
    EXPECT_EQ(p.exitcode(), 0);
    EXPECT_EQ(read_file(path), "lambda");
}

INSTANTIATE_TEST_SUITE_P(StartMethods, ProcessTest, testing::Values("fork", "spawn", "forkserver"));

TEST(ProcessMisuse, StartTwiceAndJoinBeforeStart) {
    mp::Process p({.start_method = "fork"}, [] {});
    EXPECT_THROW(p.join(), mp::ProcessError);
    p.start();
    EXPECT_THROW(p.start(), mp::ProcessError);
    EXPECT_TRUE(p.join(30s));
    EXPECT_THROW(p.set_daemon(true), mp::ProcessError);
    p.close();
    EXPECT_THROW((void)p.is_alive(), concur::ValueError);
}

TEST(ProcessMisuse, CloseWhileRunningIsValueError) {
    mp::Process p({.start_method = "fork"}, sleep_forever);
    p.start();
    EXPECT_THROW(p.close(), concur::ValueError);
    p.kill();
    p.join(30s);
    p.close();
}

TEST(ProcessMisuse, UnknownStartMethod) {
    EXPECT_THROW(mp::Process({.start_method = "teleport"}, [] {}), concur::ValueError);
    EXPECT_THROW(mp::get_context("teleport"), concur::ValueError);
    EXPECT_EQ(mp::get_context("spawn").get_start_method(), "spawn");
}

TEST(ProcessInfo, MainProcessAndChildren) {
    EXPECT_EQ(mp::current_process().name, "MainProcess");
    EXPECT_FALSE(mp::parent_process().has_value());
    EXPECT_GE(mp::cpu_count(), 1);
    mp::Process p({.start_method = "fork"}, sleep_forever);
    p.start();
    bool found = false;
    for (const auto& c : mp::active_children()) {
        found = found || c.pid == *p.pid();
    }
    EXPECT_TRUE(found);
    p.terminate();
    p.join(30s);
    for (const auto& c : mp::active_children()) {
        EXPECT_NE(c.pid, *p.pid());
    }
}

void check_parent(std::string path) {
    const auto parent = mp::parent_process();
    std::ofstream(path) << mp::current_process().name << " " << (parent ? parent->name : "none")
                        << " " << (parent && parent->pid == ::getppid() ? "ok" : "bad");
}

TEST(ProcessInfo, ChildSeesItsParent) {
    for (const char* method : {"fork", "spawn"}) {
        const std::string path = concur_test::temp_path("parent");
        mp::Process p({.name = "kid", .start_method = method}, check_parent, path);
        p.start();
        ASSERT_TRUE(p.join(30s));
        EXPECT_EQ(concur_test::read_file(path), "kid MainProcess ok") << method;
    }
}

void start_grandchild() {
    mp::Process p({.start_method = "fork"}, [] {});
    try {
        p.start();
    } catch (const mp::ProcessError&) {
        std::exit(7); // daemonic processes are not allowed to have children
    }
    p.join();
}

TEST(ProcessInfo, DaemonMayNotHaveChildren) {
    mp::Process p({.daemon = true, .start_method = "fork"}, start_grandchild);
    p.start();
    ASSERT_TRUE(p.join(30s));
    EXPECT_EQ(p.exitcode(), 7);
}

} // namespace

namespace {

// A stateful callable travels serialised.
struct Writer {
    std::string path;
    std::string text;
    void operator()() const { std::ofstream(path) << text; }
    template <class Archive>
    void serialize(Archive& archive) {
        archive(path, text);
    }
};

class ProcessKinds : public concur_test::NoLeaks {};

TEST_F(ProcessKinds, SerialisableCallableRunsUnderEveryMethod) {
    for (const char* method : {"fork", "spawn", "forkserver"}) {
        const std::string path = concur_test::temp_path("writer");
        mp::Process p({.start_method = method}, Writer{path, method});
        p.start();
        ASSERT_TRUE(p.join(30s));
        EXPECT_EQ(concur_test::read_file(path), method);
    }
}

class Counter : public mp::Process {
public:
    explicit Counter(std::string path)
        : mp::Process({.start_method = "fork"}), path_(std::move(path)) {}
    void run() override { std::ofstream(path_) << "run by " << mp::current_process().name; }

private:
    std::string path_;
};

TEST_F(ProcessKinds, SubclassOverridingRun) {
    const std::string path = concur_test::temp_path("subclass");
    Counter c(path);
    c.set_name("counter");
    c.start();
    ASSERT_TRUE(c.join(30s));
    EXPECT_EQ(c.exitcode(), 0);
    EXPECT_EQ(concur_test::read_file(path), "run by counter");
}

TEST_F(ProcessKinds, SubclassCannotSpawn) {
    class Spawned : public mp::Process {
    public:
        Spawned() : mp::Process({.start_method = "spawn"}) {}
        void run() override {}
    };
    Spawned s;
    EXPECT_THROW(s.start(), mp::ProcessError);
}

void sleep_then_write(std::string path, int ms) {
    ::usleep(static_cast<useconds_t>(ms) * 1000);
    std::ofstream(path) << "done";
}

// What a program's exit does with its children: daemonic ones are terminated, the others
// waited for (Python's atexit rule). The "program" is a forked copy of this test.
TEST_F(ProcessKinds, ExitTerminatesDaemonsAndWaitsForTheOthers) {
    const std::string daemon_file = concur_test::temp_path("daemon");
    const std::string worker_file = concur_test::temp_path("worker");
    const pid_t program = ::fork();
    if (program == 0) {
        mp::Process daemon({.daemon = true}, sleep_then_write, daemon_file, 3000);
        mp::Process worker({.daemon = false}, sleep_then_write, worker_file, 200);
        daemon.start();
        worker.start();
        std::exit(0); // the exit handler does the rest
    }
    int status = 0;
    ASSERT_EQ(::waitpid(program, &status, 0), program);
    EXPECT_TRUE(WIFEXITED(status));
    // The worker finished before the program's exit completed; the daemon never did.
    EXPECT_EQ(concur_test::read_file(worker_file), "done");
    ::usleep(3500 * 1000);
    EXPECT_FALSE(std::filesystem::exists(daemon_file));
}

} // namespace
