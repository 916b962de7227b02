// The C++ lock interface, in terms of Python's acquire/release, written once for every lock.
#pragma once

#include <chrono>

#include "concur/core/timeout.hpp"

namespace concur {

/// Mixed into a lock with Python's `acquire(blocking, timeout)`, `acquire_until(deadline)` and
/// `release()`, gives it the standard Lockable and TimedLockable requirements, so that
/// `std::scoped_lock`, `std::unique_lock` and `std::lock` take it: `with lock:` in C++.
template <class Derived>
class Lockable {
public:
    void lock() { self().acquire(); }
    void unlock() { self().release(); }
    bool try_lock() { return self().acquire(false); }
    template <class Rep, class Period>
    bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) {
        return self().acquire(true, std::chrono::duration<double>(timeout));
    }
    template <class Duration>
    bool try_lock_until(const std::chrono::time_point<Clock, Duration>& when) {
        return self().acquire_until(
            Deadline::at(std::chrono::time_point_cast<Clock::duration>(when)));
    }

private:
    Derived& self() { return static_cast<Derived&>(*this); }
};

} // namespace concur
