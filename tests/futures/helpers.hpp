// Helpers shared by the futures tests: generous timeouts, a watchdog that turns a hang into a
// failure, helper threads, and a probe for a thread asleep in the kernel.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <ostream>
#include <string>
#include <sys/syscall.h>
#include <thread>
#include <utility>

#include <concur/futures/future.hpp>
#include <concur/threading/event.hpp>

namespace concur::futures {
/// GoogleTest prints a future as its repr.
template <class T>
void PrintTo(const Future<T>& f, std::ostream* os) {
    *os << f.repr();
}
} // namespace concur::futures

namespace futures_test {

using namespace std::chrono_literals;
using Seconds = std::chrono::duration<double>;

/// How long something that should happen promptly may take before a test calls it a failure:
/// generous, so that a loaded machine (or a sanitizer) never fails a correct implementation.
/// Every blocking call in the tests takes it (or a shorter timeout the test is about).
inline constexpr auto kLong = 10s;

/// An exception type of the tests' own, to check that result() rethrows the call's type.
struct TaskError : std::exception {
    explicit TaskError(int c) : code(c) {}
    [[nodiscard]] const char* what() const noexcept override { return "task error"; }
    int code;
};

/// Aborts the process, with a message, if the scope lasts longer than `limit`: a blocking call
/// without a timeout of its own (an executor's destructor) then fails the test instead of
/// hanging it. Each test runs in its own process under ctest.
class Watchdog {
public:
    explicit Watchdog(Seconds limit = 40s)
        : thread_([this, limit] {
              if (!done_.wait(limit)) {
                  std::fprintf(stderr, "watchdog: the test is stuck; aborting\n");
                  std::abort();
              }
          }) {}
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;
    ~Watchdog() {
        done_.set();
        thread_.join();
    }

private:
    concur::threading::Event done_; // constructed before thread_ starts
    std::thread thread_;
};

/// Runs `fn` on its own thread; join() waits (at most kLong, then aborts) and rethrows what
/// `fn` threw.
class Background {
public:
    template <class F>
    explicit Background(F fn)
        : thread_([this, fn = std::move(fn)]() mutable {
              try {
                  fn();
              } catch (...) {
                  error_ = std::current_exception();
              }
              done_.set();
          }) {}
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;
    ~Background() {
        if (thread_.joinable()) {
            wait_or_abort();
            thread_.join();
        }
    }

    void join() {
        wait_or_abort();
        thread_.join();
        if (error_) {
            std::rethrow_exception(std::exchange(error_, nullptr));
        }
    }

    [[nodiscard]] bool finished() const { return done_.is_set(); }

private:
    void wait_or_abort() {
        if (!done_.wait(kLong * 3)) {
            std::fprintf(stderr, "a test thread is stuck in a blocking call; aborting\n");
            std::abort();
        }
    }

    std::exception_ptr error_;
    concur::threading::Event done_;
    std::thread thread_;
};

/// Polls `cond` until it holds or `limit` passes; returns whether it holds.
template <class F>
bool eventually(F cond, Seconds limit = kLong) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!cond()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(200us);
    }
    return true;
}

/// True while thread `tid` is blocked in the futex system call (Linux: /proc shows the system
/// call a blocked thread is in). How a test knows a waiter is really asleep, not spinning.
inline bool in_futex(long tid) {
    std::ifstream file("/proc/self/task/" + std::to_string(tid) + "/syscall");
    long number = -1;
    return (file >> number) && number == SYS_futex;
}

/// The time `fn` takes.
template <class F>
Seconds timed(F&& fn) {
    const auto start = std::chrono::steady_clock::now();
    std::forward<F>(fn)();
    return std::chrono::steady_clock::now() - start;
}

} // namespace futures_test
