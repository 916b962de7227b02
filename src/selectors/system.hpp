// What the selectors share about system calls: errors as OSError, and waits that a signal
// neither shortens nor extends. Private to src/selectors.
#pragma once

#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <string>
#include <system_error>

#include "concur/core/exceptions.hpp"
#include "concur/core/timeout.hpp"

namespace concur::selectors::detail {

/// Throws OSError for `errno_value`, with Python's message ("[Errno 9] Bad file descriptor")
/// and the call that failed.
[[noreturn]] inline void throw_os_error(int errno_value, const std::string& call) {
    // generic_category().message() is strerror's text, without its thread-safety caveats.
    throw OSError(errno_value, "[Errno " + std::to_string(errno_value) + "] " +
                                   std::generic_category().message(errno_value) + ": " + call);
}

/// `duration` in whole milliseconds, rounded up so that a wait lasts at least as long (as
/// CPython rounds), clamped to [0, INT_MAX].
template <class Rep, class Period>
int milliseconds_ceil(std::chrono::duration<Rep, Period> duration) {
    const double ms = std::ceil(std::chrono::duration<double, std::milli>(duration).count());
    if (!(ms > 0)) {
        return 0;
    }
    return ms >= static_cast<double>(INT_MAX) ? INT_MAX : static_cast<int>(ms);
}

/// Calls `wait(milliseconds)` (poll(2) or epoll_wait(2): -1 waits forever) until it reports
/// readiness, the timeout passes, or it fails with an errno other than EINTR; returns its last
/// result, errno intact. After EINTR the wait resumes with the time left until the deadline
/// fixed at the start, so a signal does not extend it (PEP 475). ValueError for a NaN timeout.
template <class Wait>
int wait_interruptible(Timeout timeout, Wait&& wait) {
    if (timeout && timeout->count() <= 0) {
        // A poll: no clock to read.
        int n = 0;
        do {
            n = wait(0);
        } while (n < 0 && errno == EINTR);
        return n;
    }
    const Deadline deadline = Deadline::after(timeout);
    int ms = deadline.is_never() ? -1 : milliseconds_ceil(*timeout);
    for (;;) {
        const int n = wait(ms);
        if (n > 0 || (n < 0 && errno != EINTR)) {
            return n;
        }
        if (deadline.is_never()) {
            if (n == 0) {
                return 0; // not expected of an infinite wait; nothing is ready, all the same
            }
            continue; // EINTR
        }
        // A timeout longer than INT_MAX ms, or an interruption: wait for the time left.
        const auto left = deadline.when() - Clock::now();
        if (left <= Clock::duration::zero()) {
            return 0;
        }
        ms = milliseconds_ceil(left);
    }
}

} // namespace concur::selectors::detail
