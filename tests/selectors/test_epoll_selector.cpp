// What is particular to EpollSelector, and to PollSelector, beyond the shared suite.
#include <concur/core/exceptions.hpp>
#include <concur/selectors.hpp>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "selectors/helpers.hpp"

using namespace std::chrono_literals;
using concur::KeyError;
using concur::OSError;
using concur::RuntimeError;
using concur::selectors::DefaultSelector;
using concur::selectors::EpollSelector;
using concur::selectors::EVENT_READ;
using concur::selectors::EVENT_WRITE;
using concur::selectors::PollSelector;
using concur::selectors::Ready;
using selectors_test::Fd;
using selectors_test::make_pipe;
using selectors_test::put_byte;
using selectors_test::socket_pair;

namespace {

// A regular file, already unlinked: epoll refuses it, poll reports it always ready.
Fd temporary_file() {
    char name[] = "/tmp/concur-selectors-XXXXXX";
    Fd fd(::mkstemp(name));
    if (fd.get() < 0) {
        selectors_test::fail("mkstemp");
    }
    ::unlink(name);
    return fd;
}

int errno_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const OSError& e) {
        return e.code().value();
    }
    return 0;
}

} // namespace

using EpollSelectorTest = selectors_test::FdLeakCheck;
using PollSelectorTest = selectors_test::FdLeakCheck;

TEST_F(EpollSelectorTest, IsTheDefaultSelector) {
    static_assert(std::is_same_v<DefaultSelector, EpollSelector>);
    static_assert(std::is_base_of_v<concur::selectors::BaseSelector, EpollSelector>);
    static_assert(!std::is_copy_constructible_v<EpollSelector>);
}

TEST_F(EpollSelectorTest, RegisterRegularFileIsOSErrorAndLeavesNoKey) {
    // CPython's test_register_file: epoll(7) refuses regular files with EPERM.
    EpollSelector s;
    Fd file = temporary_file();
    EXPECT_EQ(errno_of([&] { s.register_(file.get(), EVENT_READ); }), EPERM);
    EXPECT_THROW((void)s.get_key(file.get()), KeyError);
    EXPECT_TRUE(s.get_map().empty());
}

TEST_F(EpollSelectorTest, RegisterClosedFdIsOSErrorEbadf) {
    // CPython's test_register_bad_fd (kqueue's there; epoll's here).
    EpollSelector s;
    auto [rd, wr] = make_pipe();
    const int bad = rd.get();
    rd.close();
    EXPECT_EQ(errno_of([&] { s.register_(bad, EVENT_READ); }), EBADF);
    EXPECT_THROW((void)s.get_key(bad), KeyError);
    try {
        s.register_(bad, EVENT_READ);
    } catch (const OSError& e) {
        EXPECT_NE(std::string(e.what()).find("[Errno 9]"), std::string::npos) << e.what();
    }
}

TEST_F(EpollSelectorTest, RefusedModifyUnregisters) {
    // bpo-30014: when the system refuses modify(), the fd is unregistered.
    EpollSelector s;
    auto [a, b] = socket_pair();
    s.register_(a.get(), EVENT_READ);
    ASSERT_EQ(s.get_map().size(), 1U);
    const int closed = a.get();
    a.close();
    EXPECT_EQ(errno_of([&] { s.modify(closed, EVENT_WRITE); }), EBADF);
    EXPECT_TRUE(s.get_map().empty());
    EXPECT_THROW((void)s.get_key(closed), KeyError);
}

TEST_F(EpollSelectorTest, Fileno) {
    EpollSelector s;
    const int fd = s.fileno();
    EXPECT_GE(fd, 0);
    EXPECT_TRUE((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    s.close();
    EXPECT_THROW((void)s.fileno(), RuntimeError);
    EXPECT_EQ(::fcntl(fd, F_GETFD), -1); // the epoll fd is closed
}

TEST_F(EpollSelectorTest, FilenoIsReadableWhenAnFdIsReady) {
    // One selector nested in another, as a loop inside a loop would be.
    EpollSelector inner;
    PollSelector outer;
    auto [a, b] = socket_pair();
    inner.register_(a.get(), EVENT_READ);
    outer.register_(inner.fileno(), EVENT_READ);
    EXPECT_TRUE(outer.select(0s).empty());
    ASSERT_TRUE(put_byte(b.get()));
    const auto ready = outer.select(5s);
    ASSERT_EQ(ready.size(), 1U);
    EXPECT_EQ(ready[0].first.fd, inner.fileno());
    EXPECT_EQ(inner.select(0s).size(), 1U);
    outer.unregister(inner.fileno());
}

TEST_F(PollSelectorTest, RegularFileIsAlwaysReady) {
    PollSelector s;
    Fd file = temporary_file();
    s.register_(file.get(), EVENT_READ | EVENT_WRITE);
    std::vector<Ready> out;
    ASSERT_EQ(s.select(5s, out), 1U);
    EXPECT_EQ(out[0].events, EVENT_READ | EVENT_WRITE);
}

TEST_F(PollSelectorTest, ClosedFdIsReportedReady) {
    // poll(2) reports POLLNVAL for it: both events, as CPython maps it, so the owner notices.
    PollSelector s;
    auto [rd, wr] = make_pipe();
    s.register_(rd.get(), EVENT_READ);
    const int closed = rd.get();
    rd.close();
    std::vector<Ready> out;
    ASSERT_EQ(s.select(5s, out), 1U);
    EXPECT_EQ(out[0].fd, closed);
    EXPECT_EQ(out[0].events, EVENT_READ);
    s.unregister(closed);
}

TEST_F(PollSelectorTest, UnregisterKeepsTheOthers) {
    // Removal swaps entries inside the poll array: the others must stay watched as they were.
    PollSelector s;
    auto [a, b] = socket_pair();
    auto [c, d] = socket_pair();
    auto [e, f] = socket_pair();
    int da = 0;
    int dc = 0;
    int de = 0;
    s.register_(a.get(), EVENT_READ, &da);
    s.register_(c.get(), EVENT_WRITE, &dc);
    s.register_(e.get(), EVENT_READ, &de);
    s.unregister(a.get());
    ASSERT_TRUE(put_byte(f.get()));
    std::vector<Ready> out;
    ASSERT_EQ(s.select(5s, out), 2U);
    std::sort(out.begin(), out.end(), [](const Ready& x, const Ready& y) { return x.fd < y.fd; });
    std::vector<Ready> expected{{c.get(), EVENT_WRITE, &dc}, {e.get(), EVENT_READ, &de}};
    std::sort(expected.begin(), expected.end(),
              [](const Ready& x, const Ready& y) { return x.fd < y.fd; });
    EXPECT_EQ(out, expected);
    s.modify(c.get(), EVENT_READ);
    ASSERT_EQ(s.select(5s, out), 1U);
    EXPECT_EQ(out[0].fd, e.get());
    s.unregister(e.get());
    s.unregister(c.get());
    EXPECT_TRUE(s.select(0s).empty());
}
