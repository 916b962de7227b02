// Interoperation with CPython's asyncio: a real client no one here wrote talks to a concur
// server, and a concur client to a Python server, over TCP on 127.0.0.1. The Python side is
// Debian's /usr/bin/python3 running the scripts of tests/asyncio/python/ (skipped without it).
// Every wait is bounded; each child process is reaped (killed first if it overstays); each test
// counts descriptors.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <any>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "concur/asyncio.hpp"
#include "net_helpers.hpp"

extern char** environ;

namespace {

using namespace std::chrono_literals;
namespace asyncio = concur::asyncio;
using asyncio::Coroutine;

constexpr const char* kPython = "/usr/bin/python3";
constexpr auto kTimeout = 30s; // a generous bound on any one wait: sanitizers are slow

std::string script(const char* name) {
    return std::string(CONCUR_INTEROP_SCRIPTS) + "/" + name;
}

/// A pattern of `n` bytes that a shifted or dropped chunk cannot match.
std::string payload(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) {
        s[i] = static_cast<char>((i * 31 + i / 257) % 256);
    }
    return s;
}

/// A Python process: its stdout and stderr on one pipe, its stdin on another. The destructor
/// kills and reaps it if it still runs, and closes the pipes.
class PythonProcess {
public:
    explicit PythonProcess(const std::vector<std::string>& args) {
        int out[2] = {-1, -1};
        int in[2] = {-1, -1};
        if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(in, O_CLOEXEC) != 0) {
            ADD_FAILURE() << "pipe2: " << std::strerror(errno);
            close_pair(out);
            return;
        }
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, in[0], 0);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        posix_spawn_file_actions_adddup2(&actions, out[1], 2);
        std::vector<std::string> argv_strings{kPython, "-B"}; // -B: no __pycache__ in the sources
        argv_strings.insert(argv_strings.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (std::string& a : argv_strings) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        const int e = ::posix_spawn(&pid_, kPython, &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(in[0]);
        ::close(out[1]);
        stdin_ = in[1];
        output_ = out[0];
        if (e != 0) {
            pid_ = -1;
            ADD_FAILURE() << "posix_spawn " << kPython << ": " << std::strerror(e);
        }
    }
    PythonProcess(const PythonProcess&) = delete;
    PythonProcess& operator=(const PythonProcess&) = delete;
    ~PythonProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            reap(0);
        }
        close_stdin();
        if (output_ >= 0) {
            ::close(output_);
        }
    }

    [[nodiscard]] bool started() const { return pid_ > 0; }

    /// Closes the child's stdin: the server script takes that as its cue to stop.
    void close_stdin() {
        if (stdin_ >= 0) {
            ::close(stdin_);
            stdin_ = -1;
        }
    }

    /// Reads the first line the child prints, waiting at most `timeout` (a blocking wait: the
    /// loop is not running yet). Empty if none came.
    std::string read_line(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::string line;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd p{output_, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
                return line + " (no complete line in time)";
            }
            char c = 0;
            if (::read(output_, &c, 1) != 1) {
                return line + " (end of output)";
            }
            if (c == '\n') {
                return line;
            }
            line += c;
        }
    }

    /// Everything the child printed from now to its end (call once it has exited).
    std::string read_rest() {
        std::string text;
        char buf[4096];
        for (ssize_t k; (k = ::read(output_, buf, sizeof buf)) > 0;) {
            text.append(buf, static_cast<std::size_t>(k));
        }
        return text;
    }

    /// Waits for the child's exit without blocking the loop (polls waitpid every 10 ms); kills
    /// it after `timeout`. Returns the wait status, or -1 if it had to be killed.
    Coroutine<int> wait(std::chrono::duration<double> timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (pid_ > 0) {
            if (const std::optional<int> status = reap(WNOHANG)) {
                co_return *status;
            }
            if (std::chrono::steady_clock::now() >= deadline) {
                ADD_FAILURE() << "the Python process did not end within " << timeout.count()
                              << " s; killed";
                ::kill(pid_, SIGKILL);
                reap(0);
                co_return -1;
            }
            co_await asyncio::sleep(0.01);
        }
        co_return -1;
    }

