// Workload "echo" (../shared/peers/README.md): a TCP echo server on 127.0.0.1, one thread, one
// concur event loop, driven by the shared load client (lock-step MSGSIZE-byte request/response
// over C connections for D seconds). Measured as the C++ peers measure theirs
// (../shared/peers/cpp/echo.cpp): each run listens on a free port, forks the server, runs the
// client, then stops the server with SIGTERM; peak_rss_mb is the server's peak RSS and
// server_cpu_seconds its user+system CPU, both from wait4; server_cpu_us_per_req =
// server_cpu_seconds / requests * 1e6.
//
//   echo --client PATH [--impl NAME] [--repeat 3] [--connections 50] [--seconds 5]
//        [--msgsize 1024]
//
// PATH is the load client built from ../shared/peers/echo_client.c, invoked as
// `PATH 127.0.0.1 PORT CONNECTIONS SECONDS MSGSIZE`; it prints one JSON object, whose request
// count and duration are read and which goes into our line as "client".
//
// Variants (both echo whatever each read returns; our transports set TCP_NODELAY):
//   concur-protocol  an asyncio::Protocol whose data_received() writes the data back
//   concur-streams   start_server with Python's canonical stream echo handler:
//                    read(65536), write(), drain(), until end of stream
#include <concur/asyncio.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common.hpp"

namespace asyncio = concur::asyncio;

namespace {

constexpr int kBacklog = 1024; // as the peers' listeners

// --------------------------------------------------------------------------- the servers

/// Python's `class EchoProtocol(asyncio.Protocol)`: data_received() writes the data back.
class EchoProtocol : public asyncio::Protocol {
public:
    void connection_made(asyncio::Transport& transport) override { transport_ = &transport; }
    void data_received(std::string_view data) override { transport_->write(data); }

private:
    asyncio::Transport* transport_ = nullptr;
};

asyncio::Coroutine<void> serve_protocol(int listen_fd) {
    asyncio::Server server =
        co_await asyncio::create_server([] { return std::make_shared<EchoProtocol>(); }, "", 0,
                                        {.sock = listen_fd, .backlog = kBacklog});
    co_await server.serve_forever();
}

/// Python's canonical stream echo handler.
asyncio::Coroutine<void> handle_echo(asyncio::StreamReader reader, asyncio::StreamWriter writer) {
    for (;;) {
        std::string data = co_await reader.read(65536);
        if (data.empty()) {
            break;
        }
        writer.write(data);
        co_await writer.drain();
    }
    writer.close();
}

asyncio::Coroutine<void> serve_streams(int listen_fd) {
    asyncio::Server server = co_await asyncio::start_server(
        handle_echo, "", 0, {.server = {.sock = listen_fd, .backlog = kBacklog}});
    co_await server.serve_forever();
}

using Serve = asyncio::Coroutine<void> (*)(int);

// --------------------------------------------------------------------------- the driver

/// A socket listening on 127.0.0.1 at a free port; -1 on failure.
int make_listener(int& port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(fd, kBacklog) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(fd);
        return -1;
    }
    port = ntohs(address.sin_port);
    return fd;
}

/// Forks the server on `listen_fd`: one thread, one loop, until SIGTERM (or this process's
/// death). Returns its pid, or -1.
pid_t start_server(Serve serve, int listen_fd) {
    const pid_t parent = ::getpid();
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM); // never outlive the driver
        if (::getppid() != parent) {
            std::_Exit(1); // it died before the line above
        }
        try {
            asyncio::run(serve(listen_fd));
        } catch (const std::exception& e) {
            std::fprintf(stderr, "echo server: %s\n", e.what());
        }
        std::_Exit(1); // serve_forever() returned: it should not
    }
    return pid;
}

