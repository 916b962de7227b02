#include "concur/threading/event.hpp"

#include "concur/core/futex.hpp"

namespace concur::threading {

void Event::set() noexcept {
    std::uint32_t old = word_.load(std::memory_order_relaxed);
    std::uint32_t desired = 0;
    do {
        if ((old & kFlag) != 0) {
            return;
        }
        // A new generation with the flag set; the sleepers bit is cleared because we wake them.
        desired = ((old & ~(kFlag | kSleepers)) + kGeneration) | kFlag;
    } while (!word_.compare_exchange_weak(old, desired, std::memory_order_release,
                                          std::memory_order_relaxed));
    if ((old & kSleepers) != 0) {
        futex::wake_all(word_);
    }
}

void Event::clear() noexcept {
    word_.fetch_and(~kFlag, std::memory_order_relaxed);
}

bool Event::wait(Timeout timeout) const {
    if (is_set()) {
        return true;
    }
    return wait_until(Deadline::after(timeout));
}

bool Event::wait_until(const Deadline& deadline) const {
    std::uint32_t word = word_.load(std::memory_order_acquire);
    const std::uint32_t generation = word & ~(kFlag | kSleepers);
    for (;;) {
        if ((word & kFlag) != 0 || (word & ~(kFlag | kSleepers)) != generation) {
            return true;
        }
        if ((word & kSleepers) == 0) {
            // Announce a sleeper so that set() knows a wake-up system call is needed.
            if (!word_.compare_exchange_weak(word, word | kSleepers, std::memory_order_acquire,
                                             std::memory_order_acquire)) {
                continue;
            }
            word |= kSleepers;
        }
        if (!futex::wait(word_, word, deadline)) {
            word = word_.load(std::memory_order_acquire);
            return (word & kFlag) != 0 || (word & ~(kFlag | kSleepers)) != generation;
        }
        word = word_.load(std::memory_order_acquire);
    }
}

} // namespace concur::threading
