#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "concur/futures/as_completed.hpp"
#include "concur/futures/process_pool_executor.hpp"
#include "concur/futures/wait.hpp"
#include "concur/multiprocessing/detail/forkserver.hpp"

namespace futures = concur::futures;
namespace mp = concur::multiprocessing;
using namespace std::chrono_literals;

namespace {

int square(int x) {
    return x * x;
}
int pid_of_worker(int /*unused*/) {
    return static_cast<int>(::getpid());
}
int die(int code) {
    ::_exit(code);
}
int kill_self(int /*unused*/) {
    ::kill(::getpid(), SIGKILL);
    return 0;
}
int sleep_then(int ms) {
    ::usleep(static_cast<useconds_t>(ms) * 1000);
    return ms;
}
std::string big_result(int n) {
    return std::string(static_cast<std::size_t>(n), 'x');
}
std::size_t length_of(std::string s) {
    return s.size();
}

struct AppError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
int throw_runtime(int) {
    throw std::runtime_error("runtime");
}
int throw_value(int) {
    throw concur::ValueError("value");
}
int throw_key(int) {
    throw concur::KeyError("key");
}
int throw_file_not_found(int) {
    throw concur::FileNotFoundError(ENOENT, "no file");
}
int throw_app(int) {
    throw AppError("custom");
}
int throw_int(int) {
    throw 42;
}

void failing_initializer(int) {
    throw std::runtime_error("init failed");
}
int crash(int) {
    std::abort();
}

int open_fds() {
    return static_cast<int>(std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                                          std::filesystem::directory_iterator()));
}

// Every test must leave no worker process (not even a zombie) and no descriptor behind.
class ProcessPoolExecutor : public testing::Test {
protected:
    void SetUp() override { fds_ = open_fds(); }
    void TearDown() override {
        mp::detail::stop_forkserver();
        EXPECT_TRUE(::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD)
            << "a worker process was left behind";
        EXPECT_EQ(open_fds(), fds_) << "a descriptor was left open";
    }

private:
    int fds_ = 0;
};

TEST_F(ProcessPoolExecutor, SubmitAndMapInOrder) {
    futures::ProcessPoolExecutor ex({.max_workers = 2});
    EXPECT_EQ(ex.max_workers(), 2);
    EXPECT_EQ(ex.submit(square, 7).result(), 49);
    std::vector<int> inputs(5000);
    std::iota(inputs.begin(), inputs.end(), 0);
    for (int chunksize : {1, 7, 1000}) {
        std::vector<int> got;
        for (int v : ex.map(square, inputs, {.chunksize = chunksize})) {
            got.push_back(v);
        }
        ASSERT_EQ(got.size(), inputs.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
            ASSERT_EQ(got[i], square(inputs[i]));
        }
    }
}

TEST_F(ProcessPoolExecutor, CallsRunInOtherProcesses) {
    futures::ProcessPoolExecutor ex({.max_workers = 2});
    const int pid = ex.submit(pid_of_worker, 0).result();
    EXPECT_NE(pid, ::getpid());
}

TEST_F(ProcessPoolExecutor, LambdaAndStringArguments) {
    futures::ProcessPoolExecutor ex({.max_workers = 1});
    auto f =
        ex.submit([](std::string a, int n) { return a + std::to_string(n); }, std::string("n="), 5);
    EXPECT_EQ(f.result(), "n=5");
    EXPECT_EQ(ex.submit(length_of, std::string(1 << 20, 'y')).result(), std::size_t{1} << 20);
}

std::string repeat_text(int n) {
    return std::string(static_cast<std::size_t>(n), 'a');
}
double sum_of(std::vector<double> xs) {
    return std::accumulate(xs.begin(), xs.end(), 0.0);
}
std::vector<int> upto(int n) {
    std::vector<int> out(static_cast<std::size_t>(n));
    std::iota(out.begin(), out.end(), 0);
    return out;
}
struct Point {
    int x = 0;
    std::string label;
    template <class Archive>
    void serialize(Archive& archive) {
        archive(x, label);
    }
};
Point shift(Point p, int dx) {
    return {p.x + dx, p.label + "!"};
}

