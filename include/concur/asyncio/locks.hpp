// asyncio's synchronisation primitives (Python's asyncio.locks): Lock, Event, Condition,
// Semaphore, BoundedSemaphore, Barrier. Loop-bound and not thread-safe, as in Python; FIFO-fair,
// with CPython 3.13's wake-up and cancellation rules. Waiting allocates nothing: each waiter is
// a node in the awaiting coroutine's frame (detail/wait_list.hpp).
//
// Python's `async with lock:` is a scope guard:
//
//   {
//       auto guard = co_await lock.lock_guard(); // acquires; released when the scope ends
//       ...
//   }
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include "concur/asyncio/coroutine.hpp"
#include "concur/asyncio/detail/wait_list.hpp"
#include "concur/asyncio/exceptions.hpp"

namespace concur::asyncio {

class Lock;
class Event;
class Condition;
class Semaphore;

namespace detail {
/// Reports an exception from a LockGuard's release to the running loop (ignored without one).
void report_guard_error() noexcept;
} // namespace detail

/// What `async with lock:` holds (Lock, Condition, Semaphore, BoundedSemaphore): releases the
/// primitive when it goes out of scope, unless unlock() released it already. Move-only. A
/// release that throws in the destructor (the primitive was released by hand inside the scope)
/// goes to the running loop's exception handler, since a destructor cannot raise.
template <class L>
class [[nodiscard]] LockGuard {
public:
    LockGuard() = default;
    /// Adopts a primitive the caller has acquired.
    explicit LockGuard(L& held) noexcept : held_(&held) {}
    LockGuard(LockGuard&& other) noexcept : held_(std::exchange(other.held_, nullptr)) {}
    LockGuard& operator=(LockGuard&& other) noexcept {
        if (this != &other) {
            reset();
            held_ = std::exchange(other.held_, nullptr);
        }
        return *this;
    }
    LockGuard(const LockGuard&) = delete;
    LockGuard& operator=(const LockGuard&) = delete;
    ~LockGuard() { reset(); }

    /// Releases the primitive now (as std::unique_lock::unlock); the destructor then does not.
    void unlock() {
        if (held_ != nullptr) {
            std::exchange(held_, nullptr)->release();
        }
    }
    /// True while the guard holds the primitive.
    [[nodiscard]] bool owns_lock() const noexcept { return held_ != nullptr; }
    explicit operator bool() const noexcept { return owns_lock(); }

private:
    void reset() noexcept {
        if (held_ != nullptr) {
            try {
                std::exchange(held_, nullptr)->release();
            } catch (...) {
                detail::report_guard_error();
            }
        }
    }
    L* held_ = nullptr;
};

namespace detail {

/// The awaitable of Lock::acquire(). Cancel safety: cancelling the waiting task raises
/// CancelledError here and leaves the lock as it was; if the lock had already been handed to
/// this task, it is passed on to the next waiter (CPython's _wake_up_first).
class [[nodiscard]] LockAcquire {
public:
    explicit LockAcquire(Lock& lock) noexcept : lock_(&lock) {}
    LockAcquire(const LockAcquire&) = delete;
    LockAcquire& operator=(const LockAcquire&) = delete;

    bool await_ready() noexcept;
    void await_suspend(std::coroutine_handle<> h);
    bool await_resume() { return node_.task == nullptr ? true : resume_after_wait(); }

private:
    bool resume_after_wait();
    Lock* lock_;
    WaitNode node_;
};

/// The awaitable of Event::wait(). Cancel safety: cancellation raises CancelledError here; the
/// event is not affected.
class [[nodiscard]] EventWait {
public:
    explicit EventWait(Event& event) noexcept : event_(&event) {}
    EventWait(const EventWait&) = delete;
    EventWait& operator=(const EventWait&) = delete;

    [[nodiscard]] bool await_ready() const noexcept;
    void await_suspend(std::coroutine_handle<> h);
    bool await_resume() { return node_.task == nullptr ? true : resume_after_wait(); }

private:
    bool resume_after_wait();
    Event* event_;
    WaitNode node_;
};

/// The awaitable of Condition::wait(): releases the lock, waits to be notified, re-acquires
/// the lock (at the task's turn, without a coroutine frame: the node moves from the
/// condition's queue to the lock's). Cancel safety: the lock is re-acquired even when the task
/// is cancelled, then CancelledError is raised (the latest, if cancelled again while
/// re-acquiring), and one other waiter is notified in this one's place, as CPython does.
class [[nodiscard]] ConditionWait final : public Runnable {
public:
    explicit ConditionWait(Condition& cond) noexcept : cond_(&cond) { run = &ConditionWait::step; }
    ConditionWait(const ConditionWait&) = delete;
    ConditionWait& operator=(const ConditionWait&) = delete;

