// The loop's fd watches (add_reader/add_writer) and low-level socket calls (Python's
// test_sock_lowlevel): real sockets on a real loop, on socketpairs and 127.0.0.1.
#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "concur/asyncio.hpp"
#include "net_helpers.hpp"

namespace {

using namespace std::chrono_literals;
namespace asyncio = concur::asyncio;
using concur::CancelledError;

using concur_test::open_fds;

struct Pair {
    int a = -1;
    int b = -1;
    Pair() {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
            throw std::system_error(errno, std::generic_category(), "socketpair");
        }
        a = fds[0];
        b = fds[1];
    }
    Pair(const Pair&) = delete;
    Pair& operator=(const Pair&) = delete;
    ~Pair() {
        close_a();
        close_b();
    }
    void close_a() {
        if (a >= 0) {
            ::close(a);
            a = -1;
        }
    }
    void close_b() {
        if (b >= 0) {
            ::close(b);
            b = -1;
        }
    }
};

class SockTest : public ::testing::Test {
protected:
    void SetUp() override { fds_before = open_fds(); }
    void TearDown() override {
        EXPECT_EQ(open_fds(), fds_before) << "a file descriptor was left open";
    }
    int fds_before = 0;
};

// --- add_reader / add_writer

asyncio::Coroutine<std::string> reads_with_callback(int a, int b) {
    asyncio::EventLoop& loop = asyncio::get_running_loop();
    std::string got;
    int calls = 0;
    loop.add_reader(a, [&] {
        char buf[16];
        const ssize_t n = ::read(a, buf, sizeof buf);
        if (n > 0) {
            got.append(buf, static_cast<std::size_t>(n));
        }
        ++calls;
    });
    for (const char* part : {"one ", "two ", "three"}) {
        EXPECT_EQ(::write(b, part, std::char_traits<char>::length(part)),
                  static_cast<ssize_t>(std::char_traits<char>::length(part)));
        co_await asyncio::sleep(0.01);
    }
    EXPECT_TRUE(loop.remove_reader(a));
    EXPECT_FALSE(loop.remove_reader(a)) << "nothing left to remove";
    EXPECT_EQ(::write(b, "x", 1), 1);
    co_await asyncio::sleep(0.01);
    EXPECT_EQ(calls, 3) << "a removed reader is not called";
    co_return got;
}

TEST_F(SockTest, AReaderIsCalledEachTimeUntilRemoved) {
    Pair p;
    EXPECT_EQ(asyncio::run(reads_with_callback(p.a, p.b)), "one two three");
}

asyncio::Coroutine<int> counts_writable(int a) {
    asyncio::EventLoop& loop = asyncio::get_running_loop();
    int calls = 0;
    loop.add_writer(a, [&] {
        if (++calls == 3) {
            loop.remove_writer(a);
        }
    });
    co_await asyncio::sleep(0.05);
    co_return calls;
}

TEST_F(SockTest, AWriterIsCalledWhileTheSocketIsWritable) {
    Pair p;
    EXPECT_EQ(asyncio::run(counts_writable(p.a)), 3);
}

asyncio::Coroutine<std::string> replaces_a_reader(int a, int b) {
    asyncio::EventLoop& loop = asyncio::get_running_loop();
    std::string log;
    loop.add_reader(a, [&] { log += "first "; });
    loop.add_reader(a, [&] {
        char c;
        (void)::read(a, &c, 1);
        log += "second ";
        loop.remove_reader(a);
    });
    EXPECT_EQ(::write(b, "x", 1), 1);
    co_await asyncio::sleep(0.01);
    co_return log;
}

TEST_F(SockTest, AddingAReaderReplacesTheOldOne) {
    Pair p;
    EXPECT_EQ(asyncio::run(replaces_a_reader(p.a, p.b)), "second ");
}

TEST_F(SockTest, ABadDescriptorIsAnError) {
    auto bad = []() -> asyncio::Coroutine<void> {
        asyncio::get_running_loop().add_reader(-1, [] {});
        co_return;
    };
    EXPECT_THROW(asyncio::run(bad()), concur::ValueError);
    auto closed = []() -> asyncio::Coroutine<void> {
        asyncio::get_running_loop().add_reader(1000, [] {}); // not open
        co_return;
    };
    EXPECT_THROW(asyncio::run(closed()), concur::OSError);
}

// --- sock_recv / sock_sendall

asyncio::Coroutine<void> send_later(int b, std::string data) {
    co_await asyncio::sleep(0.01);
    co_await asyncio::sock_sendall(b, std::move(data));
}

asyncio::Coroutine<std::string> receives(int a, int b) {
    auto sender = asyncio::create_task(send_later(b, "hello"));
    std::string got = co_await asyncio::sock_recv(a, 100);
    co_await sender;
    co_return got;
}

TEST_F(SockTest, SockRecvWaitsForData) {
    Pair p;
    EXPECT_EQ(asyncio::run(receives(p.a, p.b)), "hello");
}

TEST_F(SockTest, SockRecvAtEndOfStreamIsEmpty) {
    Pair p;
    p.close_b();
    EXPECT_EQ(asyncio::run(asyncio::sock_recv(p.a, 100)), "");
}