private:
    static void close_pair(int (&fds)[2]) {
        for (int& fd : fds) {
            if (fd >= 0) {
                ::close(fd);
                fd = -1;
            }
        }
    }

    /// waitpid(pid, flags): the wait status once the child has ended (pid_ is cleared then),
    /// nothing while it runs.
    std::optional<int> reap(int flags) {
        int status = 0;
        pid_t r = 0;
        while ((r = ::waitpid(pid_, &status, flags)) < 0 && errno == EINTR) {
        }
        if (r == 0) {
            return std::nullopt;
        }
        pid_ = -1;
        if (r < 0) {
            ADD_FAILURE() << "waitpid: " << std::strerror(errno);
            return -1;
        }
        return status;
    }

    pid_t pid_ = -1;
    int stdin_ = -1;
    int output_ = -1;
};

class Interop : public concur_test::FdCountingTest {
protected:
    void SetUp() override {
        FdCountingTest::SetUp(); // first: TearDown() runs after a skip too
        if (::access(kPython, X_OK) != 0) {
            GTEST_SKIP() << kPython << " is not installed (Debian package python3): the interop "
                         << "tests need CPython's asyncio on the other end";
        }
    }
};

/// The client's verdict: exited 0 and printed OK.
void expect_ok(int status, const std::string& output) {
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "status " << status << ", output:\n"
        << output;
    EXPECT_NE(output.find("OK"), std::string::npos) << output;
}

// --- a concur stream server, a Python asyncio stream client

struct EchoStats {
    int connections = 0;
    std::size_t bytes = 0;
};

/// Python's canonical stream echo handler, counting.
Coroutine<void> echo_stream(asyncio::StreamReader reader, asyncio::StreamWriter writer,
                            EchoStats* stats) {
    ++stats->connections;
    for (;;) {
        std::string data = co_await reader.read(65536);
        if (data.empty()) {
            break;
        }
        stats->bytes += data.size();
        writer.write(data);
        co_await writer.drain();
    }
    writer.close();
    co_await writer.wait_closed();
}

TEST_F(Interop, PythonStreamClientTalksToConcurStreamServer) {
    EchoStats stats;
    asyncio::run([&]() -> Coroutine<void> {
        asyncio::Server server = co_await asyncio::start_server(
            [&stats](asyncio::StreamReader r, asyncio::StreamWriter w) {
                return echo_stream(std::move(r), std::move(w), &stats);
            },
            "127.0.0.1", 0);
        const int port = server.addresses().at(0).port;
        PythonProcess client({script("stream_echo_client.py"), std::to_string(port)});
        if (client.started()) {
            const int status = co_await client.wait(kTimeout);
            expect_ok(status, client.read_rest());
        }
        server.close();
        co_await asyncio::wait_for(server.wait_closed(), kTimeout);
    }());
    EXPECT_EQ(stats.connections, 1);
    EXPECT_GT(stats.bytes, std::size_t{1} << 20);
}

// --- a concur Protocol server, a Python asyncio.Protocol client

/// Echoes what it receives (Python's EchoServerProtocol).
struct EchoProtocol : asyncio::Protocol {
    asyncio::Transport* transport = nullptr;
    std::size_t* bytes = nullptr;
    void connection_made(asyncio::Transport& t) override { transport = &t; }
    void data_received(std::string_view data) override {
        *bytes += data.size();
        transport->write(data);
    }
};

TEST_F(Interop, PythonProtocolClientTalksToConcurProtocolServer) {
    std::size_t bytes = 0;
    asyncio::run([&]() -> Coroutine<void> {
        asyncio::Server server = co_await asyncio::create_server(
            [&bytes] {
                auto p = std::make_shared<EchoProtocol>();
                p->bytes = &bytes;
                return p;
            },
            "127.0.0.1", 0);
        const int port = server.addresses().at(0).port;
        PythonProcess client({script("protocol_echo_client.py"), std::to_string(port)});
        if (client.started()) {
            const int status = co_await client.wait(kTimeout);
            expect_ok(status, client.read_rest());
        }
        server.close();
        co_await asyncio::wait_for(server.wait_closed(), kTimeout);
    }());
    EXPECT_EQ(bytes, (std::size_t{1} << 20) + 13);
}

// --- a Python asyncio stream server, concur clients

