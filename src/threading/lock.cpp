#include "concur/threading/lock.hpp"

#include "concur/core/exceptions.hpp"
#include "concur/core/futex.hpp"
#include "concur/core/spin.hpp"

namespace concur::threading {

bool Lock::acquire(bool blocking, Timeout timeout) {
    if (!blocking) {
        if (timeout) {
            throw ValueError("can't specify a timeout for a non-blocking call");
        }
        std::uint32_t expected = kUnlocked;
        return state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire,
                                              std::memory_order_relaxed);
    }
    if (timeout && timeout->count() < 0) {
        throw ValueError("timeout value must be a non-negative number");
    }
    std::uint32_t expected = kUnlocked;
    if (state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
        return true;
    }
    return acquire_until(Deadline::after(timeout));
}

bool Lock::acquire_until(const Deadline& deadline) {
    // A short spin first: critical sections are usually brief, and a sleep costs two system
    // calls and a context switch.
    for (int i = 0; i < 100; ++i) {
        std::uint32_t expected = kUnlocked;
        if (state_.load(std::memory_order_relaxed) == kUnlocked &&
            state_.compare_exchange_weak(expected, kLocked, std::memory_order_acquire,
                                         std::memory_order_relaxed)) {
            return true;
        }
        cpu_relax();
    }
    // Drepper's mutex: mark the lock contended, so that release knows to wake someone.
    while (state_.exchange(kContended, std::memory_order_acquire) != kUnlocked) {
        if (!futex::wait(state_, kContended, deadline)) {
            // Fix (lost wake-up): release() may have woken this thread just as its deadline
            // passed. Giving up then would leave that wake-up unused while other threads sleep
            // beside a free lock; so try once more. Leaving kContended behind makes whoever
            // holds the lock wake the next sleeper.
            return state_.exchange(kContended, std::memory_order_acquire) == kUnlocked;
        }
    }
    return true;
}

void Lock::release() {
    const std::uint32_t previous = state_.exchange(kUnlocked, std::memory_order_release);
    if (previous == kUnlocked) {
        throw RuntimeError("release unlocked lock");
    }
    if (previous == kContended) {
        futex::wake(state_, 1);
    }
}

} // namespace concur::threading
