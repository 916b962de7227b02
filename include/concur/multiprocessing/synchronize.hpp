// multiprocessing's synchronisation primitives: Lock, RLock, Semaphore, BoundedSemaphore, Event
// and Condition, shared between processes. Each keeps its futex words in a shared block (see
// detail/shared_block.hpp): a fork()ed child uses its copy as is, a spawned child gets it as a
// Process argument. Copies of an object are handles on the same primitive.
//
// A process that dies holding a Lock leaves it held, as in Python: an acquire with a timeout
// then returns false; one without waits forever.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "concur/core/exceptions.hpp"
#include "concur/core/futex.hpp"
#include "concur/core/lockable.hpp"
#include "concur/core/timeout.hpp"
#include "concur/multiprocessing/detail/shared_block.hpp"

namespace concur::multiprocessing {

/// A non-recursive lock shared between processes (Python's multiprocessing.Lock). Any thread of
/// any process may release it.
class Lock : public concur::Lockable<Lock> {
public:
    /// A new, unlocked lock.
    Lock();

    /// Acquires the lock, waiting while it is held when `block`, for at most `timeout`
    /// (std::nullopt: forever; a negative one counts as zero). True if acquired.
    bool acquire(bool block = true, Timeout timeout = std::nullopt);
    /// Acquires the lock, giving up at `deadline`; true if acquired.
    bool acquire_until(const Deadline& deadline);
    /// Releases the lock. ValueError if it is not held.
    void release();
    /// True if some thread of some process holds the lock (a concur addition).
    [[nodiscard]] bool locked() const noexcept;

    template <class Archive>
    void serialize(Archive& archive) {
        archive(block_);
    }

private:
    [[nodiscard]] std::atomic<std::uint32_t>& word() const noexcept;
    detail::SharedBlock block_;
};

/// A recursive lock shared between processes (Python's multiprocessing.RLock): the thread (of
/// the process) that holds it may acquire it again, and must release it as many times.
class RLock : public concur::Lockable<RLock> {
public:
    /// A new, unlocked lock.
    RLock();

    /// As Lock::acquire(); returns at once if the calling thread already holds the lock.
    bool acquire(bool block = true, Timeout timeout = std::nullopt);
    bool acquire_until(const Deadline& deadline);
    /// Releases one level. RuntimeError if the calling thread does not hold the lock.
    void release();
    /// True if the calling thread holds the lock (a concur addition, Python's _is_owned()).
    [[nodiscard]] bool is_owned() const noexcept;

    template <class Archive>
    void serialize(Archive& archive) {
        archive(block_);
    }

private:
    template <class L>
    friend class Condition;
    struct State;
    [[nodiscard]] State& state() const noexcept;
    // Releases every level (for Condition::wait); returns how many there were.
    std::uint32_t release_save();
    void acquire_restore(std::uint32_t count);
    detail::SharedBlock block_;
};

/// A counter shared between processes (Python's multiprocessing.Semaphore): acquire() waits
/// while it is zero, then decrements it; release() increments it.
class Semaphore : public concur::Lockable<Semaphore> {
public:
    /// ValueError if `value` is negative.
    explicit Semaphore(int value = 1);

    /// Decrements the counter, waiting while it is zero when `block`, for at most `timeout`.
    /// True if decremented.
    bool acquire(bool block = true, Timeout timeout = std::nullopt);
    bool acquire_until(const Deadline& deadline);
    /// Increments the counter, waking one waiter.
    void release();
    /// The counter's current value.
    [[nodiscard]] int get_value() const noexcept;

    template <class Archive>
    void serialize(Archive& archive) {
        archive(block_);
    }

protected:
    Semaphore(int value, int maximum);

private:
    struct State;
    [[nodiscard]] State& state() const noexcept;
    detail::SharedBlock block_;
};

/// A Semaphore whose release() past the initial value is a ValueError (Python's
/// multiprocessing.BoundedSemaphore).
class BoundedSemaphore : public Semaphore {
public:
    explicit BoundedSemaphore(int value = 1) : Semaphore(value, value) {}
};

/// A flag shared between processes (Python's multiprocessing.Event).
class Event {
public:
    /// A new, clear event.
    Event();

