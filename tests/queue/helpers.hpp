// Helpers shared by the queue tests: the timeouts, blocking checks, the queue kinds the typed
// suites run over, and item types that probe copies and moves.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <concur/queue.hpp>
#include <concur/threading/event.hpp>

#include "common/spawn.hpp"
#include "common/wait_helpers.hpp"

namespace queue_test {

using namespace std::chrono_literals;
using concur_test::Background;
using concur_test::Seconds;
using concur_test::time_of;

/// How long a call that should return promptly may take before the test calls it a failure.
/// Generous, so that a loaded machine never fails a correct queue. Blocking calls in the tests
/// take it as their timeout, or run on a Background thread, so a wrong queue fails instead of
/// hanging.
inline constexpr auto kPrompt = 10s;

/// The timeout of a call that a test expects another thread to release: longer than kPrompt,
/// so that a call never woken is caught by the test's check, not let out by its own timeout.
inline constexpr auto kBlockTimeout = 20s;

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

/// Expects `call(timeout)`, a blocking call given `timeout`, to throw `E` once the timeout has
/// passed: not before it, and promptly after.
template <class E, class Call>
void expect_times_out(Call call, std::chrono::milliseconds timeout = 50ms) {
    const auto took = time_of([&] { EXPECT_THROW(call(timeout), E); });
    EXPECT_GE(took, timeout) << "gave up before the timeout";
    EXPECT_LT(took, kPrompt);
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
