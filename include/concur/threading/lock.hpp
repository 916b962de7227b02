// threading.Lock: a primitive lock, not owned by the thread that acquired it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "concur/core/lockable.hpp"
#include "concur/core/timeout.hpp"

namespace concur::threading {

/// A primitive lock (Python's threading.Lock). Unlike std::mutex any thread may release it,
/// and acquire takes a timeout. Also a standard TimedLockable, so `std::scoped_lock g(lock);`
/// is `with lock:`.
class Lock : public concur::Lockable<Lock> {
public:
    Lock() = default;
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

    /// Acquires the lock: waits while it is held when `blocking`, for at most `timeout`
    /// (std::nullopt: forever). Returns true if acquired. A timeout with blocking=false, or a
    /// negative timeout, is a ValueError.
    bool acquire(bool blocking = true, Timeout timeout = std::nullopt);

    /// Releases the lock, from any thread; one waiting thread acquires it. Releasing an unlocked
    /// lock is a RuntimeError.
    void release();

    /// True if the lock is held.
    [[nodiscard]] bool locked() const noexcept {
        return state_.load(std::memory_order_relaxed) != kUnlocked;
    }

    /// Acquires the lock, giving up at `deadline`; true if acquired. For building other
    /// primitives on Lock.
    bool acquire_until(const Deadline& deadline);

private:
    static constexpr std::uint32_t kUnlocked = 0;
    static constexpr std::uint32_t kLocked = 1;
    static constexpr std::uint32_t kContended = 2; // locked, and a thread may be asleep on it

    // The futex word. Acquire orders the critical section after the acquiring exchange, release
    // orders it before the releasing exchange: the usual mutex pairing.
    std::atomic<std::uint32_t> state_{kUnlocked};
};

} // namespace concur::threading
