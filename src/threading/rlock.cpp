#include "concur/threading/rlock.hpp"

#include "concur/core/exceptions.hpp"
#include "concur/threading/thread.hpp"

namespace concur::threading {

bool RLock::acquire(bool blocking, Timeout timeout) {
    // The arguments are checked first, even for the owner, as CPython's C RLock does.
    if (!blocking && timeout) {
        throw ValueError("can't specify a timeout for a non-blocking call");
    }
    if (timeout && timeout->count() < 0) {
        throw ValueError("timeout value must be a non-negative number");
    }
    const unsigned long me = get_ident();
    if (owner_.load(std::memory_order_relaxed) == me) {
        ++count_;
        return true;
    }
    if (!block_.acquire(blocking, timeout)) {
        return false;
    }
    owner_.store(me, std::memory_order_relaxed);
    count_ = 1;
    return true;
}

bool RLock::acquire_until(const Deadline& deadline) {
    const unsigned long me = get_ident();
    if (owner_.load(std::memory_order_relaxed) == me) {
        ++count_;
        return true;
    }
    if (!block_.acquire_until(deadline)) {
        return false;
    }
    owner_.store(me, std::memory_order_relaxed);
    count_ = 1;
    return true;
}

void RLock::release() {
    if (!is_owned()) {
        throw RuntimeError("cannot release un-acquired lock");
    }
    if (--count_ == 0) {
        owner_.store(0, std::memory_order_relaxed);
        block_.release();
    }
}

bool RLock::is_owned() const noexcept {
    return owner_.load(std::memory_order_relaxed) == get_ident();
}

std::uint64_t RLock::release_save() {
    if (!is_owned()) {
        throw RuntimeError("cannot release un-acquired lock");
    }
    const std::uint64_t count = count_;
    count_ = 0;
    owner_.store(0, std::memory_order_relaxed);
    block_.release();
    return count;
}

void RLock::acquire_restore(std::uint64_t count) {
    block_.acquire();
    owner_.store(get_ident(), std::memory_order_relaxed);
    count_ = count;
}

} // namespace concur::threading
