// Transports and protocols (Python's test_asyncio/test_selector_events and test_server):
// TCP and Unix servers and connections on 127.0.0.1, pipes, flow control, closing orders and
// the failures a network brings, each test counting descriptors.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "concur/asyncio.hpp"
#include "net_helpers.hpp"

namespace {

using namespace std::chrono_literals;
namespace asyncio = concur::asyncio;
using asyncio::Coroutine;
using asyncio::Transport;

class Transports : public concur_test::FdCountingTest {};

/// Echoes what it receives; records its life.
struct EchoProtocol : asyncio::Protocol {
    Transport* transport = nullptr;
    std::string received;
    std::vector<std::string> events;
    bool keep_open_on_eof = false;
    void connection_made(Transport& t) override {
        transport = &t;
        events.emplace_back("made");
    }
    void data_received(std::string_view data) override {
        received += data;
        transport->write(data);
    }
    bool eof_received() override {
        events.emplace_back("eof");
        return keep_open_on_eof;
    }
    void connection_lost(std::exception_ptr exc) override {
        events.emplace_back(exc ? "lost:error" : "lost");
    }
};

/// Collects what it receives and signals the end of the connection.
struct ClientProtocol : asyncio::Protocol {
    Transport* transport = nullptr;
    std::string received;
    std::vector<std::string> events;
    std::exception_ptr error;
    asyncio::Event lost;
    asyncio::Event got_data;
    std::size_t want = 0;
    int paused = 0;
    int resumed = 0;
    void connection_made(Transport& t) override {
        transport = &t;
        events.emplace_back("made");
    }
    void data_received(std::string_view data) override {
        received += data;
        if (received.size() >= want) {
            got_data.set();
        }
    }
    bool eof_received() override {
        events.emplace_back("eof");
        return false;
    }
    void pause_writing() override { ++paused; }
    void resume_writing() override { ++resumed; }
    void connection_lost(std::exception_ptr exc) override {
        events.emplace_back(exc ? "lost:error" : "lost");
        error = exc;
        lost.set();
    }
};

Coroutine<void> wait_event(asyncio::Event& event) {
    co_await event.wait();
}

int port_of(const asyncio::Server& server) {
    return server.addresses().at(0).port;
}

TEST_F(Transports, EchoOverTcp) {
    std::shared_ptr<EchoProtocol> server_side;
    asyncio::run([&]() -> Coroutine<void> {
        auto server = co_await asyncio::create_server(
            [&] {
                server_side = std::make_shared<EchoProtocol>();
                return server_side;
            },
            "127.0.0.1", 0);
        EXPECT_TRUE(server.is_serving());
        auto [transport, client] = co_await asyncio::create_connection(
            [] { return std::make_shared<ClientProtocol>(); }, "127.0.0.1", port_of(server));
        client->want = 11;
        transport->write("hello ");
        transport->writelines({"wor", "ld"});
        co_await asyncio::wait_for(wait_event(client->got_data), 5s);
        EXPECT_EQ(client->received, "hello world");
        auto peer = std::any_cast<asyncio::SocketAddress>(transport->get_extra_info("peername"));
        EXPECT_EQ(peer.host, "127.0.0.1");
        EXPECT_EQ(peer.port, port_of(server));
        EXPECT_EQ(std::any_cast<int>(transport->get_extra_info("socket")) >= 0, true);
        EXPECT_FALSE(transport->get_extra_info("nonsense").has_value());
        transport->close();
        EXPECT_TRUE(transport->is_closing());
        co_await asyncio::wait_for(wait_event(client->lost), 5s);
        server.close();
        co_await asyncio::wait_for(server.wait_closed(), 5s);
        EXPECT_FALSE(server.is_serving());
        EXPECT_TRUE(server.sockets().empty());
        EXPECT_EQ(client->events, (std::vector<std::string>{"made", "lost"}));
    }());
    ASSERT_TRUE(server_side);
    EXPECT_EQ(server_side->received, "hello world");
    EXPECT_EQ(server_side->events, (std::vector<std::string>{"made", "eof", "lost"}));
}

TEST_F(Transports, RefusedConnectionRaisesConnectionRefusedError) {
    // A port nobody listens on: bind one, note it, close it.
    int port = 0;
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
        ::close(fd);
    }
    asyncio::run([&]() -> Coroutine<void> {
        bool refused = false;
        try {
            co_await asyncio::create_connection([] { return std::make_shared<ClientProtocol>(); },
                                                "127.0.0.1", port);
        } catch (const concur::ConnectionRefusedError& e) {
            refused = true;
            EXPECT_NE(std::string(e.what()).find("Connect call failed 127.0.0.1:"),
                      std::string::npos)
                << e.what();
        }
        EXPECT_TRUE(refused);
    }());
}

