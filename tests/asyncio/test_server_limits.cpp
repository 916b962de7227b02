// A server at the edges: ten thousand idle connections, and the descriptor limit reached while
// accepting. The clients live in a forked child, so that the server's process holds only its
// own ends.
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "concur/asyncio.hpp"
#include "net_helpers.hpp"

namespace {

namespace asyncio = concur::asyncio;
using asyncio::Coroutine;
using asyncio::Transport;

class ServerLimits : public concur_test::FdCountingTest {};

struct Counting : asyncio::Protocol {
    explicit Counting(int* live) : live_(live) {}
    void connection_made(Transport&) override { ++*live_; }
    void connection_lost(std::exception_ptr) override { --*live_; }
    int* live_;
};

// The child: opens `n` blocking connections to 127.0.0.1:port, reports on `report` (one byte)
// when all are open, waits for the server to close them, and exits with the number of
// connections that saw their end of stream (capped at 255 in the status: 0 means all did).
[[noreturn]] void client_process(int port, int n, int report, int go) {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::vector<int> fds;
    for (int i = 0; i < n; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            std::_Exit(100);
        }
        fds.push_back(fd);
    }
    char byte = 'r';
    pollfd wait_go{go, POLLIN, 0};
    if (::write(report, &byte, 1) != 1 || ::poll(&wait_go, 1, 60000) != 1 ||
        ::read(go, &byte, 1) != 1) {
        std::_Exit(101); // the parent gave up or died
    }
    int not_closed = 0;
    for (int fd : fds) {
        timeval tv{10, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char c;
        not_closed += ::read(fd, &c, 1) == 0 ? 0 : 1;
    }
    std::_Exit(not_closed > 99 ? 99 : not_closed);
}

// Reads one byte from `fd` without blocking the loop, for at most `seconds`.
Coroutine<bool> read_byte(int fd, double seconds) {
    char byte = 0;
    try {
        co_await asyncio::wait_for(asyncio::sock_recv_into(fd, std::span<char>(&byte, 1)), seconds);
    } catch (const concur::TimeoutError&) {
        co_return false;
    }
    co_return byte == 'r';
}

struct Child {
    pid_t pid = -1;
    int report = -1; // read end: the child says its connections are open
    int go = -1;     // write end: the child may check they are closed
    Child(int port, int n) {
        int r[2];
        int g[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, r) != 0 ||
            ::pipe2(g, O_CLOEXEC) != 0) {
            throw std::runtime_error("pipes");
        }
        pid = ::fork();
        if (pid == 0) {
            // Only the parent holds these ends: if it dies, the child's reads see the end.
            ::close(r[0]);
            ::close(g[1]);
            client_process(port, n, r[1], g[0]);
        }
        ::close(r[1]);
        ::close(g[0]);
        report = r[0];
        go = g[1];
        int flags = ::fcntl(report, F_GETFL);
        ::fcntl(report, F_SETFL, flags | O_NONBLOCK);
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    /// Lets the child check its connections, then reaps it: its exit status.
    int finish() {
        char byte = 'g';
        (void)::write(go, &byte, 1);
        ::close(go);
        ::close(report);
        go = report = -1;
        int status = 0;
        ::waitpid(pid, &status, 0);
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
    }
    ~Child() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            finish();
        }
    }
};

TEST_F(ServerLimits, TenThousandIdleConnections) {
    constexpr int kClients = 10000;
    rlimit saved{};
    ::getrlimit(RLIMIT_NOFILE, &saved);
    if (saved.rlim_max < kClients + 100) {
        GTEST_SKIP() << "the descriptor limit (" << saved.rlim_max << ") is below "
                     << kClients + 100;
    }
    rlimit raised = saved;
    raised.rlim_cur = saved.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &raised);
    int live = 0;
    int child_status = -1;
    asyncio::run([&]() -> Coroutine<void> {
        auto server = co_await asyncio::create_server(
            [&] { return std::make_shared<Counting>(&live); }, "127.0.0.1", 0, {.backlog = 4096});
        Child child(server.addresses().at(0).port, kClients);
        EXPECT_TRUE(co_await read_byte(child.report, 120.0));
        for (int i = 0; i < 2000 && live < kClients; ++i) {
            co_await asyncio::sleep(0.01);
        }
        EXPECT_EQ(live, kClients);
        // Still serving with all of them idle.
        auto [reader, writer] =
            co_await asyncio::open_connection("127.0.0.1", server.addresses().at(0).port);
        EXPECT_EQ(live, kClients + 1);
        writer.close();
        co_await writer.wait_closed();
        server.close();
        server.close_clients();
        co_await asyncio::wait_for(server.wait_closed(), 30.0);
        EXPECT_EQ(live, 0);
        child_status = child.finish();
    }());
    ::setrlimit(RLIMIT_NOFILE, &saved);
    EXPECT_EQ(child_status, 0) << "connections the server did not close";
}

TEST_F(ServerLimits, OutOfDescriptorsPausesAcceptingThenRecovers) {
#if defined(__SANITIZE_ADDRESS__)
    // UBSan's vptr check probes memory through a pipe it opens: with no descriptor left it
    // reports every polymorphic access as invalid.
    GTEST_SKIP() << "no descriptor to spare for the sanitizers' memory probes";
#endif
    constexpr int kClients = 30;
    rlimit saved{};
    ::getrlimit(RLIMIT_NOFILE, &saved);
    int live = 0;
    std::vector<std::string> reports;
    int child_status = -1;
    asyncio::run([&]() -> Coroutine<void> {
        asyncio::get_running_loop().set_exception_handler(
            [&](asyncio::EventLoop&, const asyncio::ExceptionContext& c) {
                reports.push_back(c.message);
            });
        auto server = co_await asyncio::create_server(
            [&] { return std::make_shared<Counting>(&live); }, "127.0.0.1", 0);
        // Room for a few more descriptors only: accepting runs out. (The child raises its own
        // limit again.)
        rlimit low = saved;
        low.rlim_cur = static_cast<rlim_t>(concur_test::open_fds() + 10);
        ::setrlimit(RLIMIT_NOFILE, &low);
        Child child(server.addresses().at(0).port, kClients);
        EXPECT_TRUE(co_await read_byte(child.report, 30.0));
        for (int i = 0; i < 300 && reports.empty(); ++i) {
            co_await asyncio::sleep(0.01);
        }
        EXPECT_FALSE(reports.empty());
        EXPECT_LT(live, kClients);
        EXPECT_GT(live, 0);
        // A connection of our own fails cleanly, with the errno that says why.
        try {
            auto ignored = co_await asyncio::open_connection("127.0.0.1", 1);
            ADD_FAILURE() << "connected without a descriptor";
        } catch (const concur::OSError& e) {
            EXPECT_EQ(e.code().value(), EMFILE);
        }
        ::setrlimit(RLIMIT_NOFILE, &saved);
        for (int i = 0; i < 500 && live < kClients; ++i) {
            co_await asyncio::sleep(0.01); // the server tries again after a second
        }
        EXPECT_EQ(live, kClients);
        server.close();
        server.close_clients();
        co_await asyncio::wait_for(server.wait_closed(), 10.0);
        child_status = child.finish();
    }());
    ::setrlimit(RLIMIT_NOFILE, &saved);
    ASSERT_FALSE(reports.empty());
    EXPECT_EQ(reports.front(), "socket.accept() out of system resource");
    EXPECT_EQ(child_status, 0);
}

} // namespace
