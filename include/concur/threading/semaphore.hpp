// threading.Semaphore and threading.BoundedSemaphore: a counter that acquire() takes from and
// release() gives back to.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "concur/core/lockable.hpp"
#include "concur/core/timeout.hpp"

namespace concur::threading {

/// A semaphore (Python's threading.Semaphore): a counter that acquire() decrements, waiting
/// while it is zero, and release() increments. Also a standard TimedLockable, so
/// `std::scoped_lock g(sem);` is `with sem:`.
class Semaphore : public concur::Lockable<Semaphore> {
public:
    /// A semaphore whose counter starts at `value`; a negative value is a ValueError.
    explicit Semaphore(int value = 1);
    Semaphore(const Semaphore&) = delete;
    Semaphore& operator=(const Semaphore&) = delete;

    /// Decrements the counter, waiting while it is zero when `blocking`, for at most `timeout`
    /// (std::nullopt: forever). Returns true if decremented, false otherwise. A timeout with
    /// blocking=false is a ValueError; a negative timeout does not wait.
    bool acquire(bool blocking = true, Timeout timeout = std::nullopt);

    /// acquire() with an absolute deadline.
    bool acquire_until(const Deadline& deadline);

    /// Increments the counter by `n`, waking up to `n` waiting threads. `n` < 1 is a
    /// ValueError; a counter past 2^32 - 1 is an std::overflow_error.
    void release(int n = 1);

protected:
    /// For BoundedSemaphore: release() beyond `value` is a ValueError.
    Semaphore(int value, bool bounded);

private:
    bool try_take() noexcept;

    // The counter, and the futex word acquire() sleeps on while it is zero.
    std::atomic<std::uint32_t> value_;
    // How many threads are in acquire's slow path, so release() knows whether to wake anyone.
    // With value_ it forms a Dekker pair (a sleeper writes sleepers_ then reads value_, release
    // writes value_ then reads sleepers_): those four accesses are seq_cst, so at least one
    // side sees the other's write and no wake-up is lost.
    std::atomic<std::uint32_t> sleepers_{0};
    // The ceiling of a BoundedSemaphore; the largest counter otherwise.
    const std::uint32_t limit_;
    const bool bounded_;
};

/// A semaphore that cannot be released above its initial value (Python's
/// threading.BoundedSemaphore): such a release() is a ValueError and changes nothing.
class BoundedSemaphore : public Semaphore {
public:
    /// A bounded semaphore whose counter starts, and is capped, at `value`.
    explicit BoundedSemaphore(int value = 1) : Semaphore(value, true) {}
};

} // namespace concur::threading
