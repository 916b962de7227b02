// Waker: wakes a thread blocked in select() from any thread (the loop's self-pipe).
#pragma once

#include <atomic>
#include <cstdint>

namespace concur::selectors {

/// An eventfd that other threads make readable to wake the thread blocked in select(): what
/// asyncio's self-pipe (`_write_to_self`) is, in one file descriptor. Register fd() for
/// EVENT_READ; when it is ready, call drain() and then look for the work the wakers announced.
///
///     loop thread                                any thread
///     selector.select(timeout, ready)            publish work (own synchronisation)
///     if the waker is ready: waker.drain()       waker.wake()
///     run the work published so far
///
/// With drain() before the look, no wake-up is lost: work published before a wake() is seen
/// by that look, or fd() is readable again for the next select(). Wakes between two drains
/// cost one system call in all.
class Waker {
public:
    /// Creates the eventfd (non-blocking, close-on-exec); OSError if the system refuses.
    Waker();
    Waker(const Waker&) = delete;
    Waker& operator=(const Waker&) = delete;
    ~Waker();

    /// The file descriptor to register for EVENT_READ.
    [[nodiscard]] int fd() const noexcept { return fd_; }

    /// Makes fd() readable. Safe from any thread and from a signal handler (it keeps errno);
    /// a wake while one is pending since the last drain() makes no system call.
    void wake() noexcept;

    /// On the selecting thread: makes fd() not readable and clears the pending wake-up; returns
    /// the number of eventfd writes it consumed (0 if none). OSError on an unexpected failure.
    std::uint64_t drain();

private:
    int fd_ = -1;
    // True from the wake() that writes until the next drain(): later wakes skip the write.
    std::atomic<bool> pending_{false};
};

} // namespace concur::selectors