TEST_F(Transports, HalfCloseKeepsWriting) {
    asyncio::run([&]() -> Coroutine<void> {
        struct Replier : asyncio::Protocol {
            Transport* t = nullptr;
            std::string got;
            void connection_made(Transport& tr) override { t = &tr; }
            void data_received(std::string_view d) override { got += d; }
            bool eof_received() override {
                t->write("got " + got); // half closed: the reply still goes out
                t->close();
                return true;
            }
        };
        auto server = co_await asyncio::create_server([] { return std::make_shared<Replier>(); },
                                                      "127.0.0.1", 0);
        auto [transport, client] = co_await asyncio::create_connection(
            [] { return std::make_shared<ClientProtocol>(); }, "127.0.0.1", port_of(server));
        EXPECT_TRUE(transport->can_write_eof());
        transport->write("question");
        transport->write_eof();
        EXPECT_THROW(transport->write("more"), std::runtime_error);
        co_await asyncio::wait_for(wait_event(client->lost), 5s);
        EXPECT_EQ(client->received, "got question");
        EXPECT_EQ(client->events, (std::vector<std::string>{"made", "eof", "lost"}));
    }());
}

TEST_F(Transports, FlowControlPausesAndResumesTheWriter) {
    asyncio::run([&]() -> Coroutine<void> {
        struct Sink : asyncio::Protocol {
            Transport* t = nullptr;
            std::size_t got = 0;
            void connection_made(Transport& tr) override {
                t = &tr;
                t->pause_reading(); // a slow reader: nothing is read until resumed
            }
            void data_received(std::string_view d) override { got += d.size(); }
        };
        std::shared_ptr<Sink> sink;
        auto server = co_await asyncio::create_server(
            [&] {
                sink = std::make_shared<Sink>();
                return sink;
            },
            "127.0.0.1", 0);
        auto [transport, client] = co_await asyncio::create_connection(
            [] { return std::make_shared<ClientProtocol>(); }, "127.0.0.1", port_of(server));
        transport->set_write_buffer_limits(64 * 1024, 16 * 1024);
        EXPECT_EQ(transport->get_write_buffer_limits(),
                  (std::pair<std::size_t, std::size_t>(16 * 1024, 64 * 1024)));
        EXPECT_THROW(transport->set_write_buffer_limits(1, 2), std::invalid_argument);
        const std::string block(1 << 20, 'x');
        std::size_t written = 0;
        while (client->paused == 0 && written < (256U << 20)) {
            transport->write(block);
            written += block.size();
            co_await asyncio::sleep(0);
        }
        EXPECT_EQ(client->paused, 1);
        while (!sink) {
            co_await asyncio::sleep(0.001);
        }
        EXPECT_FALSE(sink->t->is_reading());
        sink->t->resume_reading();
        EXPECT_TRUE(sink->t->is_reading());
        for (int i = 0; i < 10000 && sink->got < written; ++i) {
            co_await asyncio::sleep(0.001);
        }
        EXPECT_EQ(sink->got, written);
        EXPECT_EQ(client->resumed, 1);
        EXPECT_EQ(transport->get_write_buffer_size(), 0U);
        transport->close();
        co_await asyncio::wait_for(wait_event(client->lost), 5s);
    }());
}

TEST_F(Transports, ResetByPeerReachesConnectionLost) {
    asyncio::run([&]() -> Coroutine<void> {
        struct Resetter : asyncio::Protocol {
            void connection_made(Transport& t) override {
                const int fd = std::any_cast<int>(t.get_extra_info("socket"));
                const linger l{1, 0}; // close sends RST
                ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
                t.abort();
            }
        };
        auto server = co_await asyncio::create_server([] { return std::make_shared<Resetter>(); },
                                                      "127.0.0.1", 0);
        auto [transport, client] = co_await asyncio::create_connection(
            [] { return std::make_shared<ClientProtocol>(); }, "127.0.0.1", port_of(server));
        co_await asyncio::wait_for(wait_event(client->lost), 5s);
        EXPECT_TRUE(client->error);
        EXPECT_THROW(std::rethrow_exception(client->error), concur::ConnectionResetError);
        // Writes after the loss are dropped quietly.
        transport->write("ignored");
    }());
}

