#include "concur/selectors/waker.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include "system.hpp"

namespace concur::selectors {

Waker::Waker() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) {
        detail::throw_os_error(errno, "eventfd");
    }
}

Waker::~Waker() {
    ::close(fd_);
}

void Waker::wake() noexcept {
    // Release: the caller's work, published before this wake, is visible to the drain() whose
    // exchange reads our `true`. The exchange also totally orders wakes and drains on the flag:
    // the wake that finds it clear is the one that writes.
    if (pending_.exchange(true, std::memory_order_acq_rel)) {
        return; // a write since the last drain() has made, or is about to make, fd readable
    }
    const int saved = errno; // wake() may run in a signal handler
    const std::uint64_t one = 1;
    // Can fail only with EAGAIN, at a counter of 2^64 - 2 that coalescing never approaches.
    [[maybe_unused]] const ssize_t written = ::write(fd_, &one, sizeof one);
    errno = saved;
}

std::uint64_t Waker::drain() {
    std::uint64_t count = 0;
    ssize_t got = 0;
    do {
        got = ::read(fd_, &count, sizeof count);
    } while (got < 0 && errno == EINTR);
    const int error = got < 0 ? errno : 0;
    // Read first, clear after: a wake that finds the flag still set after our read is acquired
    // by this exchange, so the caller's look for work (after drain) sees what it published; one
    // that finds it clear writes again and the fd stays readable. Clearing before the read
    // could consume that write and leave the flag set with nothing to read: a lost wake-up.
    pending_.exchange(false, std::memory_order_acq_rel);
    if (got < 0) {
        if (error == EAGAIN) {
            return 0;
        }
        detail::throw_os_error(error, "read(eventfd)");
    }
    return count;
}

} // namespace concur::selectors