    /// True if the flag is set.
    [[nodiscard]] bool is_set() const noexcept;
    /// Sets the flag and wakes every waiter.
    void set();
    /// Clears the flag.
    void clear();
    /// Waits until the flag is set, for at most `timeout`; returns the flag.
    bool wait(Timeout timeout = std::nullopt);

    template <class Archive>
    void serialize(Archive& archive) {
        archive(block_);
    }

private:
    [[nodiscard]] std::atomic<std::uint32_t>& word() const noexcept;
    detail::SharedBlock block_;
};

/// A condition variable shared between processes (Python's multiprocessing.Condition), over
/// an RLock (the default) or a Lock. A notify may wake waiters that started waiting just
/// before it beyond the `n` asked for; wait_for() re-checks its predicate, as Python advises.
template <class L = RLock>
class Condition : public concur::Lockable<Condition<L>> {
public:
    /// A condition over a new lock, or over `lock` (shared with whoever else holds it).
    explicit Condition(L lock = L()) : lock_(std::move(lock)), block_(sizeof(std::uint32_t)) {}

    bool acquire(bool block = true, Timeout timeout = std::nullopt) {
        return lock_.acquire(block, timeout);
    }
    bool acquire_until(const Deadline& deadline) { return lock_.acquire_until(deadline); }
    void release() { lock_.release(); }
    /// The underlying lock (a handle on it).
    [[nodiscard]] L& get_lock() noexcept { return lock_; }

    /// Releases the lock, waits until notified or `timeout` passes, then reacquires the lock.
    /// False if it timed out. RuntimeError if the calling thread does not hold an RLock.
    bool wait(Timeout timeout = std::nullopt) {
        check_owned("cannot wait on un-acquired lock");
        const Deadline deadline = Deadline::after(timeout);
        auto& sequence = word();
        // Read before the release: a notify made after it changes the word, so the futex wait
        // below cannot miss it.
        const std::uint32_t seen = sequence.load(std::memory_order_acquire);
        std::uint32_t levels = 0;
        if constexpr (std::is_same_v<L, RLock>) {
            levels = lock_.release_save();
        } else {
            lock_.release();
        }
        while (sequence.load(std::memory_order_acquire) == seen &&
               futex::wait(sequence, seen, deadline, /*shared=*/true)) {
        }
        const bool notified = sequence.load(std::memory_order_acquire) != seen;
        if constexpr (std::is_same_v<L, RLock>) {
            lock_.acquire_restore(levels);
        } else {
            lock_.acquire();
        }
        return notified;
    }

    /// Waits until `predicate()` is true, for at most `timeout`; returns the last result.
    template <class Predicate>
    bool wait_for(Predicate predicate, Timeout timeout = std::nullopt) {
        const Deadline deadline = Deadline::after(timeout);
        bool result = predicate();
        while (!result) {
            const Timeout left = deadline.remaining();
            if (left && left->count() <= 0) {
                break;
            }
            wait(left);
            result = predicate();
        }
        return result;
    }

    /// Wakes up to `n` waiters (see the class note). RuntimeError if the calling thread does not
    /// hold an RLock.
    void notify(int n = 1) {
        check_owned("cannot notify on un-acquired lock");
        word().fetch_add(1, std::memory_order_release);
        futex::wake(word(), n, /*shared=*/true);
    }
    /// Wakes every waiter. As notify() for the lock.
    void notify_all() {
        check_owned("cannot notify on un-acquired lock");
        word().fetch_add(1, std::memory_order_release);
        futex::wake_all(word(), /*shared=*/true);
    }

    template <class Archive>
    void serialize(Archive& archive) {
        archive(lock_, block_);
    }

private:
    [[nodiscard]] std::atomic<std::uint32_t>& word() const noexcept {
        return *block_.as<std::atomic<std::uint32_t>>();
    }
    // Only an RLock records its holder; with a Lock the call is taken on trust.
    void check_owned(const char* message) const {
        if constexpr (std::is_same_v<L, RLock>) {
            if (!lock_.is_owned()) {
                throw RuntimeError(message);
            }
        }
    }
    L lock_;
    detail::SharedBlock block_; // the notification sequence number
};

} // namespace concur::multiprocessing
