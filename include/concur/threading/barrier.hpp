// threading.Barrier: a fixed number of threads wait for each other, then all go on together.
#pragma once

#include <atomic>
#include <stdexcept>

#include "concur/core/timeout.hpp"
#include "concur/core/unique_function.hpp"
#include "concur/threading/condition.hpp"
#include "concur/threading/lock.hpp"

namespace concur::threading {

/// Raised by Barrier::wait() when the barrier is, or becomes, broken while a thread waits
/// (Python's threading.BrokenBarrierError, a RuntimeError).
class BrokenBarrierError : public std::runtime_error {
public:
    BrokenBarrierError() : std::runtime_error("the barrier is broken") {}
};

/// A barrier for `parties` threads (Python's threading.Barrier): each wait() blocks until
/// `parties` threads are waiting, then all of them return at once, and the barrier is ready
/// for the next round.
class Barrier {
public:
    /// A barrier for `parties` threads (< 1 is a ValueError). The last thread to arrive in each
    /// round calls `action` before the others are released. `timeout` is the default of wait().
    explicit Barrier(int parties, UniqueFunction<void()> action = {},
                     Timeout timeout = std::nullopt);
    Barrier(const Barrier&) = delete;
    Barrier& operator=(const Barrier&) = delete;

    /// Waits until `parties` threads have called wait(), for at most `timeout` (std::nullopt:
    /// the barrier's default). Returns the arrival index, 0 to parties - 1, distinct for each
    /// thread of a round. BrokenBarrierError if the barrier is broken or reset while waiting, or
    /// if this wait times out, which breaks the barrier. If the action throws, the barrier
    /// breaks and the last thread rethrows the action's exception.
    int wait(Timeout timeout = std::nullopt);

    /// Returns the barrier to its empty state; threads waiting on it get BrokenBarrierError.
    void reset();

    /// Puts the barrier in the broken state: current and future wait() calls throw
    /// BrokenBarrierError until reset().
    void abort();

    /// The number of threads required to pass the barrier.
    [[nodiscard]] int parties() const noexcept { return parties_; }

    /// The number of threads waiting in the barrier now (a snapshot).
    [[nodiscard]] int n_waiting() const noexcept;

    /// True if the barrier is broken (a snapshot).
    [[nodiscard]] bool broken() const noexcept {
        return state_.load(std::memory_order_relaxed) == kBroken;
    }

private:
    // CPython's states: threads gather while filling, leave while draining; resetting and
    // broken turn waiters away.
    static constexpr int kFilling = 0;
    static constexpr int kDraining = 1;
    static constexpr int kResetting = -1;
    static constexpr int kBroken = -2;

    void enter();
    void release();
    void wait_released(Timeout timeout);
    void exit();
    void break_barrier();

    Lock lock_;
    Condition cond_{lock_};
    UniqueFunction<void()> action_;
    const Timeout timeout_;
    const int parties_;
    // Written only with lock_ held; atomic so that n_waiting() and broken() can read a
    // snapshot without the lock, as Python's properties do (and from the action, which runs
    // with the lock held). Relaxed suffices: the lock orders every decision made from them.
    std::atomic<int> state_{kFilling};
    std::atomic<int> count_{0};
};

} // namespace concur::threading
