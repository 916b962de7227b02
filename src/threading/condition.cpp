#include "concur/threading/condition.hpp"

#include <climits>
#include <mutex>

#include "concur/core/exceptions.hpp"
#include "concur/core/futex.hpp"

namespace concur::threading {

Condition::Condition() : own_(std::in_place), rlock_(&*own_) {}

Condition::Condition(Lock& lock) : lock_(&lock) {}

Condition::Condition(RLock& lock) : rlock_(&lock) {}

bool Condition::acquire(bool blocking, Timeout timeout) {
    return lock_ != nullptr ? lock_->acquire(blocking, timeout)
                            : rlock_->acquire(blocking, timeout);
}

bool Condition::acquire_until(const Deadline& deadline) {
    return lock_ != nullptr ? lock_->acquire_until(deadline) : rlock_->acquire_until(deadline);
}

void Condition::release() {
    if (lock_ != nullptr) {
        lock_->release();
    } else {
        rlock_->release();
    }
}

bool Condition::is_owned() {
    if (rlock_ != nullptr) {
        return rlock_->is_owned();
    }
    // CPython's fallback for a lock without an owner: held if it cannot be taken now.
    if (lock_->acquire(false)) {
        lock_->release();
        return false;
    }
    return true;
}

std::uint64_t Condition::release_save() {
    if (rlock_ != nullptr) {
        return rlock_->release_save();
    }
    lock_->release();
    return 0;
}

void Condition::acquire_restore(std::uint64_t saved) {
    if (rlock_ != nullptr) {
        rlock_->acquire_restore(saved);
    } else {
        lock_->acquire();
    }
}

void Condition::unlink(Waiter* waiter) noexcept {
    (waiter->prev != nullptr ? waiter->prev->next : head_) = waiter->next;
    (waiter->next != nullptr ? waiter->next->prev : tail_) = waiter->prev;
    waiter->prev = waiter->next = nullptr;
}

bool Condition::wait(Timeout timeout) {
    return wait_until(Deadline::after(timeout));
}

bool Condition::wait_until(const Deadline& deadline) {
    if (!is_owned()) {
        throw RuntimeError("cannot wait on un-acquired lock");
    }
    Waiter self;
    {
        std::scoped_lock guard(waiters_lock_);
        self.prev = tail_;
        (tail_ != nullptr ? tail_->next : head_) = &self;
        tail_ = &self;
    }
    std::uint64_t saved = 0;
    try {
        saved = release_save();
    } catch (...) {
        std::scoped_lock guard(waiters_lock_);
        unlink(&self);
        throw;
    }
    while (self.notified.load(std::memory_order_relaxed) == 0) {
        if (!futex::wait(self.notified, 0, deadline)) {
            break;
        }
    }
    acquire_restore(saved);
    // Decided under waiters_lock_: a notify() that raced with the timeout has already unlinked
    // us and counted us as woken, so we report it rather than lose it. Taking the lock also
    // waits for notify() to be done with our node before it leaves the stack.
    std::scoped_lock guard(waiters_lock_);
    if (self.notified.load(std::memory_order_relaxed) != 0) {
        return true;
    }
    unlink(&self);
    return false;
}

void Condition::notify(int n) {
    if (!is_owned()) {
        throw RuntimeError("cannot notify on un-acquired lock");
    }
    std::scoped_lock guard(waiters_lock_);
    for (; n > 0 && head_ != nullptr; --n) {
        Waiter* waiter = head_;
        unlink(waiter);
        waiter->notified.store(1, std::memory_order_relaxed);
        futex::wake(waiter->notified, 1);
    }
}

void Condition::notify_all() {
    notify(INT_MAX);
}

} // namespace concur::threading