/// Runs `argv` with its stdout captured; returns what it printed and sets its wait status.
std::string run_client(const std::vector<std::string>& args, int& status) {
    status = -1;
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) {
        return {};
    }
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(out[1], 1);
        std::vector<char*> argv;
        for (const std::string& a : args) {
            argv.push_back(const_cast<char*>(a.c_str()));
        }
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        std::perror("echo: exec client");
        std::_Exit(127);
    }
    ::close(out[1]);
    std::string text;
    char buf[4096];
    for (;;) {
        const ssize_t k = ::read(out[0], buf, sizeof buf);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            break;
        }
        text.append(buf, static_cast<std::size_t>(k));
    }
    ::close(out[0]);
    if (pid > 0) {
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

/// The value of "key": NUMBER in a flat JSON object, or NaN.
double json_number(const std::string& json, const std::string& key) {
    const std::string quoted = "\"" + key + "\"";
    std::size_t p = json.find(quoted);
    if (p == std::string::npos || (p = json.find(':', p + quoted.size())) == std::string::npos) {
        return std::nan("");
    }
    return std::strtod(json.c_str() + p + 1, nullptr);
}

double seconds_of(const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

/// One measured run of a server variant.
bench::Run run_echo(const bench::Options& o, Serve serve) {
    const long connections = o.get("connections", 50L);
    const std::string seconds = o.get("seconds", std::string("5"));
    const long msgsize = o.get("msgsize", 1024L);
    bench::Run r;
    int port = 0;
    const int listen_fd = make_listener(port);
    if (listen_fd < 0) {
        std::perror("echo: listen");
        return r;
    }
    const pid_t server = start_server(serve, listen_fd);
    ::close(listen_fd);
    if (server < 0) {
        std::perror("echo: fork");
        return r;
    }
    int client_status = -1;
    const std::string client =
        run_client({o.get("client", std::string()), "127.0.0.1", std::to_string(port),
                    std::to_string(connections), seconds, std::to_string(msgsize)},
                   client_status);

    ::kill(server, SIGTERM);
    int server_status = 0;
    rusage usage{};
    while (::wait4(server, &server_status, 0, &usage) < 0 && errno == EINTR) {
    }
    const double cpu = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
    r.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;

    const double requests = json_number(client, "requests");
    const double duration = json_number(client, "seconds");
    // The server must have been running until told to stop: killed by our SIGTERM.
    const bool server_ok = WIFSIGNALED(server_status) && WTERMSIG(server_status) == SIGTERM;
    r.ok = WIFEXITED(client_status) && WEXITSTATUS(client_status) == 0 && server_ok &&
           requests > 0 && duration > 0;
    char per_request[32] = "null";
    if (r.ok) {
        r.n = static_cast<long>(requests);
        r.seconds = duration;
        std::snprintf(per_request, sizeof per_request, "%.3f", cpu / requests * 1e6);
    }
    char members[256];
    std::snprintf(members, sizeof members,
                  "\"connections\":%ld,\"msgsize\":%ld,\"duration_s\":%g,"
                  "\"server_cpu_seconds\":%.3f,\"server_cpu_us_per_req\":%s,\"client\":",
                  connections, msgsize, std::strtod(seconds.c_str(), nullptr), cpu, per_request);
    r.extra = members + (client.empty() ? std::string("null") : client);
    return r;
}

} // namespace

int main(int argc, char** argv) {
    ::signal(SIGPIPE, SIG_IGN);
    const bench::Options options(argc, argv);
    if (!options.has("list")) {
        const std::string client = options.get("client", std::string());
        if (client.empty() || ::access(client.c_str(), X_OK) != 0) {
            std::fprintf(stderr,
                         "echo: %s: the load client is needed: --client PATH, the program "
                         "built from ../shared/peers/echo_client.c (gcc -O2 -o echo_client "
                         "echo_client.c)\n",
                         client.empty() ? "no --client" : (client + " is not executable").c_str());
            return 2;
        }
    }
    return bench::main(
        argc, argv, "echo",
        {{"concur-protocol", [](const bench::Options& o) { return run_echo(o, serve_protocol); }},
         {"concur-streams", [](const bench::Options& o) { return run_echo(o, serve_streams); }}});
}