TEST_F(Transports, ServerClosedWithClientsAttached) {
    asyncio::run([&]() -> Coroutine<void> {
        auto server = co_await asyncio::create_server(
            [] { return std::make_shared<EchoProtocol>(); }, "127.0.0.1", 0);
        const int port = port_of(server);
        auto [t1, c1] = co_await asyncio::create_connection(
            [] { return std::make_shared<ClientProtocol>(); }, "127.0.0.1", port);
        auto [t2, c2] = co_await asyncio::create_connection(
            [] { return std::make_shared<ClientProtocol>(); }, "127.0.0.1", port);
        server.close();
        // No longer listening...
        EXPECT_THROW(co_await asyncio::create_connection(
                         [] { return std::make_shared<ClientProtocol>(); }, "127.0.0.1", port),
                     concur::ConnectionRefusedError);
        // ...but the connections go on,
        c1->want = 4;
        t1->write("ping");
        co_await asyncio::wait_for(wait_event(c1->got_data), 5s);
        EXPECT_EQ(c1->received, "ping");
        // and wait_closed() waits for them.
        auto waiting = asyncio::create_task(server.wait_closed());
        co_await asyncio::sleep(0.01);
        EXPECT_FALSE(waiting.done());
        server.close_clients();
        co_await asyncio::wait_for(std::move(waiting), 5s);
        co_await asyncio::wait_for(wait_event(c1->lost), 5s);
        co_await asyncio::wait_for(wait_event(c2->lost), 5s);
        EXPECT_EQ(c2->events, (std::vector<std::string>{"made", "eof", "lost"}));
    }());
}

TEST_F(Transports, ServeForeverEndsWithCloseOrCancellation) {
    asyncio::run([&]() -> Coroutine<void> {
        auto server =
            co_await asyncio::create_server([] { return std::make_shared<EchoProtocol>(); },
                                            "127.0.0.1", 0, {.start_serving = false});
        EXPECT_FALSE(server.is_serving());
        auto forever = asyncio::create_task(server.serve_forever());
        co_await asyncio::sleep(0);
        EXPECT_TRUE(server.is_serving());
        EXPECT_THROW(co_await server.serve_forever(), std::runtime_error);
        server.close();
        co_await asyncio::wait_for(std::move(forever), 5s);

        auto second = co_await asyncio::create_server(
            [] { return std::make_shared<EchoProtocol>(); }, "127.0.0.1", 0);
        auto task = asyncio::create_task(second.serve_forever());
        co_await asyncio::sleep(0);
        task.cancel();
        EXPECT_THROW(co_await std::move(task), concur::CancelledError);
        EXPECT_FALSE(second.is_serving());
        EXPECT_TRUE(second.sockets().empty());
        EXPECT_THROW(co_await second.serve_forever(), std::runtime_error); // closed
    }());
}

TEST_F(Transports, ProtocolErrorsGoToTheHandlerAndCloseTheConnection) {
    std::vector<std::string> reports;
    asyncio::run([&]() -> Coroutine<void> {
        asyncio::get_running_loop().set_exception_handler(
            [&](asyncio::EventLoop&, const asyncio::ExceptionContext& c) {
                reports.push_back(c.message);
            });
        struct Faulty : asyncio::Protocol {
            void data_received(std::string_view) override { throw std::logic_error("bug"); }
        };
        auto server = co_await asyncio::create_server([] { return std::make_shared<Faulty>(); },
                                                      "127.0.0.1", 0);
        auto [transport, client] = co_await asyncio::create_connection(
            [] { return std::make_shared<ClientProtocol>(); }, "127.0.0.1", port_of(server));
        transport->write("boom");
        co_await asyncio::wait_for(wait_event(client->lost), 5s);
    }());
    EXPECT_EQ(reports, (std::vector<std::string>{"Fatal error: protocol.data_received() call "
                                                 "failed."}));
}

