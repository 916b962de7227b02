// Helpers shared by the queue tests: threads that report their exceptions, the queue kinds the
// typed suites run over, and item types that probe copies and moves.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <thread>
#include <utility>

#include <concur/queue.hpp>
#include <concur/threading/event.hpp>

namespace queue_test {

using namespace std::chrono_literals;
using Seconds = std::chrono::duration<double>;

/// How long a call that should return promptly may take before the test calls it a failure.
/// Generous, so that a loaded machine never fails a correct queue. Blocking calls in the tests
/// take it as their timeout, or run on a Background thread, so a wrong queue fails instead of
/// hanging.
inline constexpr auto kPrompt = 10s;

/// The timeout of a call that a test expects another thread to release: longer than kPrompt,
/// so that a call never woken is caught by the test's check, not let out by its own timeout.
inline constexpr auto kBlockTimeout = 20s;

/// How long a helper thread may take before the test is declared stuck.
inline constexpr auto kStuck = 30s;

/// Runs `fn` on its own thread. join() rethrows what `fn` threw. join() and the destructor
/// wait at most kStuck for the thread, then abort the test with a message: a queue call that
/// never returns (some tests make untimed calls on purpose) fails the test instead of hanging
/// it. Each test runs in its own process under ctest, so the abort fails only that test.
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
    [[nodiscard]] bool wait(Seconds timeout) const { return done_.wait(timeout); }

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

/// The time `fn` takes.
template <class F>
Seconds time_of(F&& fn) {
    const auto start = std::chrono::steady_clock::now();
    std::forward<F>(fn)();
    return std::chrono::steady_clock::now() - start;
}

/// CPython's do_blocking_test: runs `block` on a thread, checks that it has not returned after
/// a short while, runs `trigger`, and checks that `block` then returns. A correct `block`
/// cannot return before `trigger`, so the short wait never fails a correct queue; it only gives
/// a wrong one the time to show.
template <class Block, class Trigger>
void expect_blocks_until(Block block, Trigger trigger) {
    concur::threading::Event returned;
    Background thread([&] {
        block();
        returned.set();
    });
    EXPECT_FALSE(returned.wait(50ms)) << "the call returned before it was released";
    trigger();
    EXPECT_TRUE(returned.wait(kPrompt)) << "the call was not released";
    thread.join();
}

/// Makes it likely that a thread just started is already waiting inside a queue call. Tests
/// never depend on it: their outcome is the same whether the thread waits or arrives later.
inline void let_threads_block() {
    std::this_thread::sleep_for(20ms);
}

// The kinds of queue the typed suites run over.
struct FifoKind {
    template <class T>
    using type = concur::queue::Queue<T>;
};
struct LifoKind {
    template <class T>
    using type = concur::queue::LifoQueue<T>;
};
struct PriorityKind {
    template <class T>
    using type = concur::queue::PriorityQueue<T>;
};

template <class Kind, class T = int>
using QueueOf = typename Kind::template type<T>;

/// Thrown by Fragile's copy constructor.
struct CopyFailed {};

/// An item whose next copy can be made to throw, to check that a failed put leaves the queue
/// as it was (CPython's FailingQueueTest).
struct Fragile {
    explicit Fragile(int v) : value(v) {}
    Fragile(const Fragile& other) : value(other.value) {
        if (fail_next_copy) {
            fail_next_copy = false;
            throw CopyFailed{};
        }
    }
    Fragile(Fragile&&) noexcept = default;
    Fragile& operator=(const Fragile&) = default;
    Fragile& operator=(Fragile&&) noexcept = default;
    ~Fragile() = default;

    friend bool operator<(const Fragile& a, const Fragile& b) { return a.value < b.value; }

    int value;
    // Only touched by the thread that runs the test.
    static inline bool fail_next_copy = false;
};

} // namespace queue_test
