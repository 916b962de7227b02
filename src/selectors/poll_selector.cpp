#include "concur/selectors/poll_selector.hpp"

#include <poll.h>

#include "system.hpp"

namespace concur::selectors {

namespace {

short to_poll(std::uint32_t events) noexcept {
    int mask = 0;
    if ((events & EVENT_READ) != 0) {
        mask |= POLLIN;
    }
    if ((events & EVENT_WRITE) != 0) {
        mask |= POLLOUT;
    }
    return static_cast<short>(mask);
}

// As CPython: anything but POLLIN (POLLOUT, POLLERR, POLLHUP, POLLNVAL) counts as writable,
// anything but POLLOUT as readable.
std::uint32_t from_poll(short revents) noexcept {
    const int mask = revents;
    std::uint32_t events = 0;
    if ((mask & ~POLLIN) != 0) {
        events |= EVENT_WRITE;
    }
    if ((mask & ~POLLOUT) != 0) {
        events |= EVENT_READ;
    }
    return events;
}

} // namespace

PollSelector::PollSelector() = default;

PollSelector::~PollSelector() {
    close();
}

void PollSelector::do_register(int fd, std::uint32_t events) {
    // poll(2) takes any fd, even a closed one (reported as POLLNVAL): nothing to refuse here.
    const auto index = static_cast<std::size_t>(fd);
    if (at_.size() <= index) {
        at_.resize(index + 1);
    }
    fds_.push_back({fd, to_poll(events), 0});
    at_[index] = fds_.size() - 1;
}

void PollSelector::do_modify(int fd, std::uint32_t events) {
    fds_[at_[static_cast<std::size_t>(fd)]].events = to_poll(events);
}

void PollSelector::do_unregister(int fd) noexcept {
    // Swap with the last entry, so that removal is O(1) and the array stays dense.
    const std::size_t index = at_[static_cast<std::size_t>(fd)];
    fds_[index] = fds_.back();
    at_[static_cast<std::size_t>(fds_[index].fd)] = index;
    fds_.pop_back();
}

std::size_t PollSelector::do_select(Timeout timeout, std::vector<Ready>& out) {
    if (fds_.empty() && timeout && timeout->count() <= 0) {
        return 0;
    }
    const int n = detail::wait_interruptible(
        timeout, [&](int ms) { return ::poll(fds_.data(), fds_.size(), ms); });
    if (n < 0) {
        detail::throw_os_error(errno, "poll");
    }
    int left = n; // poll counts the entries with revents set: stop after the last
    for (std::size_t i = 0; i < fds_.size() && left > 0; ++i) {
        const pollfd& entry = fds_[i];
        if (entry.revents == 0) {
            continue;
        }
        --left;
        const detail::KeySlot* slot = key_from_fd(entry.fd);
        const std::uint32_t ready = from_poll(entry.revents) & slot->events;
        if (ready != 0) {
            out.push_back({entry.fd, ready, slot->data});
        }
    }
    return out.size();
}

void PollSelector::do_close() noexcept {
    std::vector<pollfd>().swap(fds_);
    std::vector<std::size_t>().swap(at_);
}

} // namespace concur::selectors
