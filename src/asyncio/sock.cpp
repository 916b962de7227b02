#include "concur/asyncio/sock.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "concur/asyncio/transports.hpp"
#include "concur/core/exceptions.hpp"

namespace concur::asyncio {

namespace detail {

FdWaiter::~FdWaiter() {
    if (watching_ && task_->loop() != nullptr) {
        task_->loop()->unwatch(fd_, event_, task_); // the waiting frame is being destroyed
    }
}

void FdWaiter::await_suspend(std::coroutine_handle<> h) {
    PromiseBase& t = task_for_await("wait for a file descriptor");
    t.loop()->watch_once(fd_, event_, &t);
    task_ = &t;
    watching_ = true;
    t.suspend_on(h, this);
}

void FdWaiter::await_resume() {
    watching_ = false;
    task_->resume_from_suspension();
    if (cancelled_) {
        const std::string* message = task_->cancel_message();
        throw CancelledError(message != nullptr ? *message : "");
    }
}

bool FdWaiter::cancel_suspension(const std::string* /*message*/) {
    EventLoop* loop = task_->loop();
    if (!watching_ || loop == nullptr || !loop->unwatch(fd_, event_, task_)) {
        return false; // fired already: the task is on its way, must_cancel will catch it
    }
    watching_ = false;
    cancelled_ = true; // the message is the task's, where cancel() stored it
    task_->wake();
    return true;
}

} // namespace detail

namespace {

bool would_block(int e) {
    return e == EAGAIN || e == EWOULDBLOCK;
}

[[noreturn]] void raise_errno(int e, const char* what) {
    raise_os_error(e, std::string(what) + ": " + std::generic_category().message(e));
}

// Python's message: "Connect call failed ('127.0.0.1', 1)".
[[noreturn]] void raise_connect_error(int e, const sockaddr_storage& address, socklen_t length) {
    raise_os_error(
        e,
        "Connect call failed " +
            SocketAddress::from(reinterpret_cast<const sockaddr*>(&address), length).to_string());
}

// Python checks this in debug mode only; a blocking socket would block the whole loop.
void check_non_blocking(int fd) {
    EventLoop& loop = get_running_loop();
    if (!loop.get_debug()) {
        return;
    }
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0) {
        raise_errno(errno, "fcntl");
    }
    if ((flags & O_NONBLOCK) == 0) {
        throw ValueError("the socket must be non-blocking");
    }
}

} // namespace

Coroutine<std::size_t> sock_recv_into(int fd, std::span<char> buf) {
    check_non_blocking(fd);
    for (;;) {
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n >= 0) {
            co_return static_cast<std::size_t>(n);
        }
        const int e = errno;
        if (e == EINTR) {
            continue;
        }
        if (!would_block(e)) {
            raise_errno(e, "recv");
        }
        co_await wait_readable(fd);
    }
}

Coroutine<std::string> sock_recv(int fd, std::size_t nbytes) {
    std::string data(nbytes, '\0');
    const std::size_t n = co_await sock_recv_into(fd, std::span<char>(data.data(), data.size()));
    data.resize(n);
    co_return data;
}

Coroutine<void> sock_sendall(int fd, std::string data) {
    check_non_blocking(fd);
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n >= 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        const int e = errno;
        if (e == EINTR) {
            continue;
        }
        if (!would_block(e)) {
            raise_errno(e, "send");
        }
        co_await wait_writable(fd);
    }
}

Coroutine<Accepted> sock_accept(int fd) {
    check_non_blocking(fd);
    for (;;) {
        Accepted a;
        a.address_length = sizeof a.address;
        a.fd = ::accept4(fd, reinterpret_cast<sockaddr*>(&a.address), &a.address_length,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (a.fd >= 0) {
            co_return a;
        }
        const int e = errno;
        if (e == EINTR || e == ECONNABORTED) {
            continue;
        }
        if (!would_block(e)) {
            raise_errno(e, "accept");
        }
        co_await wait_readable(fd);
    }
}

Coroutine<void> sock_connect(int fd, const sockaddr* address, socklen_t length) {
    // Copied now: the coroutine runs later, when awaited.
    sockaddr_storage copy{};
    if (length > sizeof copy) {
        throw ValueError("address too long");
    }
    std::memcpy(&copy, address, length);
    return detail::sock_connect_to(fd, copy, length);
}

Coroutine<void> detail::sock_connect_to(int fd, sockaddr_storage address, socklen_t length) {
    check_non_blocking(fd);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), length) == 0) {
        co_return;
    }
    const int e = errno;
    if (e != EINPROGRESS && e != EINTR) {
        raise_connect_error(e, address, length);
    }
    co_await wait_writable(fd);
    int error = 0;
    socklen_t size = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) {
        raise_errno(errno, "getsockopt");
    }
    if (error != 0) {
        raise_connect_error(error, address, length);
    }
}

} // namespace concur::asyncio
