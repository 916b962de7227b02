// Timeout checks and deadline waits shared by the queue classes.
#pragma once

#include <condition_variable>
#include <mutex>

#include "concur/core/exceptions.hpp"
#include "concur/core/timeout.hpp"

namespace concur::queue::detail {

/// Throws ValueError for a negative timeout, with CPython's message. NaN is left to
/// Deadline::after, which rejects it.
inline void check_timeout(const Timeout& timeout) {
    if (timeout && timeout->count() < 0) {
        throw ValueError("'timeout' must be a non-negative number");
    }
}

/// Waits on `cv` until notified, a spurious wake-up, or `deadline`. The caller re-checks its
/// condition and the deadline: the deadline is absolute, so waking early never extends it.
inline void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                       const Deadline& deadline) {
    if (deadline.is_never()) {
        cv.wait(lock);
    } else {
        cv.wait_until(lock, deadline.when());
    }
}

} // namespace concur::queue::detail
