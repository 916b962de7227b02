// CPython's Barrier state machine (Lib/threading.py), one function per step.
#include "concur/threading/barrier.hpp"

#include <mutex>

#include "concur/core/exceptions.hpp"

namespace concur::threading {

namespace {

int checked_parties(int parties) {
    if (parties < 1) {
        throw ValueError("parties must be >= 1");
    }
    return parties;
}

} // namespace

Barrier::Barrier(int parties, UniqueFunction<void()> action, Timeout timeout)
    : action_(std::move(action)), timeout_(timeout), parties_(checked_parties(parties)) {}

int Barrier::wait(Timeout timeout) {
    if (!timeout) {
        timeout = timeout_;
    }
    std::scoped_lock guard(lock_);
    enter(); // waits while the previous round drains
    const int index = count_.load(std::memory_order_relaxed);
    count_.store(index + 1, std::memory_order_relaxed);
    // Python's `finally:` — leave the round however wait() ends, waking the next round's
    // threads once the last one is out.
    struct Leave {
        Barrier& barrier;
        ~Leave() {
            barrier.count_.store(barrier.count_.load(std::memory_order_relaxed) - 1,
                                 std::memory_order_relaxed);
            barrier.exit();
        }
    } leave{*this};
    if (index + 1 == parties_) {
        release();
    } else {
        wait_released(timeout);
    }
    return index;
}

void Barrier::enter() {
    // Wait while the barrier drains or resets, then refuse if broken.
    for (;;) {
        const int state = state_.load(std::memory_order_relaxed);
        if (state != kResetting && state != kDraining) {
            break;
        }
        cond_.wait();
    }
    if (state_.load(std::memory_order_relaxed) < 0) {
        throw BrokenBarrierError();
    }
}

void Barrier::release() {
    // The last thread in: run the action, then let everyone go. An action that throws breaks
    // the barrier, and the exception goes to this thread's caller.
    try {
        if (action_) {
            action_();
        }
        state_.store(kDraining, std::memory_order_relaxed);
        cond_.notify_all();
    } catch (...) {
        break_barrier();
        throw;
    }
}

void Barrier::wait_released(Timeout timeout) {
    if (!cond_.wait_for([this] { return state_.load(std::memory_order_relaxed) != kFilling; },
                        timeout)) {
        break_barrier();
        throw BrokenBarrierError();
    }
    if (state_.load(std::memory_order_relaxed) < 0) {
        throw BrokenBarrierError();
    }
}

void Barrier::exit() {
    // The last thread out of a draining or resetting round opens the barrier again.
    if (count_.load(std::memory_order_relaxed) == 0) {
        const int state = state_.load(std::memory_order_relaxed);
        if (state == kResetting || state == kDraining) {
            state_.store(kFilling, std::memory_order_relaxed);
            cond_.notify_all();
        }
    }
}

void Barrier::reset() {
    std::scoped_lock guard(lock_);
    if (count_.load(std::memory_order_relaxed) > 0) {
        const int state = state_.load(std::memory_order_relaxed);
        if (state == kFilling || state == kBroken) {
            // Waiters are turned away; the last one out opens the barrier.
            state_.store(kResetting, std::memory_order_relaxed);
        }
    } else {
        state_.store(kFilling, std::memory_order_relaxed);
    }
    cond_.notify_all();
}

void Barrier::abort() {
    std::scoped_lock guard(lock_);
    break_barrier();
}

void Barrier::break_barrier() {
    state_.store(kBroken, std::memory_order_relaxed);
    cond_.notify_all();
}

int Barrier::n_waiting() const noexcept {
    if (state_.load(std::memory_order_relaxed) == kFilling) {
        return count_.load(std::memory_order_relaxed);
    }
    return 0;
}

} // namespace concur::threading