// Each kind of value, in each direction, by submit and by map: numbers, strings and vectors
// travel plainly, anything else through cereal.
TEST_F(ProcessPoolExecutor, ValuesOfEveryKindTravelBothWays) {
    futures::ProcessPoolExecutor ex({.max_workers = 2});
    EXPECT_EQ(ex.submit(repeat_text, 3).result(), "aaa");
    EXPECT_EQ(ex.submit(length_of, std::string("hello")).result(), 5U);
    EXPECT_DOUBLE_EQ(ex.submit(sum_of, std::vector<double>{0.5, 1.5, 2.0}).result(), 4.0);
    EXPECT_EQ(ex.submit(upto, 4).result(), (std::vector<int>{0, 1, 2, 3}));
    const Point p = ex.submit(shift, Point{1, "p"}, 2).result();
    EXPECT_EQ(p.x, 3);
    EXPECT_EQ(p.label, "p!");
    std::vector<int> ns{0, 1, 5, 100};
    std::vector<std::string> texts;
    for (auto& t : ex.map(repeat_text, ns, {.chunksize = 3})) {
        texts.push_back(t);
    }
    ASSERT_EQ(texts.size(), 4U);
    EXPECT_EQ(texts[2], "aaaaa");
    EXPECT_EQ(texts[3].size(), 100U);
    std::vector<std::size_t> lengths;
    for (std::size_t n : ex.map(length_of, texts, {.chunksize = 2})) {
        lengths.push_back(n);
    }
    EXPECT_EQ(lengths, (std::vector<std::size_t>{0, 1, 5, 100}));
    std::vector<Point> points{{1, "a"}, {2, "b"}};
    std::vector<int> xs;
    for (const Point& q :
         ex.map([](Point in) { return shift(in, 10); }, points, {.chunksize = 2})) {
        xs.push_back(q.x);
    }
    EXPECT_EQ(xs, (std::vector<int>{11, 12}));
}

TEST_F(ProcessPoolExecutor, ResultLargerThanAnyBuffer) {
    futures::ProcessPoolExecutor ex({.max_workers = 2});
    const int n = 5 << 20; // 5 MiB: many times the ring and a pipe's buffer
    EXPECT_EQ(ex.submit(big_result, n).result().size(), static_cast<std::size_t>(n));
}

TEST_F(ProcessPoolExecutor, ExceptionsKeepTheirTypes) {
    futures::ProcessPoolExecutor ex({.max_workers = 2});
    EXPECT_THROW(ex.submit(throw_runtime, 0).result(), std::runtime_error);
    EXPECT_THROW(ex.submit(throw_value, 0).result(), concur::ValueError);
    EXPECT_THROW(ex.submit(throw_key, 0).result(), concur::KeyError);
    EXPECT_THROW(ex.submit(throw_file_not_found, 0).result(), concur::FileNotFoundError);
    try {
        ex.submit(throw_app, 0).result();
        FAIL() << "no exception";
    } catch (const mp::RemoteError& e) {
        EXPECT_NE(e.type_name().find("AppError"), std::string::npos);
        EXPECT_EQ(e.message(), "custom");
        EXPECT_NE(e.context().find("pid"), std::string::npos);
    }
    EXPECT_THROW(ex.submit(throw_int, 0).result(), mp::RemoteError);
    // The pool still works after its calls threw.
    EXPECT_EQ(ex.submit(square, 3).result(), 9);
}

TEST_F(ProcessPoolExecutor, WorkerKilledMidTaskBreaksThePool) {
    futures::ProcessPoolExecutor ex({.max_workers = 2});
    auto slow = ex.submit(sleep_then, 5000);
    auto dead = ex.submit(kill_self, 0);
    EXPECT_THROW(dead.result(30s), futures::BrokenProcessPool);
    EXPECT_THROW(slow.result(30s), futures::BrokenProcessPool);
    EXPECT_THROW(ex.submit(square, 1), futures::BrokenProcessPool);
}

// Killed while its answer is on the way, in pieces through the ring: the reader of the
// half-written answer must notice the death and give up (depending on timing the kill may
// also come before or after the answer; the pool breaks or answers, but never hangs).
TEST_F(ProcessPoolExecutor, WorkerKilledWhileAnswering) {
    futures::ProcessPoolExecutor ex({.max_workers = 1});
    const int victim = ex.submit(pid_of_worker, 0).result(30s);
    auto big = ex.submit(big_result, 64 << 20);
    ::usleep(20 * 1000);
    ::kill(victim, SIGKILL);
    try {
        EXPECT_EQ(big.result(30s).size(), std::size_t{64} << 20);
    } catch (const futures::BrokenProcessPool&) {
        SUCCEED();
    }
    EXPECT_THROW(ex.submit(square, 1).result(30s), futures::BrokenProcessPool);
}