    [[nodiscard]] bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h);
    bool await_resume();

private:
    static void step(Runnable* self);
    Condition* cond_;
    WaitNode node_;
    std::coroutine_handle<> h_;
    std::exception_ptr error_; // raised on resumption (Python's err)
    bool in_lock_ = false;     // waiting for the lock, no longer for a notify
};

/// The awaitable of Semaphore::acquire(). Cancel safety: cancellation raises CancelledError;
/// if the semaphore had already been handed to this task, its unit goes back and the next
/// waiters are woken (CPython's _wake_up_next), so no release is lost.
class [[nodiscard]] SemaphoreAcquire {
public:
    explicit SemaphoreAcquire(Semaphore& sem) noexcept : sem_(&sem) {}
    SemaphoreAcquire(const SemaphoreAcquire&) = delete;
    SemaphoreAcquire& operator=(const SemaphoreAcquire&) = delete;

    bool await_ready() noexcept;
    void await_suspend(std::coroutine_handle<> h);
    bool await_resume() { return node_.task == nullptr ? true : resume_after_wait(); }

private:
    bool resume_after_wait();
    Semaphore* sem_;
    WaitNode node_;
};

/// `co_await x.lock_guard()`: acquires through the primitive's own awaitable `A`, then gives a
/// LockGuard. Cancel safety: that of A; no guard exists unless the acquisition succeeded.
template <class L, class A>
class [[nodiscard]] GuardAwaiter {
public:
    template <class Target>
    GuardAwaiter(L& owner, Target& target) noexcept : owner_(&owner), acquire_(target) {}
    GuardAwaiter(const GuardAwaiter&) = delete;
    GuardAwaiter& operator=(const GuardAwaiter&) = delete;

    bool await_ready() noexcept { return acquire_.await_ready(); }
    void await_suspend(std::coroutine_handle<> h) { acquire_.await_suspend(h); }
    // [[nodiscard]]: `co_await lock.lock_guard();` alone would release at once (clang warns;
    // GCC 12 does not check the results of co_await).
    [[nodiscard]] LockGuard<L> await_resume() {
        acquire_.await_resume();
        return LockGuard<L>(*owner_);
    }

private:
    L* owner_;
    A acquire_;
};

} // namespace detail

/// A mutual-exclusion lock for tasks (Python's asyncio.Lock): not owned by a task, FIFO-fair
/// (successive release() calls wake waiters in the order they came).
class Lock {
public:
    Lock() = default;
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

    /// Waits until the lock is unlocked, then locks it; true (Python's acquire()). Takes it at
    /// once only if no task is queued for it (or all of those were cancelled). Cancel safety:
    /// see detail::LockAcquire (the lock is never left taken by a cancelled acquire).
    detail::LockAcquire acquire() noexcept { return detail::LockAcquire(*this); }
    /// Unlocks and wakes the first waiter; RuntimeError "Lock is not acquired." if unlocked.
    void release();
    /// True if the lock is held.
    [[nodiscard]] bool locked() const noexcept { return locked_; }
    /// `async with lock:`: acquire(), then a guard that releases at the end of its scope.
    /// Cancel safety: as acquire().
    detail::GuardAwaiter<Lock, detail::LockAcquire> lock_guard() noexcept { return {*this, *this}; }
    /// Python's repr: "<asyncio.locks.Lock object at 0x... [locked, waiters:1]>".
    [[nodiscard]] std::string repr() const;

private:
    friend class detail::LockAcquire;
    friend class detail::ConditionWait;
    // Python's fast path: unlocked, and nobody queued who is still waiting.
    bool try_acquire_now() noexcept {
        if (!locked_ && waiters_.all_cancelled()) {
            locked_ = true;
            return true;
        }
        return false;
    }
    // Wakes the first waiter unless it is already done (woken or cancelled).
    void wake_up_first() noexcept;