/// Starts stream_echo_server.py and reads the port it prints; 0 if it did not.
int start_python_server(PythonProcess& server) {
    if (!server.started()) {
        return 0;
    }
    const std::string line = server.read_line(kTimeout);
    const int port = std::atoi(line.c_str());
    EXPECT_GT(port, 0) << "stream_echo_server.py printed: " << line;
    return port;
}

/// Stops stream_echo_server.py the way it expects (its stdin closes) and checks it ended well.
Coroutine<void> stop_python_server(PythonProcess& server) {
    server.close_stdin();
    const int status = co_await server.wait(kTimeout);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "status " << status << ", output:\n"
        << server.read_rest();
}

TEST_F(Interop, ConcurStreamClientTalksToPythonStreamServer) {
    PythonProcess server({script("stream_echo_server.py")});
    const int port = start_python_server(server);
    if (port <= 0) {
        return;
    }
    asyncio::run([&]() -> Coroutine<void> {
        auto [reader, writer] =
            co_await asyncio::wait_for(asyncio::open_connection("127.0.0.1", port), kTimeout);
        auto peer = std::any_cast<asyncio::SocketAddress>(writer.get_extra_info("peername"));
        EXPECT_EQ(peer.host, "127.0.0.1");
        EXPECT_EQ(peer.port, port);

        const std::vector<std::string> lines{"hello\n", "from concur\n", "\n",
                                             std::string(3000, 'y') + "\n", "h\xc3\xa9llo\n"};
        for (const std::string& line : lines) {
            writer.write(line);
            co_await writer.drain();
            const std::string echoed = co_await asyncio::wait_for(reader.readline(), kTimeout);
            EXPECT_EQ(echoed, line);
        }

        // Read while writing: the server echoes as it reads, so no buffer fills up.
        const std::string big = payload(std::size_t{1} << 20);
        asyncio::Task<std::string> echoed = asyncio::create_task(reader.readexactly(big.size()));
        writer.write(big);
        co_await asyncio::wait_for(writer.drain(), kTimeout);
        const std::string back = co_await asyncio::wait_for(std::move(echoed), kTimeout);
        EXPECT_EQ(back.size(), big.size());
        EXPECT_TRUE(back == big) << "the 1 MiB payload came back different";

        writer.write_eof(); // the server sees end of stream, closes; we see it too
        const std::string rest = co_await asyncio::wait_for(reader.read(), kTimeout);
        EXPECT_EQ(rest, "");
        EXPECT_TRUE(reader.at_eof());
        writer.close();
        co_await asyncio::wait_for(writer.wait_closed(), kTimeout);

        co_await stop_python_server(server);
    }());
}

/// Collects what comes back, and says when all of it has and when the connection is lost.
struct CollectingProtocol : asyncio::Protocol {
    std::string received;
    std::size_t want = 0;
    asyncio::Event got_all;
    asyncio::Event lost;
    std::exception_ptr error;
    void data_received(std::string_view data) override {
        received += data;
        if (received.size() >= want) {
            got_all.set();
        }
    }
    void connection_lost(std::exception_ptr exc) override {
        error = exc;
        lost.set();
    }
};

Coroutine<void> wait_event(asyncio::Event& event) {
    co_await event.wait();
}

TEST_F(Interop, ConcurProtocolClientTalksToPythonStreamServer) {
    PythonProcess server({script("stream_echo_server.py")});
    const int port = start_python_server(server);
    if (port <= 0) {
        return;
    }
    asyncio::run([&]() -> Coroutine<void> {
        auto [transport, client] = co_await asyncio::wait_for(
            asyncio::create_connection([] { return std::make_shared<CollectingProtocol>(); },
                                       "127.0.0.1", port),
            kTimeout);
        const std::string big = payload((std::size_t{1} << 20) + 7);
        client->want = big.size();
        transport->write(big.substr(0, 5)); // a small write, then a big one
        transport->write(big.substr(5));
        co_await asyncio::wait_for(wait_event(client->got_all), kTimeout);
        EXPECT_EQ(client->received.size(), big.size());
        EXPECT_TRUE(client->received == big) << "the payload came back different";
        transport->close();
        co_await asyncio::wait_for(wait_event(client->lost), kTimeout);
        EXPECT_FALSE(client->error);

        co_await stop_python_server(server);
    }());
}

} // namespace
