#include "concur/threading/semaphore.hpp"

#include <limits>
#include <stdexcept>

#include "concur/core/exceptions.hpp"
#include "concur/core/futex.hpp"

namespace concur::threading {

namespace {

std::uint32_t checked_initial_value(int value) {
    if (value < 0) {
        throw ValueError("semaphore initial value must be >= 0");
    }
    return static_cast<std::uint32_t>(value);
}

} // namespace

Semaphore::Semaphore(int value) : Semaphore(value, false) {}

Semaphore::Semaphore(int value, bool bounded)
    : value_(checked_initial_value(value)),
      limit_(bounded ? static_cast<std::uint32_t>(value)
                     : std::numeric_limits<std::uint32_t>::max()),
      bounded_(bounded) {}

bool Semaphore::try_take() noexcept {
    // Acquire on success: what the releasing thread did before release() happens before what
    // we do after acquire(), as with a lock.
    std::uint32_t value = value_.load(std::memory_order_relaxed);
    while (value > 0) {
        if (value_.compare_exchange_weak(value, value - 1, std::memory_order_acquire,
                                         std::memory_order_relaxed)) {
            return true;
        }
    }
    return false;
}

bool Semaphore::acquire(bool blocking, Timeout timeout) {
    if (!blocking && timeout) {
        throw ValueError("can't specify timeout for non-blocking acquire");
    }
    if (try_take()) {
        return true;
    }
    if (!blocking) {
        return false;
    }
    return acquire_until(Deadline::after(timeout));
}

bool Semaphore::acquire_until(const Deadline& deadline) {
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    bool taken = false;
    for (;;) {
        std::uint32_t value = value_.load(std::memory_order_seq_cst);
        if (value > 0) {
            if (value_.compare_exchange_weak(value, value - 1, std::memory_order_seq_cst,
                                             std::memory_order_relaxed)) {
                taken = true;
                break;
            }
            continue;
        }
        if (!futex::wait(value_, 0, deadline)) {
            // Time is up, but a release() may have woken us at the same moment: take what it
            // gave rather than leave it unclaimed while other threads sleep.
            taken = try_take();
            break;
        }
    }
    // Relaxed: a stale count only costs release() a needless wake-up call.
    sleepers_.fetch_sub(1, std::memory_order_relaxed);
    return taken;
}

void Semaphore::release(int n) {
    if (n < 1) {
        throw ValueError("n must be one or more");
    }
    const auto count = static_cast<std::uint32_t>(n);
    std::uint32_t value = value_.load(std::memory_order_relaxed);
    do {
        if (count > limit_ - value) {
            if (bounded_) {
                throw ValueError("Semaphore released too many times");
            }
            throw std::overflow_error("semaphore value too large");
        }
    } while (!value_.compare_exchange_weak(value, value + count, std::memory_order_seq_cst,
                                           std::memory_order_relaxed));
    if (sleepers_.load(std::memory_order_seq_cst) != 0) {
        futex::wake(value_, n);
    }
}

} // namespace concur::threading
