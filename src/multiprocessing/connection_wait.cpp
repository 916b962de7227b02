// multiprocessing.connection.wait: poll(2) over several connections or descriptors.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <poll.h>

#include "concur/core/exceptions.hpp"
#include "concur/multiprocessing/connection.hpp"

namespace concur::multiprocessing::connection {

std::vector<int> wait(const std::vector<int>& fds, Timeout timeout) {
    std::vector<pollfd> entries;
    entries.reserve(fds.size());
    for (const int fd : fds) {
        entries.push_back(pollfd{fd, POLLIN, 0});
    }
    const Deadline deadline = Deadline::after(timeout);
    for (;;) {
        int wait_ms = -1;
        if (const Timeout left = deadline.remaining()) {
            wait_ms = static_cast<int>(std::min(std::ceil(left->count() * 1000.0), 2.0e9));
        }
        const int ready = ::poll(entries.data(), entries.size(), wait_ms);
        if (ready < 0) {
            if (errno == EINTR) {
                continue;
            }
            raise_os_error(errno, "poll failed");
        }
        std::vector<int> result;
        for (const pollfd& entry : entries) {
            if ((entry.revents & POLLNVAL) != 0) {
                throw OSError(EBADF, "wait() was given a closed descriptor");
            }
            if (entry.revents != 0) { // readable, hung up or in error: a read will tell
                result.push_back(entry.fd);
            }
        }
        if (!result.empty() || deadline.expired()) {
            return result;
        }
    }
}

std::vector<Connection*> wait(const std::vector<Connection*>& connections, Timeout timeout) {
    std::vector<int> fds;
    fds.reserve(connections.size());
    for (Connection* c : connections) {
        if (!c->readable()) {
            throw OSError(EBADF, "connection is write-only");
        }
        fds.push_back(c->fileno());
    }
    const std::vector<int> ready = wait(fds, timeout);
    std::vector<Connection*> result;
    for (std::size_t i = 0, j = 0; i < fds.size() && j < ready.size(); ++i) {
        if (fds[i] == ready[j]) {
            result.push_back(connections[i]);
            ++j;
        }
    }
    return result;
}

} // namespace concur::multiprocessing::connection
