#include "concur/multiprocessing/synchronize.hpp"

#include <climits>
#include <new>
#include <sys/syscall.h>
#include <unistd.h>

#include "concur/core/spin.hpp"

namespace concur::multiprocessing {
namespace {

constexpr std::uint32_t kUnlocked = 0;
constexpr std::uint32_t kLocked = 1;
constexpr std::uint32_t kContended = 2; // locked, and a thread may be asleep on it

// Python's multiprocessing treats a negative timeout as zero.
Deadline deadline_of(Timeout timeout) {
    if (timeout && timeout->count() < 0) {
        timeout = std::chrono::duration<double>(0);
    }
    return Deadline::after(timeout);
}

bool try_lock_word(std::atomic<std::uint32_t>& word) {
    std::uint32_t expected = kUnlocked;
    return word.compare_exchange_strong(expected, kLocked, std::memory_order_acquire,
                                        std::memory_order_relaxed);
}

// Drepper's mutex on a process-shared word (as threading::Lock, with shared futexes).
bool lock_word(std::atomic<std::uint32_t>& word, const Deadline& deadline) {
    for (int i = 0; i < 100; ++i) {
        if (word.load(std::memory_order_relaxed) == kUnlocked && try_lock_word(word)) {
            return true;
        }
        cpu_relax();
    }
    while (word.exchange(kContended, std::memory_order_acquire) != kUnlocked) {
        if (!futex::wait(word, kContended, deadline, /*shared=*/true)) {
            // One more try, so that a wake-up that raced with the deadline is not lost.
            return word.exchange(kContended, std::memory_order_acquire) == kUnlocked;
        }
    }
    return true;
}

void unlock_word(std::atomic<std::uint32_t>& word) {
    if (word.exchange(kUnlocked, std::memory_order_release) == kContended) {
        futex::wake(word, 1, /*shared=*/true);
    }
}

std::uint32_t thread_id() {
    return static_cast<std::uint32_t>(::syscall(SYS_gettid));
}

} // namespace

// Lock

Lock::Lock() : block_(sizeof(std::atomic<std::uint32_t>)) {
    new (block_.data()) std::atomic<std::uint32_t>(kUnlocked);
}

std::atomic<std::uint32_t>& Lock::word() const noexcept {
    return *block_.as<std::atomic<std::uint32_t>>();
}

bool Lock::acquire(bool block, Timeout timeout) {
    if (try_lock_word(word())) {
        return true;
    }
    if (!block) {
        return false;
    }
    return acquire_until(deadline_of(timeout));
}

bool Lock::acquire_until(const Deadline& deadline) {
    return lock_word(word(), deadline);
}

void Lock::release() {
    // Checked before the exchange, so a wrong release does not unlock anything by accident.
    if (word().load(std::memory_order_relaxed) == kUnlocked) {
        throw ValueError("semaphore or lock released too many times");
    }
    unlock_word(word());
}

bool Lock::locked() const noexcept {
    return word().load(std::memory_order_relaxed) != kUnlocked;
}

// RLock

struct RLock::State {
    std::atomic<std::uint32_t> word{kUnlocked};
    // The holder's thread id (unique across processes) and depth. Written only by the holder
    // while it holds `word`; others read `owner` only to compare it with their own id, which it
    // can equal only if they wrote it themselves: relaxed suffices.
    std::atomic<std::uint32_t> owner{0};
    std::uint32_t count = 0;
};

RLock::RLock() : block_(sizeof(State)) {
    new (block_.data()) State();
}

RLock::State& RLock::state() const noexcept {
    return *block_.as<State>();
}

bool RLock::acquire(bool block, Timeout timeout) {
    State& s = state();
    const std::uint32_t me = thread_id();
    if (s.owner.load(std::memory_order_relaxed) == me) {
        ++s.count;
        return true;
    }
    bool acquired = try_lock_word(s.word);
    if (!acquired && block) {
        acquired = lock_word(s.word, deadline_of(timeout));
    }
    if (acquired) {
        s.owner.store(me, std::memory_order_relaxed);
        s.count = 1;
    }
    return acquired;
}

bool RLock::acquire_until(const Deadline& deadline) {
    State& s = state();
    const std::uint32_t me = thread_id();
    if (s.owner.load(std::memory_order_relaxed) == me) {
        ++s.count;
        return true;
    }
    if (!lock_word(s.word, deadline)) {
        return false;
    }
    s.owner.store(me, std::memory_order_relaxed);
    s.count = 1;
    return true;
}

void RLock::release() {
    State& s = state();
    if (s.owner.load(std::memory_order_relaxed) != thread_id() || s.count == 0) {
        throw RuntimeError("attempt to release recursive lock not owned by thread");
    }
    if (--s.count == 0) {
        s.owner.store(0, std::memory_order_relaxed);
        unlock_word(s.word);
    }
}

bool RLock::is_owned() const noexcept {
    return state().owner.load(std::memory_order_relaxed) == thread_id() && state().count > 0;
}

std::uint32_t RLock::release_save() {
    State& s = state();
    const std::uint32_t count = s.count;
    s.count = 0;
    s.owner.store(0, std::memory_order_relaxed);
    unlock_word(s.word);
    return count;
}

void RLock::acquire_restore(std::uint32_t count) {
    State& s = state();
    lock_word(s.word, Deadline());
    s.owner.store(thread_id(), std::memory_order_relaxed);
    s.count = count;
}

// Semaphore

struct Semaphore::State {
    std::atomic<std::uint32_t> value{0};
    std::atomic<std::uint32_t> waiters{0};
    std::uint32_t maximum = INT_MAX; // Python's SEM_VALUE_MAX, for an unbounded one
};

Semaphore::Semaphore(int value) : Semaphore(value, INT_MAX) {}

Semaphore::Semaphore(int value, int maximum) : block_(sizeof(State)) {
    if (value < 0) {
        throw ValueError("semaphore initial value must be >= 0");
    }
    auto* s = new (block_.data()) State();
    s->value.store(static_cast<std::uint32_t>(value), std::memory_order_relaxed);
    s->maximum = static_cast<std::uint32_t>(maximum);
}

Semaphore::State& Semaphore::state() const noexcept {
    return *block_.as<State>();
}

namespace {
bool try_decrement(std::atomic<std::uint32_t>& value) {
    std::uint32_t v = value.load(std::memory_order_relaxed);
    while (v > 0) {
        if (value.compare_exchange_weak(v, v - 1, std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
            return true;
        }
    }
    return false;
}
} // namespace

bool Semaphore::acquire(bool block, Timeout timeout) {
    if (try_decrement(state().value)) {
        return true;
    }
    if (!block) {
        return false;
    }
    return acquire_until(deadline_of(timeout));
}

bool Semaphore::acquire_until(const Deadline& deadline) {
    State& s = state();
    while (!try_decrement(s.value)) {
        // seq_cst on `waiters` here and in release(): either release() sees this waiter, or
        // the futex wait sees the released value and returns at once.
        s.waiters.fetch_add(1, std::memory_order_seq_cst);
        const bool in_time = futex::wait(s.value, 0, deadline, /*shared=*/true);
        s.waiters.fetch_sub(1, std::memory_order_relaxed);
        if (!in_time) {
            return try_decrement(s.value);
        }
    }
    return true;
}

void Semaphore::release() {
    State& s = state();
    std::uint32_t v = s.value.load(std::memory_order_relaxed);
    do {
        if (v >= s.maximum) {
            throw ValueError("semaphore or lock released too many times");
        }
    } while (!s.value.compare_exchange_weak(v, v + 1, std::memory_order_seq_cst,
                                            std::memory_order_relaxed));
    if (s.waiters.load(std::memory_order_seq_cst) > 0) {
        futex::wake(s.value, 1, /*shared=*/true);
    }
}

int Semaphore::get_value() const noexcept {
    return static_cast<int>(state().value.load(std::memory_order_relaxed));
}

// Event

Event::Event() : block_(sizeof(std::atomic<std::uint32_t>)) {
    new (block_.data()) std::atomic<std::uint32_t>(0);
}

std::atomic<std::uint32_t>& Event::word() const noexcept {
    return *block_.as<std::atomic<std::uint32_t>>();
}

bool Event::is_set() const noexcept {
    return word().load(std::memory_order_acquire) != 0;
}

void Event::set() {
    // Release: what the setter did before set() is visible to whoever sees the flag.
    if (word().exchange(1, std::memory_order_release) == 0) {
        futex::wake_all(word(), /*shared=*/true);
    }
}

void Event::clear() {
    word().store(0, std::memory_order_relaxed);
}

bool Event::wait(Timeout timeout) {
    if (is_set()) {
        return true;
    }
    const Deadline deadline = deadline_of(timeout);
    while (!is_set()) {
        if (!futex::wait(word(), 0, deadline, /*shared=*/true)) {
            return is_set();
        }
    }
    return true;
}

} // namespace concur::multiprocessing