asyncio::Coroutine<std::size_t> drains(int a, std::size_t expected) {
    std::size_t total = 0;
    char buf[65536];
    while (total < expected) {
        const std::size_t n = co_await asyncio::sock_recv_into(a, buf);
        if (n == 0) {
            break;
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (buf[i] != static_cast<char>('a' + (total + i) % 26)) {
                co_return 0; // corrupted or reordered
            }
        }
        total += n;
    }
    co_return total;
}

asyncio::Coroutine<std::size_t> sends_more_than_the_buffer(int a, int b) {
    std::string data(8 << 20, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) {
        data[i] = static_cast<char>('a' + i % 26);
    }
    const std::size_t size = data.size();
    auto reader = asyncio::create_task(drains(a, size));
    co_await asyncio::sock_sendall(b, std::move(data)); // waits for room, many times
    co_return co_await reader;
}

TEST_F(SockTest, SockSendallWaitsForRoomAndSendsEverythingInOrder) {
    Pair p;
    EXPECT_EQ(asyncio::run(sends_more_than_the_buffer(p.a, p.b)), std::size_t{8} << 20);
}

TEST_F(SockTest, SendingToAClosedPeerIsAnOSError) {
    Pair p;
    p.close_a();
    try {
        asyncio::run(asyncio::sock_sendall(p.b, "lost"));
        FAIL() << "no exception";
    } catch (const concur::OSError& e) {
        EXPECT_EQ(e.code().value(), EPIPE);
    }
}

// --- cancellation

asyncio::Coroutine<std::string> cancels_a_receive(int a, int b) {
    auto t = asyncio::create_task(asyncio::sock_recv(a, 100));
    co_await asyncio::sleep(0.01);
    t.cancel("stop");
    std::string out;
    try {
        co_await t;
    } catch (const CancelledError& e) {
        out = std::string("cancelled: ") + e.what();
    }
    // The watch is gone: data now wakes nothing, and a new receive gets it.
    EXPECT_EQ(::write(b, "late", 4), 4);
    co_await asyncio::sleep(0.01);
    out += " / " + co_await asyncio::sock_recv(a, 100);
    co_return out;
}

TEST_F(SockTest, CancellingAReceiveRemovesItsWatch) {
    Pair p;
    EXPECT_EQ(asyncio::run(cancels_a_receive(p.a, p.b)), "cancelled: stop / late");
}

asyncio::Coroutine<void> times_out(int a) {
    co_await asyncio::wait_for(asyncio::sock_recv(a, 100), 10ms);
}

TEST_F(SockTest, AReceiveComposesWithWaitFor) {
    Pair p;
    EXPECT_THROW(asyncio::run(times_out(p.a)), concur::TimeoutError);
}

TEST_F(SockTest, ALoopClosedWithATaskWaitingOnASocketFreesIt) {
    Pair p;
    auto loop = asyncio::new_event_loop();
    auto t = asyncio::loop_create_task(*loop, asyncio::sock_recv(p.a, 100));
    loop->stop();
    loop->run_forever(); // one iteration: the task now waits on the socket
    loop->set_exception_handler([](asyncio::EventLoop&, const asyncio::ExceptionContext&) {});
    loop->close();
    EXPECT_FALSE(t.done());
}

// --- TCP: sock_accept / sock_connect

int tcp_socket() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "socket");
    }
    return fd;
}

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

asyncio::Coroutine<std::string> echo_once(int listener) {
    asyncio::Accepted c = co_await asyncio::sock_accept(listener);
    std::string got = co_await asyncio::sock_recv(c.fd, 100);
    co_await asyncio::sock_sendall(c.fd, "echo: " + got);
    ::close(c.fd);
    co_return got;
}

asyncio::Coroutine<std::string> connects_and_talks() {
    const int listener = tcp_socket();
    sockaddr_in addr = loopback(0);
    EXPECT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listener, 8), 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
    auto server = asyncio::create_task(echo_once(listener));

    const int client = tcp_socket();
    co_await asyncio::sock_connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    co_await asyncio::sock_sendall(client, "ping");
    std::string reply;
    for (std::string part; !(part = co_await asyncio::sock_recv(client, 100)).empty();) {
        reply += part;
    }
    const std::string seen = co_await server;
    ::close(client);
    ::close(listener);
    co_return seen + " -> " + reply;
}

TEST_F(SockTest, AcceptConnectAndExchangeOverTcp) {
    EXPECT_EQ(asyncio::run(connects_and_talks()), "ping -> echo: ping");
}

asyncio::Coroutine<int> connects_to_nobody() {
    // A port just bound and closed again: nothing listens there.
    const int probe = tcp_socket();
    sockaddr_in addr = loopback(0);
    ::bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(probe, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(probe);
    const int fd = tcp_socket();
    int error = 0;
    try {
        co_await asyncio::sock_connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    } catch (const concur::OSError& e) {
        error = e.code().value();
    }
    ::close(fd);
    co_return error;
}

TEST_F(SockTest, ARefusedConnectionIsAnOSError) {
    EXPECT_EQ(asyncio::run(connects_to_nobody()), ECONNREFUSED);
}

asyncio::Coroutine<void> uses_a_blocking_socket(int fd) {
    asyncio::get_running_loop().set_debug(true);
    co_await asyncio::sock_recv(fd, 1);
}

TEST_F(SockTest, DebugModeRejectsABlockingSocket) {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    EXPECT_THROW(asyncio::run(uses_a_blocking_socket(fds[0])), concur::ValueError);
    ::close(fds[0]);
    ::close(fds[1]);
}

} // namespace
