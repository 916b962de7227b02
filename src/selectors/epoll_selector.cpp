#include "concur/selectors/epoll_selector.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <string>

#include "concur/core/exceptions.hpp"
#include "system.hpp"

namespace concur::selectors {

namespace {

std::uint32_t to_epoll(std::uint32_t events) noexcept {
    std::uint32_t mask = 0;
    if ((events & EVENT_READ) != 0) {
        mask |= EPOLLIN;
    }
    if ((events & EVENT_WRITE) != 0) {
        mask |= EPOLLOUT;
    }
    return mask;
}

// As CPython: anything but EPOLLIN (EPOLLOUT, EPOLLERR, EPOLLHUP) counts as writable, anything
// but EPOLLOUT as readable, so an error or a hang-up wakes readers and writers alike.
std::uint32_t from_epoll(std::uint32_t mask) noexcept {
    std::uint32_t events = 0;
    if ((mask & ~static_cast<std::uint32_t>(EPOLLIN)) != 0) {
        events |= EVENT_WRITE;
    }
    if ((mask & ~static_cast<std::uint32_t>(EPOLLOUT)) != 0) {
        events |= EVENT_READ;
    }
    return events;
}

void control(int epfd, int op, int fd, std::uint32_t events) {
    epoll_event event{};
    event.events = to_epoll(events);
    event.data.fd = fd;
    if (::epoll_ctl(epfd, op, fd, &event) < 0) {
        const char* name = op == EPOLL_CTL_ADD ? "ADD" : "MOD";
        detail::throw_os_error(errno, "epoll_ctl(" + std::string(name) + ", fd " +
                                          std::to_string(fd) + ")");
    }
}

} // namespace

EpollSelector::EpollSelector() : epfd_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (epfd_ < 0) {
        detail::throw_os_error(errno, "epoll_create1");
    }
    events_.resize(1); // epoll_wait needs room for one event even with nothing registered
}

EpollSelector::~EpollSelector() {
    close();
}

int EpollSelector::fileno() const {
    if (epfd_ < 0) {
        throw RuntimeError("Selector is closed");
    }
    return epfd_;
}

void EpollSelector::do_register(int fd, std::uint32_t events) {
    control(epfd_, EPOLL_CTL_ADD, fd, events);
}

void EpollSelector::do_modify(int fd, std::uint32_t events) {
    control(epfd_, EPOLL_CTL_MOD, fd, events);
}

void EpollSelector::do_unregister(int fd) noexcept {
    // Fails if the fd was closed since (EBADF; the kernel then dropped the registration itself
    // unless a duplicate keeps the file open) or reused (ENOENT): nothing to undo either way.
    epoll_event unused{}; // kernels before 2.6.9 required a non-null pointer
    ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, &unused);
}

std::size_t EpollSelector::do_select(Timeout timeout, std::vector<Ready>& out) {
    if (registered() == 0 && timeout && timeout->count() <= 0) {
        return 0; // nothing can be ready: no system call
    }
    if (events_.size() < registered()) {
        events_.resize(registered());
    }
    const int capacity = static_cast<int>(events_.size());
    const int n = detail::wait_interruptible(
        timeout, [&](int ms) { return ::epoll_wait(epfd_, events_.data(), capacity, ms); });
    if (n < 0) {
        detail::throw_os_error(errno, "epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
        const epoll_event& event = events_[static_cast<std::size_t>(i)];
        const int fd = event.data.fd;
        // An fd unregistered after the kernel queued its event is skipped, as CPython does.
        const detail::KeySlot* slot = key_from_fd(fd);
        if (slot == nullptr) {
            continue;
        }
        const std::uint32_t ready = from_epoll(event.events) & slot->events;
        if (ready != 0) {
            out.push_back({fd, ready, slot->data});
        }
    }
    return out.size();
}

void EpollSelector::do_close() noexcept {
    ::close(epfd_);
    epfd_ = -1;
    std::vector<epoll_event>().swap(events_);
}

} // namespace concur::selectors
