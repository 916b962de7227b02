// selectors.PollSelector: the selector on poll(2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "concur/core/timeout.hpp"
#include "concur/selectors/base_selector.hpp"

struct pollfd; // <poll.h>, kept out of the public headers

namespace concur::selectors {

/// A selector on poll(2) (Python's selectors.PollSelector). Each select() passes every
/// registration to the kernel, so its cost grows with their number: prefer EpollSelector,
/// except to watch regular files, which epoll refuses and poll reports always ready. A closed
/// fd still registered is reported ready for both read and write (POLLNVAL).
class PollSelector : public BaseSelector {
public:
    PollSelector();
    ~PollSelector() override;

protected:
    void do_register(int fd, std::uint32_t events) override;
    void do_modify(int fd, std::uint32_t events) override;
    void do_unregister(int fd) noexcept override;
    std::size_t do_select(Timeout timeout, std::vector<Ready>& out) override;
    void do_close() noexcept override;

private:
    std::vector<pollfd> fds_;     // the array poll() takes, in no particular order
    std::vector<std::size_t> at_; // fd -> its index in fds_ (valid while registered)
};

} // namespace concur::selectors
