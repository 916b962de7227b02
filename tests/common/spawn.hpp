// Starting a thread in a test, so that a failed or stuck test ends instead of hanging.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <thread>
#include <utility>

#include <concur/threading/event.hpp>
#include <concur/threading/thread.hpp>

namespace concur_test {

/// Starts a daemon concur Thread running `fn` (daemon: a failed test must not hang the
/// process's exit by leaving it blocked).
template <class F>
concur::threading::Thread spawn(F fn) {
    concur::threading::Thread t({.daemon = true}, std::move(fn));
    t.start();
    return t;
}

/// How long a Background thread may take before the test is declared stuck.
inline constexpr std::chrono::seconds kStuck{30};

/// Runs `fn` on its own std::thread. join() rethrows what `fn` threw. join() and the destructor
/// wait at most kStuck for the thread, then abort the test with a message: a call that never
/// returns (some tests make untimed calls on purpose) fails the test instead of hanging it.
/// Each test runs in its own process under ctest, so the abort fails only that test.
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

    /// True if the thread has finished within `timeout`.
    [[nodiscard]] bool wait(std::chrono::duration<double> timeout) const {
        return done_.wait(timeout);
    }

    /// True if the thread has finished.
    [[nodiscard]] bool finished() const { return done_.is_set(); }

    void join() {
        wait_or_abort();
        thread_.join();
        if (error_) {
            std::rethrow_exception(std::exchange(error_, nullptr));
        }
    }

private:
    void wait_or_abort() {
        if (!done_.wait(kStuck)) {
            std::fprintf(stderr, "a test thread is stuck in a blocking call; aborting\n");
            std::abort();
        }
    }

    // Both exist before thread_ starts.
    std::exception_ptr error_;
    concur::threading::Event done_;
    std::thread thread_;
};

} // namespace concur_test