    detail::WaitList waiters_;
    detail::LoopBound loop_;
    bool locked_ = false;
};

/// A flag tasks can wait for (Python's asyncio.Event): set() wakes every waiter; it stays set
/// until clear().
class Event {
public:
    Event() = default;
    Event(const Event&) = delete;
    Event& operator=(const Event&) = delete;

    /// True if the flag is set.
    [[nodiscard]] bool is_set() const noexcept { return value_; }
    /// Sets the flag and wakes every waiting task; later wait() calls return at once.
    void set() noexcept;
    /// Resets the flag: wait() blocks again until set().
    void clear() noexcept { value_ = false; }
    /// Waits until the flag is set; true. Returns at once if it is set. Cancel safety: see
    /// detail::EventWait (nothing changes but the waiter's departure).
    detail::EventWait wait() noexcept { return detail::EventWait(*this); }
    /// Python's repr: "<asyncio.locks.Event object at 0x... [set]>".
    [[nodiscard]] std::string repr() const;

private:
    friend class detail::EventWait;
    detail::WaitList waiters_;
    detail::LoopBound loop_;
    bool value_ = false;
};

/// A condition variable for tasks (Python's asyncio.Condition), over its own Lock or one given.
class Condition {
public:
    /// A condition with a lock of its own.
    Condition() noexcept : lock_(&own_) {}
    /// A condition over `lock`, which must outlive it.
    explicit Condition(Lock& lock) noexcept : lock_(&lock) {}
    Condition(const Condition&) = delete;
    Condition& operator=(const Condition&) = delete;

    /// The underlying lock's acquire(), release(), locked() and `async with`.
    detail::LockAcquire acquire() noexcept { return lock_->acquire(); }
    void release() { lock_->release(); }
    [[nodiscard]] bool locked() const noexcept { return lock_->locked(); }
    detail::GuardAwaiter<Condition, detail::LockAcquire> lock_guard() noexcept {
        return {*this, *lock_};
    }

    /// Releases the lock, waits until notified, re-acquires the lock; true. RuntimeError
    /// "cannot wait on un-acquired lock" if the lock is not held. May wake spuriously: re-check
    /// the state (or use wait_for). Cancel safety: see detail::ConditionWait (the lock is held
    /// again when CancelledError is raised).
    detail::ConditionWait wait();

    /// Waits until `predicate()` is true, re-checking after each wake-up; returns the
    /// predicate's last value (Python's wait_for). The predicate runs with the lock held.
    /// Cancel safety: as wait(). A coroutine: one frame per call.
    template <class Predicate>
    requires std::is_invocable_v<Predicate&>
    auto wait_for(Predicate predicate)
        -> Coroutine<std::decay_t<std::invoke_result_t<Predicate&>>> {
        auto result = predicate();
        while (!result) {
            co_await wait();
            result = predicate();
        }
        co_return result;
    }

    /// Wakes up to `n` waiting tasks (each returns from wait() once it has the lock again).
    /// RuntimeError "cannot notify on un-acquired lock" if the lock is not held.
    void notify(std::size_t n = 1);
    /// Wakes every waiting task; the same RuntimeError.
    void notify_all() { notify(waiters_.size()); }
    /// Python's repr: "<asyncio.locks.Condition object at 0x... [locked, waiters:1]>".
    [[nodiscard]] std::string repr() const;

private:
    friend class detail::ConditionWait;
    void notify_waiters(std::size_t n) noexcept; // Python's _notify

    Lock own_;
    Lock* lock_;
    detail::WaitList waiters_;
    detail::LoopBound loop_;
};

/// A counter of free units (Python's asyncio.Semaphore): acquire() takes one, waiting in FIFO
/// order while none is free; release() gives one back.
class Semaphore {
public:
    /// A semaphore with `value` units; ValueError if negative.
    explicit Semaphore(int value = 1) : Semaphore(value, -1) {}
    Semaphore(const Semaphore&) = delete;
    Semaphore& operator=(const Semaphore&) = delete;

