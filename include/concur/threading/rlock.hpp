// threading.RLock: a reentrant lock, owned by the thread that acquired it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "concur/core/lockable.hpp"
#include "concur/core/timeout.hpp"
#include "concur/threading/lock.hpp"

namespace concur::threading {

/// A reentrant lock (Python's threading.RLock): the owning thread may acquire it again, and
/// must release it as many times; only the owner may release it. Also a standard
/// TimedLockable, so `std::scoped_lock g(rlock);` is `with rlock:`.
class RLock : public concur::Lockable<RLock> {
public:
    RLock() = default;
    RLock(const RLock&) = delete;
    RLock& operator=(const RLock&) = delete;

    /// Acquires the lock. The owner acquires again at once (one more level of recursion);
    /// another thread waits while the lock is held when `blocking`, for at most `timeout`
    /// (std::nullopt: forever). Returns true if acquired. A timeout with blocking=false, or a
    /// negative timeout, is a ValueError.
    bool acquire(bool blocking = true, Timeout timeout = std::nullopt);

    /// Releases one level of recursion; the last one unlocks the lock. Releasing a lock the
    /// calling thread does not own is a RuntimeError.
    void release();

    /// True if some thread holds the lock (Python 3.14's RLock.locked).
    [[nodiscard]] bool locked() const noexcept { return block_.locked(); }

    /// Acquires the lock (or one more level of it), giving up at `deadline`; true if acquired.
    bool acquire_until(const Deadline& deadline);

    // The protocol Condition uses to wait on an RLock (CPython's _is_owned, _release_save and
    // _acquire_restore); public so that other primitives can wait on an RLock too.

    /// True if the calling thread holds the lock.
    [[nodiscard]] bool is_owned() const noexcept;

    /// Releases the lock completely, whatever its recursion level, and returns that level for
    /// acquire_restore(). A RuntimeError if the calling thread does not hold the lock.
    std::uint64_t release_save();

    /// Waits for the lock and takes it back at the recursion level release_save() returned.
    void acquire_restore(std::uint64_t count);

private:
    Lock block_;
    // The owner's get_ident(), 0 when free. Relaxed suffices: a thread only ever compares it
    // with its own id, which only it stores, and by coherence it never reads back its own id
    // after storing something else; the data the lock protects is ordered by block_.
    std::atomic<unsigned long> owner_{0};
    // The recursion level; read and written only by the owner, while it holds block_.
    std::uint64_t count_ = 0;
};

} // namespace concur::threading
