// The loop's low-level socket calls (Python's loop.sock_recv, sock_sendall, sock_accept,
// sock_connect): coroutines over non-blocking sockets, given as file descriptors, that wait on
// the running loop when the call would block.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <sys/socket.h>
#include <utility>

#include "concur/asyncio/coroutine.hpp"
#include "concur/asyncio/detail/future_core.hpp"
#include "concur/asyncio/detail/promise.hpp"
#include "concur/asyncio/events.hpp"

namespace concur::asyncio {

namespace detail {

/// The awaitable of wait_readable()/wait_writable(): the waiting task itself is what the loop
/// schedules when the fd is ready. Cancel safety: cancelling removes the watch and raises
/// CancelledError here.
class FdWaiter final : public Suspension {
public:
    FdWaiter(int fd, std::uint32_t event) noexcept : fd_(fd), event_(event) {}
    FdWaiter(const FdWaiter&) = delete;
    FdWaiter& operator=(const FdWaiter&) = delete;
    ~FdWaiter();

    [[nodiscard]] bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h);
    void await_resume();
    bool cancel_suspension(const std::string* message) override;

private:
    int fd_;
    std::uint32_t event_;
    PromiseBase* task_ = nullptr;
    bool watching_ = false;
    bool cancelled_ = false;
};

} // namespace detail

/// Suspends the current task until `fd` is readable (or has an error or hang-up to report).
/// Cancel safety: the watch is removed and CancelledError raised.
inline detail::FdWaiter wait_readable(int fd) noexcept {
    return {fd, selectors::EVENT_READ};
}

/// Suspends the current task until `fd` is writable. Cancel safety: as wait_readable().
inline detail::FdWaiter wait_writable(int fd) noexcept {
    return {fd, selectors::EVENT_WRITE};
}

/// Receives up to `nbytes` from the non-blocking socket `fd` (Python's loop.sock_recv); an
/// empty string at end of stream. OSError on failure. Cancel safety: nothing is received.
Coroutine<std::string> sock_recv(int fd, std::size_t nbytes);

/// Receives into `buf` (Python's loop.sock_recv_into); returns the number of bytes, 0 at end
/// of stream. Cancel safety: nothing is received.
Coroutine<std::size_t> sock_recv_into(int fd, std::span<char> buf);

/// Sends all of `data` (Python's loop.sock_sendall; the coroutine keeps its own copy). OSError
/// on failure (EPIPE when the peer has gone). Cancel safety: part of the data may have been sent.
Coroutine<void> sock_sendall(int fd, std::string data);

/// Accepts a connection on the listening non-blocking socket `fd` (Python's loop.sock_accept):
/// the new socket, non-blocking and close-on-exec, and the peer's address. Cancel safety: no
/// connection is accepted.
struct Accepted {
    int fd = -1;
    sockaddr_storage address{};
    socklen_t address_length = 0;
};
Coroutine<Accepted> sock_accept(int fd);

/// Connects the non-blocking socket `fd` to `address` (Python's loop.sock_connect).
/// OSError (ConnectionRefusedError's errno ECONNREFUSED...) on failure. Cancel safety: the
/// connection attempt is abandoned; the caller closes the socket.
Coroutine<void> sock_connect(int fd, const sockaddr* address, socklen_t length);

namespace detail {
Coroutine<void> sock_connect_to(int fd, sockaddr_storage address, socklen_t length);
} // namespace detail

} // namespace concur::asyncio