TEST_F(Transports, UnixSockets) {
    const std::string path = "/tmp/concur-test-" + std::to_string(::getpid()) + ".sock";
    asyncio::run([&]() -> Coroutine<void> {
        auto server = co_await asyncio::create_unix_server(
            [] { return std::make_shared<EchoProtocol>(); }, path);
        EXPECT_EQ(server.addresses().at(0).path, path);
        auto [transport, client] = co_await asyncio::create_unix_connection(
            [] { return std::make_shared<ClientProtocol>(); }, path);
        client->want = 3;
        transport->write("abc");
        co_await asyncio::wait_for(wait_event(client->got_data), 5s);
        EXPECT_EQ(client->received, "abc");
        transport->close();
        server.close();
        co_await asyncio::wait_for(server.wait_closed(), 5s);
        EXPECT_NE(::access(path.c_str(), F_OK), 0); // the socket file was removed
    }());
}

TEST_F(Transports, Pipes) {
    asyncio::run([&]() -> Coroutine<void> {
        int fds[2];
        EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
        auto [rt, reader] =
            asyncio::connect_read_pipe([] { return std::make_shared<ClientProtocol>(); }, fds[0]);
        auto [wt, writer] =
            asyncio::connect_write_pipe([] { return std::make_shared<ClientProtocol>(); }, fds[1]);
        EXPECT_FALSE(wt->can_write_eof());
        EXPECT_THROW(rt->write("x"), concur::NotImplementedError);
        wt->write("through the pipe");
        wt->close();
        co_await asyncio::wait_for(wait_event(reader->lost), 5s);
        co_await asyncio::wait_for(wait_event(writer->lost), 5s);
        EXPECT_EQ(reader->received, "through the pipe");
        EXPECT_EQ(reader->events, (std::vector<std::string>{"made", "eof", "lost"}));

        // The reader goes first: the writer learns at once, with or without data pending.
        EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
        auto [wt2, writer2] =
            asyncio::connect_write_pipe([] { return std::make_shared<ClientProtocol>(); }, fds[1]);
        ::close(fds[0]);
        co_await asyncio::wait_for(wait_event(writer2->lost), 5s);
        wt2->write("nobody listens"); // dropped, no SIGPIPE
        // Not a pipe: ValueError, and the descriptor stays the caller's.
        const int dir = ::open("/tmp", O_RDONLY | O_CLOEXEC);
        EXPECT_THROW(
            asyncio::connect_read_pipe([] { return std::make_shared<ClientProtocol>(); }, dir),
            std::invalid_argument);
        EXPECT_EQ(::close(dir), 0);
    }());
}

TEST_F(Transports, CancelledConnectClosesItsSocket) {
    asyncio::run([&]() -> Coroutine<void> {
        auto server = co_await asyncio::create_server(
            [] { return std::make_shared<EchoProtocol>(); }, "127.0.0.1", 0);
        auto task = asyncio::create_task(asyncio::create_connection(
            [] { return std::make_shared<ClientProtocol>(); }, "127.0.0.1", port_of(server)));
        task.cancel();
        EXPECT_THROW(co_await std::move(task), concur::CancelledError);
    }());
}

TEST_F(Transports, ClosingTheLoopReleasesOpenTransportsAndServers) {
    // Held past the loop's end on purpose: closing the loop releases their descriptors, and
    // using them afterwards does nothing.
    asyncio::Server server;
    std::shared_ptr<Transport> transport;
    std::optional<asyncio::StreamWriter> writer;
    asyncio::run([&]() -> Coroutine<void> {
        server = co_await asyncio::create_server([] { return std::make_shared<EchoProtocol>(); },
                                                 "127.0.0.1", 0);
        auto connection = co_await asyncio::create_connection(
            [] { return std::make_shared<ClientProtocol>(); }, "127.0.0.1", port_of(server));
        transport = connection.first;
        transport->write("left open");
        auto streams = co_await asyncio::open_connection("127.0.0.1", port_of(server));
        writer.emplace(streams.second);
        co_await asyncio::sleep(0.01);
    }());
    EXPECT_TRUE(transport->is_closing());
    transport->write("after the loop");
    transport->close();
    transport->abort();
    EXPECT_TRUE(writer->is_closing());
    writer->write("after the loop");
    writer.reset();
    transport.reset();
    server = asyncio::Server();
}

