// File descriptors for the selectors tests: owned pairs, and a check that a test leaks none.
#pragma once

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>

#include <gtest/gtest.h>

namespace selectors_test {

/// An owned file descriptor, closed on destruction.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            close();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    ~Fd() { close(); }

    [[nodiscard]] int get() const { return fd_; }
    void close() {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

private:
    int fd_ = -1;
};

[[noreturn]] inline void fail(const char* call) {
    throw std::runtime_error(std::string(call) + ": " + std::strerror(errno));
}

/// Two connected stream sockets (socket.socketpair()).
struct SocketPair {
    Fd a;
    Fd b;
};

inline SocketPair socket_pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) < 0) {
        fail("socketpair");
    }
    return {Fd(fds[0]), Fd(fds[1])};
}

/// A pipe: `read` and `write` ends (os.pipe()).
struct Pipe {
    Fd read;
    Fd write;
};

inline Pipe make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
        fail("pipe2");
    }
    return {Fd(fds[0]), Fd(fds[1])};
}

/// Writes one byte to `fd`; true if it was written.
inline bool put_byte(int fd, char byte = 'x') {
    return ::write(fd, &byte, 1) == 1;
}

/// Reads what is available from `fd`; returns the number of bytes read (0 at end of file or
/// when nothing is available).
inline std::size_t drain_fd(int fd) {
    char buffer[4096];
    std::size_t total = 0;
    for (;;) {
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got <= 0) {
            return total;
        }
        total += static_cast<std::size_t>(got);
    }
}

/// The number of file descriptors the process has open.
inline std::size_t open_fd_count() {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/self/fd")) {
        ++count;
    }
    return count;
}

/// Raises the soft limit on open files towards the hard one so that `wanted` more fit; true if
/// they do.
inline bool make_room_for_fds(std::size_t wanted) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) < 0) {
        return false;
    }
    const rlim_t needed = static_cast<rlim_t>(open_fd_count() + wanted + 64);
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
        limit.rlim_cur =
            limit.rlim_max == RLIM_INFINITY || limit.rlim_max >= needed ? needed : limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed;
}

/// A fixture that fails a test which leaves more (or fewer) file descriptors open than it
/// found: every selector, waker and socket it made must have been closed.
class FdLeakCheck : public ::testing::Test {
protected:
    void SetUp() override { before_ = open_fd_count(); }
    void TearDown() override {
        EXPECT_EQ(open_fd_count(), before_) << "the test leaked (or closed) file descriptors";
    }

private:
    std::size_t before_ = 0;
};

} // namespace selectors_test
