#include "concur/multiprocessing/barrier.hpp"

#include <mutex>
#include <new>

#include "concur/core/exceptions.hpp"
#include "concur/core/futex.hpp"

namespace concur::multiprocessing {

// Everything but `round` is read and written with lock_ held. `round` counts rounds: a waiter
// sleeps on it, and whoever ends the round (the last arrival, a reset, an abort, a timeout)
// records how it ended in `failed`, bumps it and wakes everyone. The last 64 outcomes are kept:
// a waiter reads its own long before 64 more rounds can end.
struct Barrier::State {
    std::atomic<std::uint32_t> round{0};
    bool failed[64] = {};
    std::int32_t parties = 1;
    std::int32_t count = 0;
    std::atomic<std::int32_t> waiting{0}; // a snapshot for n_waiting(), without the lock
    std::atomic<bool> broken{false};
};

Barrier::Barrier(int parties, Timeout timeout) : block_(sizeof(State)) {
    if (parties < 1) {
        throw ValueError("parties must be >= 1");
    }
    new (block_.data()) State();
    state().parties = parties;
    has_timeout_ = timeout.has_value();
    timeout_seconds_ = timeout ? timeout->count() : 0;
}

Barrier::State& Barrier::state() const noexcept {
    return *block_.as<State>();
}

int Barrier::parties() const noexcept {
    return state().parties;
}

int Barrier::n_waiting() const noexcept {
    return state().waiting.load(std::memory_order_relaxed);
}

bool Barrier::broken() const noexcept {
    return state().broken.load(std::memory_order_relaxed);
}

void Barrier::break_round(bool stay_broken) {
    State& s = state();
    if (s.count > 0) {
        s.failed[s.round.load(std::memory_order_relaxed) % 64] = true;
        s.count = 0;
        s.waiting.store(0, std::memory_order_relaxed);
        s.round.fetch_add(1, std::memory_order_release);
        futex::wake_all(s.round, /*shared=*/true);
    }
    s.broken.store(stay_broken, std::memory_order_relaxed);
}

int Barrier::wait(Timeout timeout) {
    if (!timeout && has_timeout_) {
        timeout = std::chrono::duration<double>(timeout_seconds_);
    }
    const Deadline deadline = Deadline::after(timeout);
    State& s = state();
    std::unique_lock guard(lock_);
    if (s.broken.load(std::memory_order_relaxed)) {
        throw BrokenBarrierError();
    }
    const int index = s.count++;
    const std::uint32_t my_round = s.round.load(std::memory_order_relaxed);
    if (s.count == s.parties) {
        s.failed[my_round % 64] = false;
        s.count = 0;
        s.waiting.store(0, std::memory_order_relaxed);
        s.round.fetch_add(1, std::memory_order_release);
        futex::wake_all(s.round, /*shared=*/true);
        return index;
    }
    s.waiting.store(s.count, std::memory_order_relaxed);
    guard.unlock();
    while (s.round.load(std::memory_order_acquire) == my_round) {
        if (!futex::wait(s.round, my_round, deadline, /*shared=*/true)) {
            guard.lock();
            if (s.round.load(std::memory_order_relaxed) == my_round) {
                break_round(true); // as Python: a wait that times out breaks the barrier
                throw BrokenBarrierError();
            }
            guard.unlock();
        }
    }
    guard.lock();
    if (s.failed[my_round % 64]) {
        throw BrokenBarrierError();
    }
    return index;
}

void Barrier::reset() {
    std::scoped_lock guard(lock_);
    break_round(false);
}

void Barrier::abort() {
    std::scoped_lock guard(lock_);
    break_round(true);
}

} // namespace concur::multiprocessing