TEST_F(Transports, BufferedProtocolReceivesIntoItsOwnBuffer) {
    asyncio::run([&]() -> Coroutine<void> {
        struct Collector : asyncio::BufferedProtocol {
            std::vector<char> storage = std::vector<char>(7); // small: many receives
            std::string got;
            std::size_t last_hint = 0;
            asyncio::Event done;
            std::span<char> get_buffer(std::size_t sizehint) override {
                last_hint = sizehint;
                return storage;
            }
            void buffer_updated(std::size_t n) override { got.append(storage.data(), n); }
            bool eof_received() override {
                done.set();
                return false;
            }
        };
        std::shared_ptr<Collector> collector;
        auto server = co_await asyncio::create_server(
            [&] {
                collector = std::make_shared<Collector>();
                return collector;
            },
            "127.0.0.1", 0);
        auto [transport, client] = co_await asyncio::create_connection(
            [] { return std::make_shared<ClientProtocol>(); }, "127.0.0.1", port_of(server));
        const std::vector<std::string> parts{"one ", "two ", "three ", "four"};
        transport->writelines(parts);
        transport->write_eof();
        while (!collector) {
            co_await asyncio::sleep(0.001);
        }
        co_await asyncio::wait_for(wait_event(collector->done), 5s);
        EXPECT_EQ(collector->got, "one two three four");
        EXPECT_GT(collector->last_hint, 0U);
        transport->close();
        co_await asyncio::wait_for(wait_event(client->lost), 5s);
    }());
}

TEST_F(Transports, AbortDropsBufferedDataAndSetProtocolSwitches) {
    asyncio::run([&]() -> Coroutine<void> {
        auto server = co_await asyncio::create_server(
            [] { return std::make_shared<EchoProtocol>(); }, "127.0.0.1", 0);
        auto [transport, client] = co_await asyncio::create_connection(
            [] { return std::make_shared<ClientProtocol>(); }, "127.0.0.1", port_of(server));
        // A second protocol takes over: the echo reaches it, not the first.
        auto second = std::make_shared<ClientProtocol>();
        transport->set_protocol(second);
        EXPECT_EQ(transport->get_protocol(), second.get());
        second->want = 2;
        transport->write("hi");
        co_await asyncio::wait_for(wait_event(second->got_data), 5s);
        EXPECT_EQ(second->received, "hi");
        EXPECT_EQ(client->received, "");
        // Far more than the socket takes at once, then abort: the rest is dropped at once.
        transport->pause_reading();
        const std::string big(64 << 20, 'a');
        transport->write(big);
        EXPECT_GT(transport->get_write_buffer_size(), 0U);
        transport->abort();
        EXPECT_EQ(transport->get_write_buffer_size(), 0U);
        EXPECT_TRUE(transport->is_closing());
        co_await asyncio::wait_for(wait_event(second->lost), 5s);
        EXPECT_FALSE(client->lost.is_set()); // the replaced protocol hears nothing
        EXPECT_FALSE(second->error);
    }());
}

TEST_F(Transports, GivenSocketsAndALocalAddress) {
    asyncio::run([&]() -> Coroutine<void> {
        // A server on a socket bound by hand.
        const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        auto server = co_await asyncio::create_server(
            [] { return std::make_shared<EchoProtocol>(); }, "", 0, {.sock = listener});
        const int port = port_of(server);
        EXPECT_EQ(server.sockets(), std::vector<int>{listener});

        // A client bound to a local address first. (Options with strings are named before the
        // co_await: GCC 12, see docs/python-differences.md.)
        asyncio::ConnectionOptions bound{.local_addr = std::pair<std::string, int>("127.0.0.1", 0)};
        auto [t1, c1] = co_await asyncio::create_connection(
            [] { return std::make_shared<ClientProtocol>(); }, "127.0.0.1", port, std::move(bound));
        auto local = std::any_cast<asyncio::SocketAddress>(t1->get_extra_info("sockname"));
        EXPECT_EQ(local.host, "127.0.0.1");
        EXPECT_GT(local.port, 0);

        // A client over a socket connected by hand.
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        asyncio::ConnectionOptions given{.sock = fd};
        auto [t2, c2] = co_await asyncio::create_connection(
            [] { return std::make_shared<ClientProtocol>(); }, "", 0, given);
        c2->want = 2;
        t2->write("ok");
        co_await asyncio::wait_for(wait_event(c2->got_data), 5s);
        EXPECT_EQ(c2->received, "ok");
        EXPECT_THROW(
            co_await asyncio::create_connection([] { return std::make_shared<ClientProtocol>(); },
                                                "127.0.0.1", port, {.sock = fd}),
            std::invalid_argument);
        t1->close();
        t2->close();
        co_await asyncio::wait_for(wait_event(c1->lost), 5s);
        co_await asyncio::wait_for(wait_event(c2->lost), 5s);
    }());
}

} // namespace
