// threading.Event: a flag threads can wait for.
#pragma once

#include <atomic>
#include <cstdint>

#include "concur/core/timeout.hpp"

namespace concur::threading {

/// A flag that threads wait on until another thread sets it (Python's threading.Event).
class Event {
public:
    Event() = default;
    Event(const Event&) = delete;
    Event& operator=(const Event&) = delete;

    /// True if the flag is set.
    [[nodiscard]] bool is_set() const noexcept {
        return (word_.load(std::memory_order_acquire) & kFlag) != 0;
    }

    /// Sets the flag and wakes every waiting thread.
    void set() noexcept;

    /// Clears the flag; later waits block until the next set().
    void clear() noexcept;

    /// Blocks until the flag is set, for at most `timeout`. Returns true if the flag was set,
    /// including by a set() that a clear() has already undone (as Python's wait does), false on
    /// timeout.
    bool wait(Timeout timeout = std::nullopt) const;

    /// wait() with an absolute deadline.
    bool wait_until(const Deadline& deadline) const;

private:
    // bit 0: the flag; bit 1: a thread may be asleep; bits 2..: the number of set() calls, so a
    // waiter can tell that a set happened while it slept even if the flag is clear again.
    static constexpr std::uint32_t kFlag = 1;
    static constexpr std::uint32_t kSleepers = 2;
    static constexpr std::uint32_t kGeneration = 4;

    mutable std::atomic<std::uint32_t> word_{0};
};

} // namespace concur::threading
