// threading.Condition: wait until notified, releasing a lock meanwhile.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <type_traits>

#include "concur/core/lockable.hpp"
#include "concur/core/timeout.hpp"
#include "concur/threading/lock.hpp"
#include "concur/threading/rlock.hpp"

namespace concur::threading {

/// A condition variable (Python's threading.Condition): threads holding its lock wait() until
/// another thread holding it calls notify(). Waiters are woken in the order they began to
/// wait. The condition is also a Lockable, so `std::unique_lock g(cond);` is `with cond:`.
class Condition : public concur::Lockable<Condition> {
public:
    /// A condition with a lock of its own, a new RLock.
    Condition();

    /// A condition that uses `lock`, which must outlive it.
    explicit Condition(Lock& lock);
    explicit Condition(RLock& lock);

    Condition(const Condition&) = delete;
    Condition& operator=(const Condition&) = delete;

    /// Acquires the underlying lock, as its acquire() does.
    bool acquire(bool blocking = true, Timeout timeout = std::nullopt);

    /// Releases the underlying lock, as its release() does.
    void release();

    bool acquire_until(const Deadline& deadline);

    /// Releases the lock (all recursion levels of an RLock), waits until notified or until
    /// `timeout` passes, then re-acquires it. Returns false on timeout, true otherwise. Waiting
    /// without holding the lock is a RuntimeError.
    bool wait(Timeout timeout = std::nullopt);

    /// wait() with an absolute deadline.
    bool wait_until(const Deadline& deadline);

    /// Waits until `predicate()` is true, for at most `timeout` in all (not per wake-up), and
    /// returns the predicate's last value. A predicate already true returns without waiting,
    /// and without checking that the lock is held.
    template <class Pred>
    std::decay_t<std::invoke_result_t<Pred&>> wait_for(Pred predicate,
                                                       Timeout timeout = std::nullopt) {
        std::decay_t<std::invoke_result_t<Pred&>> result = predicate();
        if (result) {
            return result;
        }
        const Deadline deadline = Deadline::after(timeout);
        // As CPython: always one wait, then wait only while time is left.
        do {
            wait_until(deadline);
            result = predicate();
        } while (!result && !deadline.expired());
        return result;
    }

    /// Wakes up to `n` waiting threads, longest waiting first; they return from wait() once
    /// they re-acquire the lock. Notifying without holding the lock is a RuntimeError.
    void notify(int n = 1);

    /// Wakes every waiting thread.
    void notify_all();

private:
    // One per waiting thread, on its stack; linked into the FIFO queue while it waits.
    struct Waiter {
        // The futex word: 1 once notified. Relaxed suffices: it only says when to stop
        // sleeping; the waiter reads it for its result under waiters_lock_, and the data the
        // condition protects is ordered by the user's lock, which the waiter re-acquires.
        std::atomic<std::uint32_t> notified{0};
        Waiter* prev = nullptr;
        Waiter* next = nullptr;
    };

    [[nodiscard]] bool is_owned();
    std::uint64_t release_save();
    void acquire_restore(std::uint64_t saved);
    void unlink(Waiter* waiter) noexcept;

    // Exactly one of lock_ and rlock_ is set; own_ holds the RLock made by Condition().
    std::optional<RLock> own_;
    Lock* lock_ = nullptr;
    RLock* rlock_ = nullptr;

    // Guards the queue. The user's lock would suffice when used correctly, but for a plain
    // Lock, "held by someone" is all that can be checked; this keeps misuse memory-safe.
    Lock waiters_lock_;
    Waiter* head_ = nullptr;
    Waiter* tail_ = nullptr;
};

} // namespace concur::threading
