#include "concur/core/futex.hpp"

#include <climits>
#include <ctime>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace concur::futex {

namespace {

long futex(const std::atomic<std::uint32_t>& word, int op, std::uint32_t value,
           const timespec* timeout, std::uint32_t bitset) noexcept {
    // The kernel only reads and compares the word; const is a property of our API, not of it.
    auto* address = const_cast<std::atomic<std::uint32_t>*>(&word);
    return ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(address), op, value, timeout,
                     nullptr, bitset);
}

} // namespace

bool wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected, const Deadline& deadline,
          bool shared) noexcept {
    // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time, the clock of steady_clock, so a
    // retry after a spurious wake-up keeps the caller's original deadline.
    const int op = FUTEX_WAIT_BITSET | (shared ? 0 : FUTEX_PRIVATE_FLAG);
    if (deadline.is_never()) {
        futex(word, op, expected, nullptr, FUTEX_BITSET_MATCH_ANY);
        return true;
    }
    if (deadline.expired()) {
        return false;
    }
    const auto since_epoch = deadline.when().time_since_epoch();
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(secs.count());
    ts.tv_nsec = static_cast<long>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - secs).count());
    futex(word, op, expected, &ts, FUTEX_BITSET_MATCH_ANY);
    return !deadline.expired();
}

void wake(const std::atomic<std::uint32_t>& word, int count, bool shared) noexcept {
    const int op = FUTEX_WAKE | (shared ? 0 : FUTEX_PRIVATE_FLAG);
    futex(word, op, static_cast<std::uint32_t>(count), nullptr, 0);
}

void wake_all(const std::atomic<std::uint32_t>& word, bool shared) noexcept {
    wake(word, INT_MAX, shared);
}

} // namespace concur::futex
