// multiprocessing.Barrier: a fixed number of threads, in any processes, wait for each other.
#pragma once

#include <atomic>
#include <cstdint>

#include "concur/core/timeout.hpp"
#include "concur/multiprocessing/detail/shared_block.hpp"
#include "concur/multiprocessing/synchronize.hpp"
#include "concur/threading/barrier.hpp"

namespace concur::multiprocessing {

using threading::BrokenBarrierError;

/// A barrier shared between processes (Python's multiprocessing.Barrier, without `action`):
/// each wait() blocks until `parties` threads of any processes are waiting, then all return at
/// once and the barrier is ready for the next round. Copies are handles on the same barrier.
class Barrier {
public:
    /// A barrier for `parties` threads (< 1 is a ValueError); `timeout` is wait()'s default.
    explicit Barrier(int parties = 1, Timeout timeout = std::nullopt);

    /// Waits until `parties` threads have called wait(), for at most `timeout` (std::nullopt:
    /// the barrier's default); returns the arrival index, 0 to parties - 1.
    /// BrokenBarrierError if the barrier is broken or reset meanwhile, or if this wait times
    /// out, which breaks the barrier.
    int wait(Timeout timeout = std::nullopt);
    /// Returns the barrier to its empty state; threads waiting on it get BrokenBarrierError.
    void reset();
    /// Breaks the barrier: current and future wait() calls throw BrokenBarrierError until
    /// reset().
    void abort();

    [[nodiscard]] int parties() const noexcept;
    /// The number of threads waiting now (a snapshot).
    [[nodiscard]] int n_waiting() const noexcept;
    /// True if the barrier is broken (a snapshot).
    [[nodiscard]] bool broken() const noexcept;

    template <class Archive>
    void serialize(Archive& archive) {
        archive(lock_, block_, has_timeout_, timeout_seconds_);
    }

private:
    struct State;
    [[nodiscard]] State& state() const noexcept;
    // With lock_ held: fail the current round's waiters.
    void break_round(bool stay_broken);

    Lock lock_;
    detail::SharedBlock block_;
    bool has_timeout_ = false;
    double timeout_seconds_ = 0;
};

} // namespace concur::multiprocessing