    /// Takes a unit, waiting for one if none is free or earlier tasks still wait (FIFO); true.
    /// Cancel safety: see detail::SemaphoreAcquire (no unit is lost to a cancelled waiter).
    detail::SemaphoreAcquire acquire() noexcept { return detail::SemaphoreAcquire(*this); }
    /// Gives a unit back and wakes the first waiter. BoundedSemaphore: ValueError if that would
    /// exceed the initial value.
    void release();
    /// True if acquire() would wait: no unit free, or tasks already waiting (FIFO).
    [[nodiscard]] bool locked() const noexcept {
        return value_ == 0 || waiters_.size() > waiters_.cancelled_count();
    }
    /// `async with sem:`; cancel safety as acquire().
    detail::GuardAwaiter<Semaphore, detail::SemaphoreAcquire> lock_guard() noexcept {
        return {*this, *this};
    }
    /// Python's repr: "<asyncio.locks.Semaphore object at 0x... [unlocked, value:1]>".
    [[nodiscard]] std::string repr() const;

protected:
    // bound < 0: unbounded.
    Semaphore(int value, int bound);

private:
    friend class detail::SemaphoreAcquire;
    bool try_acquire_now() noexcept {
        if (!locked()) {
            --value_;
            return true;
        }
        return false;
    }
    bool wake_up_next() noexcept;     // Python's _wake_up_next: hands a unit to the first waiter
    void wake_up_all_free() noexcept; // while units are free, hand them out

    detail::WaitList waiters_;
    detail::LoopBound loop_;
    int value_;
    int bound_;
};

/// A semaphore that refuses to be released above its initial value (Python's
/// asyncio.BoundedSemaphore): release() raises ValueError "BoundedSemaphore released too many
/// times".
class BoundedSemaphore : public Semaphore {
public:
    explicit BoundedSemaphore(int value = 1) : Semaphore(value, value) {}
};

/// A meeting point for a fixed number of tasks (Python's asyncio.Barrier): each wait() blocks
/// until `parties` tasks wait, then they all go on, and the barrier serves the next round.
/// Python's `async with barrier as i:` is `int i = co_await barrier.wait();`.
class Barrier {
public:
    /// A barrier for `parties` tasks; ValueError "parties must be >= 1" below one.
    explicit Barrier(int parties);
    Barrier(const Barrier&) = delete;
    Barrier& operator=(const Barrier&) = delete;

    /// Waits until `parties` tasks wait, and returns this task's arrival index, 0 to
    /// parties - 1. Waits first while the previous round drains or a reset completes.
    /// BrokenBarrierError if the barrier is broken (abort()) or reset while waiting. Cancel
    /// safety: CancelledError, and the task leaves the barrier (n_waiting() drops by one).
    Coroutine<int> wait();
    /// Returns the barrier to the empty state; tasks waiting get BrokenBarrierError. A
    /// coroutine, as in Python (it takes the barrier's lock). Cancel safety: no effect if
    /// cancelled before it has the lock.
    Coroutine<> reset();
    /// Breaks the barrier: current and later wait() calls raise BrokenBarrierError until
    /// reset(). A coroutine; cancel safety as reset().
    Coroutine<> abort();

    /// The number of tasks needed to pass the barrier.
    [[nodiscard]] int parties() const noexcept { return parties_; }
    /// The number of tasks waiting in the filling barrier (0 while draining).
    [[nodiscard]] int n_waiting() const noexcept { return state_ == State::kFilling ? count_ : 0; }
    /// True if the barrier is broken.
    [[nodiscard]] bool broken() const noexcept { return state_ == State::kBroken; }
    /// Python's repr: "<asyncio.locks.Barrier object at 0x... [filling, waiters:2/5]>".
    [[nodiscard]] std::string repr() const;

private:
    // CPython's _BarrierState.
    enum class State { kFilling, kDraining, kResetting, kBroken };

    Coroutine<> block();
    void release_round();
    Coroutine<> wait_released();
    void exit_barrier();

    Condition cond_;
    int parties_;
    State state_ = State::kFilling;
    int count_ = 0; // tasks inside the barrier
};

// --- inline parts of the awaitables: the fast paths

namespace detail {
inline bool LockAcquire::await_ready() noexcept {
    return lock_->try_acquire_now();
}
inline bool EventWait::await_ready() const noexcept {
    return event_->is_set();
}
inline bool SemaphoreAcquire::await_ready() noexcept {
    return sem_->try_acquire_now();
}
} // namespace detail

inline detail::ConditionWait Condition::wait() {
    if (!lock_->locked()) {
        throw RuntimeError("cannot wait on un-acquired lock");
    }
    return detail::ConditionWait(*this);
}

} // namespace concur::asyncio