TEST_F(ProcessPoolExecutor, WorkerThatCrashesBreaksThePool) {
    futures::ProcessPoolExecutor ex({.max_workers = 2});
    EXPECT_THROW(ex.submit(crash, 0).result(30s), futures::BrokenProcessPool);
}

TEST_F(ProcessPoolExecutor, WorkerThatExitsBreaksThePool) {
    futures::ProcessPoolExecutor ex({.max_workers = 1});
    EXPECT_THROW(ex.submit(die, 3).result(30s), futures::BrokenProcessPool);
}

TEST_F(ProcessPoolExecutor, InitializerThatThrowsBreaksThePool) {
    futures::ProcessPoolExecutor ex({.max_workers = 2}, failing_initializer, 1);
    EXPECT_THROW(ex.submit(square, 2).result(30s), futures::BrokenProcessPool);
}

TEST_F(ProcessPoolExecutor, MaxTasksPerChildReplacesWorkers) {
    futures::ProcessPoolExecutor ex({.max_workers = 1, .max_tasks_per_child = 2});
    std::vector<int> pids;
    for (int i = 0; i < 6; ++i) {
        pids.push_back(ex.submit(pid_of_worker, i).result(30s));
    }
    EXPECT_EQ(pids[0], pids[1]);
    EXPECT_NE(pids[1], pids[2]);
    EXPECT_EQ(pids[2], pids[3]);
    EXPECT_NE(pids[3], pids[4]);
}

TEST_F(ProcessPoolExecutor, SpawnAndForkserverContexts) {
    for (const char* method : {"spawn", "forkserver"}) {
        futures::ProcessPoolExecutor ex({.max_workers = 2, .mp_context = mp::get_context(method)});
        EXPECT_EQ(ex.submit(square, 6).result(30s), 36) << method;
    }
}

TEST_F(ProcessPoolExecutor, SubmitAfterShutdownIsRuntimeError) {
    futures::ProcessPoolExecutor ex({.max_workers = 1});
    auto f = ex.submit(sleep_then, 50);
    ex.shutdown();
    EXPECT_EQ(f.result(), 50); // shutdown(wait) lets pending calls finish
    EXPECT_THROW(ex.submit(square, 1), concur::RuntimeError);
}

TEST_F(ProcessPoolExecutor, ResultTimeoutAndWaitAndAsCompleted) {
    futures::ProcessPoolExecutor ex({.max_workers = 2});
    auto slow = ex.submit(sleep_then, 300);
    EXPECT_THROW(slow.result(10ms), concur::TimeoutError);
    std::vector<futures::Future<int>> fs;
    for (int i = 0; i < 20; ++i) {
        fs.push_back(ex.submit(square, i));
    }
    int sum = 0;
    for (const auto& f : futures::as_completed(fs)) {
        sum += f.result();
    }
    EXPECT_EQ(sum, 2470);
    auto [done, not_done] = futures::wait(std::vector{slow});
    EXPECT_EQ(done.size(), 1U);
}

TEST_F(ProcessPoolExecutor, MapToVectorEmptyAndTimeout) {
    futures::ProcessPoolExecutor ex({.max_workers = 2});
    EXPECT_EQ(ex.map(square, std::vector<int>{1, 2, 3}, {.chunksize = 2}).to_vector(),
              (std::vector<int>{1, 4, 9}));
    EXPECT_TRUE(ex.map(square, std::vector<int>{}).to_vector().empty());
    auto slow = ex.map(sleep_then, std::vector<int>{2000, 2000}, {.timeout = 50ms});
    EXPECT_THROW(slow.to_vector(), concur::TimeoutError);
}

TEST_F(ProcessPoolExecutor, BadArguments) {
    EXPECT_THROW(futures::ProcessPoolExecutor({.max_workers = 0}), concur::ValueError);
    futures::ProcessPoolExecutor ex({.max_workers = 1});
    std::vector<int> inputs{1, 2};
    EXPECT_THROW(ex.map(square, inputs, {.chunksize = 0}), concur::ValueError);
}

TEST_F(ProcessPoolExecutor, TerminateDuringMapFailsTheRest) {
    // A worker killed while a map is in flight: the map's remaining results raise.
    futures::ProcessPoolExecutor ex({.max_workers = 2});
    const int victim = ex.submit(pid_of_worker, 0).result(30s);
    std::vector<int> inputs(40, 20);
    auto results = ex.map(sleep_then, inputs, {.chunksize = 1});
    ::kill(victim, SIGKILL);
    EXPECT_THROW(
        {
            for (int r : results) {
                (void)r;
            }
        },
        futures::BrokenProcessPool);
}

} // namespace
