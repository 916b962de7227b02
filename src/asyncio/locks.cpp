// The slow paths of asyncio's locks: what happens when a task has to wait, following CPython
// 3.13's asyncio/locks.py step by step (its `finally` and `except CancelledError` clauses are
// the code around resume_from_suspension() below).
#include "concur/asyncio/locks.hpp"

#include <climits>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

#include "concur/core/exceptions.hpp"

namespace concur::asyncio {

namespace {

using detail::PromiseBase;
using detail::WaitNode;

// "<asyncio.locks.Lock object at 0x... [extra]>", as Python's reprs of the primitives.
std::string object_repr(const char* cls, const void* self, const std::string& extra) {
    char address[32];
    std::snprintf(address, sizeof address, "%#jx",
                  static_cast<std::uintmax_t>(reinterpret_cast<std::uintptr_t>(self)));
    return std::string("<asyncio.locks.") + cls + " object at " + address + " [" + extra + "]>";
}

std::string with_waiters(std::string extra, std::size_t waiters) {
    if (waiters > 0) {
        extra += ", waiters:" + std::to_string(waiters);
    }
    return extra;
}

using detail::raise_if_cancelled;

} // namespace

namespace detail {

void report_guard_error() noexcept {
    EventLoop* loop = EventLoop::running();
    if (loop == nullptr) {
        return; // a frame destroyed by loop.close(): nobody to tell
    }
    try {
        loop->call_exception_handler(
            {"Exception in LockGuard's release (released twice?)", std::current_exception()});
    } catch (...) {
        // Reporting must not throw out of a destructor.
    }
}

// --- Lock.acquire

void LockAcquire::await_suspend(std::coroutine_handle<> h) {
    PromiseBase& t = task_for_await("acquire a Lock");
    lock_->loop_.bind(t.loop(), *lock_);
    wait_in(lock_->waiters_, node_, t, &t, h);
}

bool LockAcquire::resume_after_wait() {
    PromiseBase& t = *node_.task;
    if (node_.orphaned()) {
        raise_if_cancelled(t, node_); // the lock is gone: touch nothing of it
        return true;
    }
    node_.unlink(); // finally: self._waiters.remove(fut)
    try {
        raise_if_cancelled(t, node_);
    } catch (...) {
        // Keep the lock's invariant: if it is free, the task at the head must run (this one
        // may have been woken for it, and will not take it).
        if (!lock_->locked_) {
            lock_->wake_up_first();
        }
        throw;
    }
    lock_->locked_ = true;
    return true;
}

// --- Event.wait

void EventWait::await_suspend(std::coroutine_handle<> h) {
    PromiseBase& t = task_for_await("wait on an Event");
    event_->loop_.bind(t.loop(), *event_);
    wait_in(event_->waiters_, node_, t, &t, h);
}

bool EventWait::resume_after_wait() {
    node_.unlink(); // finally: self._waiters.remove(fut)
    raise_if_cancelled(*node_.task, node_);
    return true;
}

// --- Condition.wait

void ConditionWait::await_suspend(std::coroutine_handle<> h) {
    PromiseBase& t = task_for_await("wait on a Condition");
    cond_->loop_.bind(t.loop(), *cond_);
    h_ = h;
    cond_->lock_->release();
    wait_in(cond_->waiters_, node_, t, this, h);
}

// Runs at the task's turn, when the node is woken or cancelled, in either queue. Python's
// wait() would run here: leave the condition's queue, then `await self.acquire()` until it
// succeeds, keeping the latest CancelledError. The task resumes only once it holds the lock.
void ConditionWait::step(Runnable* self) {
    auto& w = *static_cast<ConditionWait*>(self);
    PromiseBase* const t = w.node_.task;
    std::exception_ptr cancel;
    try {
        raise_if_cancelled(*t, w.node_);
    } catch (...) {
        cancel = std::current_exception();
        w.error_ = cancel;
    }
    if (w.node_.orphaned()) {
        step_task_now(t); // the condition or its lock is gone
        return;
    }
    w.node_.unlink();
    Lock& lock = *w.cond_->lock_;
    if (w.in_lock_) {
        if (!cancel) {
            lock.locked_ = true; // Lock.acquire() returns
            step_task_now(t);
            return;
        }
        // Lock.acquire()'s except clause, before wait()'s loop tries again.
        if (!lock.locked_) {
            lock.wake_up_first();
        }
    }
    if (lock.try_acquire_now()) {
        step_task_now(t);
        return;
    }
    try {
        lock.loop_.bind(t->loop(), lock);
    } catch (...) {
        w.error_ = std::current_exception(); // not a CancelledError: out of the loop
        step_task_now(t);
        return;
    }
    w.in_lock_ = true;
    wait_in(lock.waiters_, w.node_, *t, &w, w.h_);
}

bool ConditionWait::await_resume() {
    if (error_) {
        // This task may have been notified and will not act on it: notify another instead
        // (a spurious wake-up, which the condition variable protocol allows).
        if (!node_.orphaned()) {
            cond_->notify_waiters(1);
        }
        std::rethrow_exception(error_);
    }
    return true;
}

// --- Semaphore.acquire

void SemaphoreAcquire::await_suspend(std::coroutine_handle<> h) {
    PromiseBase& t = task_for_await("acquire a Semaphore");
    sem_->loop_.bind(t.loop(), *sem_);
    wait_in(sem_->waiters_, node_, t, &t, h);
}

bool SemaphoreAcquire::resume_after_wait() {
    PromiseBase& t = *node_.task;
    if (node_.orphaned()) {
        raise_if_cancelled(t, node_);
        return true;
    }
    node_.unlink(); // finally: self._waiters.remove(fut)
    try {
        raise_if_cancelled(t, node_);
    } catch (...) {
        if (node_.done() && !node_.cancelled()) {
            // Woken by _wake_up_next(), which counted this task's unit: give it back.
            ++sem_->value_;
        }
        sem_->wake_up_all_free();
        throw;
    }
    // New waiters may have queued behind this one (FIFO): wake as many as units allow.
    sem_->wake_up_all_free();
    return true;
}

} // namespace detail

// --- Lock

void Lock::release() {
    if (!locked_) {
        throw RuntimeError("Lock is not acquired.");
    }
    locked_ = false;
    wake_up_first();
}

void Lock::wake_up_first() noexcept {
    WaitNode* first = waiters_.front();
    if (first != nullptr && !first->done()) { // done: already woken, or cancelled
        first->set_result();
    }
}

std::string Lock::repr() const {
    return object_repr("Lock", this,
                       with_waiters(locked_ ? "locked" : "unlocked", waiters_.size()));
}

// --- Event

void Event::set() noexcept {
    if (value_) {
        return;
    }
    value_ = true;
    for (WaitNode* w = waiters_.front(); w != nullptr; w = detail::WaitList::next(w)) {
        if (!w->done()) {
            w->set_result();
        }
    }
}

std::string Event::repr() const {
    return object_repr("Event", this, with_waiters(value_ ? "set" : "unset", waiters_.size()));
}

// --- Condition

void Condition::notify(std::size_t n) {
    if (!locked()) {
        throw RuntimeError("cannot notify on un-acquired lock");
    }
    notify_waiters(n);
}

void Condition::notify_waiters(std::size_t n) noexcept {
    std::size_t woken = 0;
    for (WaitNode* w = waiters_.front(); w != nullptr && woken < n; w = detail::WaitList::next(w)) {
        if (!w->done()) {
            ++woken;
            w->set_result();
        }
    }
}

std::string Condition::repr() const {
    return object_repr("Condition", this,
                       with_waiters(locked() ? "locked" : "unlocked", waiters_.size()));
}

// --- Semaphore

Semaphore::Semaphore(int value, int bound) : value_(value), bound_(bound) {
    if (value < 0) {
        throw ValueError("Semaphore initial value must be >= 0");
    }
}

void Semaphore::release() {
    if (bound_ >= 0 && value_ >= bound_) {
        throw ValueError("BoundedSemaphore released too many times");
    }
    if (value_ == INT_MAX) {
        throw std::overflow_error("Semaphore released too many times");
    }
    ++value_;
    wake_up_next();
}

bool Semaphore::wake_up_next() noexcept {
    for (WaitNode* w = waiters_.front(); w != nullptr; w = detail::WaitList::next(w)) {
        if (!w->done()) {
            --value_; // the unit is this waiter's from now on
            w->set_result();
            return true;
        }
    }
    return false;
}

void Semaphore::wake_up_all_free() noexcept {
    while (value_ > 0 && wake_up_next()) {
    }
}

std::string Semaphore::repr() const {
    const std::string state = locked() ? "locked" : "unlocked, value:" + std::to_string(value_);
    return object_repr(bound_ >= 0 ? "BoundedSemaphore" : "Semaphore", this,
                       with_waiters(state, waiters_.size()));
}

// --- Barrier: CPython's coroutines, over the barrier's condition

Barrier::Barrier(int parties) : parties_(parties) {
    if (parties < 1) {
        throw ValueError("parties must be >= 1");
    }
}

Coroutine<int> Barrier::wait() {
    auto guard = co_await cond_.lock_guard();
    co_await block(); // while the previous round drains or a reset completes
    const int index = count_++;
    try {
        if (index + 1 == parties_) {
            release_round();
        } else {
            co_await wait_released();
        }
    } catch (...) {
        --count_;
        exit_barrier();
        throw;
    }
    --count_;
    exit_barrier();
    co_return index;
}

Coroutine<> Barrier::block() {
    co_await cond_.wait_for(
        [this] { return state_ != State::kDraining && state_ != State::kResetting; });
    if (state_ == State::kBroken) {
        throw BrokenBarrierError("Barrier aborted");
    }
}

void Barrier::release_round() {
    // Later arrivals wait in block() until the round has drained.
    state_ = State::kDraining;
    cond_.notify_all();
}

Coroutine<> Barrier::wait_released() {
    co_await cond_.wait_for([this] { return state_ != State::kFilling; });
    if (state_ == State::kBroken || state_ == State::kResetting) {
        throw BrokenBarrierError("Abort or reset of barrier");
    }
}

void Barrier::exit_barrier() {
    // The last task out ends the draining or the reset, and lets blocked arrivals in.
    if (count_ == 0) {
        if (state_ == State::kResetting || state_ == State::kDraining) {
            state_ = State::kFilling;
        }
        cond_.notify_all();
    }
}

Coroutine<> Barrier::reset() {
    auto guard = co_await cond_.lock_guard();
    if (count_ > 0) {
        state_ = State::kResetting; // the waiters get BrokenBarrierError; the last out refills
    } else {
        state_ = State::kFilling;
    }
    cond_.notify_all();
}

Coroutine<> Barrier::abort() {
    auto guard = co_await cond_.lock_guard();
    state_ = State::kBroken;
    cond_.notify_all();
}

std::string Barrier::repr() const {
    static const char* const names[] = {"filling", "draining", "resetting", "broken"};
    std::string extra = names[static_cast<int>(state_)];
    if (!broken()) {
        extra += ", waiters:" + std::to_string(n_waiting()) + "/" + std::to_string(parties_);
    }
    return object_repr("Barrier", this, extra);
}

} // namespace concur::asyncio
