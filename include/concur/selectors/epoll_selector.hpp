// selectors.EpollSelector: the selector on Linux's epoll, and DefaultSelector.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "concur/core/timeout.hpp"
#include "concur/selectors/base_selector.hpp"

struct epoll_event; // <sys/epoll.h>, kept out of the public headers

namespace concur::selectors {

/// A selector on epoll(7), level-triggered (Python's selectors.EpollSelector). An error or a
/// hang-up on an fd (EPOLLERR, EPOLLHUP) is reported as both read and write readiness, within
/// the events registered, as CPython does: the next read or write then reports the condition.
class EpollSelector : public BaseSelector {
public:
    /// Creates the epoll instance (close-on-exec); OSError if the system refuses.
    EpollSelector();
    ~EpollSelector() override;

    /// The file descriptor of the epoll instance (Python's EpollSelector.fileno()), which is
    /// readable when a registered fd is ready; RuntimeError once the selector is closed.
    [[nodiscard]] int fileno() const;

protected:
    void do_register(int fd, std::uint32_t events) override;
    void do_modify(int fd, std::uint32_t events) override;
    void do_unregister(int fd) noexcept override;
    std::size_t do_select(Timeout timeout, std::vector<Ready>& out) override;
    void do_close() noexcept override;

private:
    int epfd_ = -1;
    // epoll_wait's output, sized to the number of registrations (as CPython's maxevents) so
    // one call reports every ready fd; it grows after registrations, never in a steady loop.
    std::vector<epoll_event> events_;
};

/// The most efficient selector on this platform (Python's selectors.DefaultSelector).
using DefaultSelector = EpollSelector;

} // namespace concur::selectors
