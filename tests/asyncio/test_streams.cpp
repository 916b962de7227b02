// Streams (Python's test_asyncio/test_streams): StreamReader fed by hand, and open_connection
// / start_server over TCP and Unix sockets with backpressure, timeouts and the failures of a
// connection, each test counting descriptors.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "concur/asyncio.hpp"
#include "net_helpers.hpp"

namespace {

using namespace std::chrono_literals;
namespace asyncio = concur::asyncio;
using asyncio::Coroutine;
using asyncio::StreamReader;
using asyncio::StreamWriter;

class Streams : public concur_test::FdCountingTest {};

TEST_F(Streams, ReaderFedByHand) {
    asyncio::run([]() -> Coroutine<void> {
        StreamReader r;
        r.feed_data("line one\nline two\nrest");
        EXPECT_EQ(co_await r.readline(), "line one\n");
        EXPECT_EQ(co_await r.read(4), "line");
        EXPECT_EQ(co_await r.readuntil("\n"), " two\n");
        EXPECT_EQ(co_await r.readexactly(2), "re");
        EXPECT_FALSE(r.at_eof());
        r.feed_eof();
        EXPECT_EQ(co_await r.read(), "st");
        EXPECT_TRUE(r.at_eof());
        EXPECT_EQ(co_await r.read(), "");
        EXPECT_EQ(co_await r.readline(), "");
        EXPECT_THROW(r.feed_data("late"), std::runtime_error);
    }());
}

TEST_F(Streams, ReadWaitsForData) {
    asyncio::run([]() -> Coroutine<void> {
        StreamReader r;
        auto feeder = [](StreamReader reader) -> Coroutine<void> {
            co_await asyncio::sleep(0.01);
            reader.feed_data("abc");
            co_await asyncio::sleep(0.01);
            reader.feed_data("def\n");
            co_await asyncio::sleep(0.01);
            reader.feed_eof();
        };
        auto task = asyncio::create_task(feeder(r));
        EXPECT_EQ(co_await r.read(100), "abc");
        EXPECT_EQ(co_await r.readline(), "def\n");
        EXPECT_EQ(co_await r.read(0), "");
        EXPECT_EQ(co_await r.read(), "");
        co_await std::move(task);
    }());
}

TEST_F(Streams, ReadexactlyRaisesIncompleteReadErrorWithThePartialBytes) {
    asyncio::run([]() -> Coroutine<void> {
        StreamReader r;
        r.feed_data("12345");
        r.feed_eof();
        try {
            co_await r.readexactly(10);
            ADD_FAILURE() << "no error";
        } catch (const asyncio::IncompleteReadError& e) {
            EXPECT_EQ(e.partial, "12345");
            EXPECT_EQ(e.expected, 10U);
            EXPECT_STREQ(e.what(), "5 bytes read on a total of 10 expected bytes");
        }
        StreamReader r2;
        r2.feed_data("no separator");
        r2.feed_eof();
        try {
            co_await r2.readuntil("\r\n");
            ADD_FAILURE() << "no error";
        } catch (const asyncio::IncompleteReadError& e) {
            EXPECT_EQ(e.partial, "no separator");
            EXPECT_FALSE(e.expected.has_value());
        }
        EXPECT_THROW(co_await r2.readuntil(""), std::invalid_argument);
    }());
}

TEST_F(Streams, ReaduntilPastTheLimitRaisesLimitOverrunErrorAndConsumesNothing) {
    asyncio::run([]() -> Coroutine<void> {
        StreamReader r(8);
        r.feed_data("0123456789");
        try {
            co_await r.readuntil("\n");
            ADD_FAILURE() << "no error";
        } catch (const asyncio::LimitOverrunError& e) {
            EXPECT_EQ(e.consumed, 10U);
        }
        r.feed_data("X\n");
        try {
            co_await r.readuntil("\n"); // the separator is there, but past the limit
            ADD_FAILURE() << "no error";
        } catch (const asyncio::LimitOverrunError& e) {
            EXPECT_EQ(e.consumed, 11U);
        }
        EXPECT_EQ(co_await r.readexactly(12), "0123456789X\n"); // nothing was consumed

        // readline() drops the line that did not fit, and raises ValueError.
        r.feed_data("far too long a line\nnext\n");
        EXPECT_THROW(co_await r.readline(), std::invalid_argument);
        EXPECT_EQ(co_await r.readline(), "next\n");
    }());
}

TEST_F(Streams, ErrorsAndConcurrentReaders) {
    asyncio::run([]() -> Coroutine<void> {
        StreamReader r;
        auto first = asyncio::create_task(r.read(10));
        co_await asyncio::sleep(0);
        EXPECT_THROW(co_await r.read(10), std::runtime_error); // one reader at a time
        r.set_exception(std::make_exception_ptr(concur::ConnectionResetError(ECONNRESET, "gone")));
        EXPECT_THROW(co_await std::move(first), concur::ConnectionResetError);
        EXPECT_THROW(co_await r.readline(), concur::ConnectionResetError);
        EXPECT_TRUE(r.exception());
    }());
}

TEST_F(Streams, CancelledReadConsumesNothing) {
    asyncio::run([]() -> Coroutine<void> {
        StreamReader r;
        EXPECT_THROW(co_await asyncio::wait_for(r.readexactly(4), 0.01), concur::TimeoutError);
        r.feed_data("ab");
        EXPECT_THROW(co_await asyncio::wait_for(r.readexactly(4), 0.01), concur::TimeoutError);
        r.feed_data("cd");
        EXPECT_EQ(co_await r.readexactly(4), "abcd");
    }());
}

Coroutine<void> echo_lines(StreamReader reader, StreamWriter writer) {
    for (;;) {
        std::string line = co_await reader.readline();
        if (line.empty()) {
            break;
        }
        writer.write(line);
        co_await writer.drain();
    }
    writer.close();
    co_await writer.wait_closed();
}

int port_of(const asyncio::Server& server) {
    return server.addresses().at(0).port;
}

TEST_F(Streams, EchoServerAndClient) {
    asyncio::run([]() -> Coroutine<void> {
        auto server = co_await asyncio::start_server(echo_lines, "127.0.0.1", 0);
        auto [reader, writer] = co_await asyncio::open_connection("127.0.0.1", port_of(server));
        for (int i = 0; i < 100; ++i) {
            const std::string line = "message " + std::to_string(i) + "\n";
            writer.write(line);
            co_await writer.drain();
            EXPECT_EQ(co_await reader.readline(), line);
        }
        auto peer = std::any_cast<asyncio::SocketAddress>(writer.get_extra_info("peername"));
        EXPECT_EQ(peer.port, port_of(server));
        writer.write_eof(); // the server sees the end, closes its side
        EXPECT_EQ(co_await reader.read(), "");
        EXPECT_TRUE(reader.at_eof());
        writer.close();
        EXPECT_TRUE(writer.is_closing());
        co_await asyncio::wait_for(writer.wait_closed(), 5s);
        server.close();
        co_await asyncio::wait_for(server.wait_closed(), 5s);
    }());
}

TEST_F(Streams, DrainWaitsForASlowReader) {
    asyncio::run([]() -> Coroutine<void> {
        asyncio::Event go;
        std::size_t received = 0;
        auto slow = [&](StreamReader reader, StreamWriter writer) -> Coroutine<void> {
            co_await go.wait(); // reads nothing until told
            for (;;) {
                std::string data = co_await reader.read(1 << 16);
                if (data.empty()) {
                    break;
                }
                received += data.size();
            }
            writer.close();
        };
        auto server = co_await asyncio::start_server(slow, "127.0.0.1", 0);
        auto [reader, writer] = co_await asyncio::open_connection("127.0.0.1", port_of(server));
        const std::string block(1 << 16, 'y');
        std::size_t sent = 0;
        bool blocked = false;
        while (!blocked && sent < (512U << 20)) {
            writer.write(block);
            sent += block.size();
            try {
                co_await asyncio::wait_for(writer.drain(), 0.05);
            } catch (const concur::TimeoutError&) {
                blocked = true; // over the high-water mark, the reader reads nothing
            }
        }
        EXPECT_TRUE(blocked); // (what stays buffered then varies: the kernel may grow its buffers)
        go.set();
        co_await asyncio::wait_for(writer.drain(), 10s); // resumes once drained to the low mark
        writer.write_eof();
        EXPECT_EQ(co_await asyncio::wait_for(reader.read(), 10s), "");
        EXPECT_EQ(received, sent);
        writer.close();
    }());
}

TEST_F(Streams, ReadTimeoutLeavesTheConnectionUsable) {
    asyncio::run([]() -> Coroutine<void> {
        auto server = co_await asyncio::start_server(echo_lines, "127.0.0.1", 0);
        auto [reader, writer] = co_await asyncio::open_connection("127.0.0.1", port_of(server));
        EXPECT_THROW(co_await asyncio::wait_for(reader.readline(), 0.02), concur::TimeoutError);
        writer.write("still here\n");
        EXPECT_EQ(co_await asyncio::wait_for(reader.readline(), 5s), "still here\n");
        writer.close();
        co_await writer.wait_closed();
    }());
}

TEST_F(Streams, PeerClosesMidMessage) {
    asyncio::run([]() -> Coroutine<void> {
        auto partial = [](StreamReader, StreamWriter writer) -> Coroutine<void> {
            writer.write("abc");
            writer.close();
            co_return;
        };
        auto server = co_await asyncio::start_server(partial, "127.0.0.1", 0);
        auto [reader, writer] = co_await asyncio::open_connection("127.0.0.1", port_of(server));
        try {
            co_await asyncio::wait_for(reader.readexactly(10), 5s);
            ADD_FAILURE() << "no error";
        } catch (const asyncio::IncompleteReadError& e) {
            EXPECT_EQ(e.partial, "abc");
        }
    }());
}

TEST_F(Streams, ResetConnectionRaisesInReaderAndDrain) {
    asyncio::run([]() -> Coroutine<void> {
        auto reset = [](StreamReader, StreamWriter writer) -> Coroutine<void> {
            const int fd = std::any_cast<int>(writer.get_extra_info("socket"));
            const linger l{1, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
            writer.transport().abort();
            co_return;
        };
        auto server = co_await asyncio::start_server(reset, "127.0.0.1", 0);
        auto [reader, writer] = co_await asyncio::open_connection("127.0.0.1", port_of(server));
        EXPECT_THROW(co_await asyncio::wait_for(reader.read(10), 5s), concur::ConnectionResetError);
        writer.write("after the reset");
        EXPECT_THROW(co_await writer.drain(), concur::ConnectionResetError);
        EXPECT_THROW(co_await writer.wait_closed(), concur::ConnectionResetError);
    }());
}

TEST_F(Streams, HandlerErrorsAreReportedAndCloseTheConnection) {
    std::vector<std::string> reports;
    asyncio::run([&]() -> Coroutine<void> {
        asyncio::get_running_loop().set_exception_handler(
            [&](asyncio::EventLoop&, const asyncio::ExceptionContext& c) {
                reports.push_back(c.message);
            });
        auto faulty = [](StreamReader reader, StreamWriter) -> Coroutine<void> {
            co_await reader.readline();
            throw std::logic_error("handler bug");
        };
        auto server = co_await asyncio::start_server(faulty, "127.0.0.1", 0);
        auto [reader, writer] = co_await asyncio::open_connection("127.0.0.1", port_of(server));
        writer.write("hi\n");
        EXPECT_EQ(co_await asyncio::wait_for(reader.read(), 5s), "");
    }());
    EXPECT_EQ(reports, std::vector<std::string>{"Unhandled exception in client_connected_cb"});
}

TEST_F(Streams, DroppingTheWriterClosesTheConnection) {
    asyncio::run([]() -> Coroutine<void> {
        asyncio::Event done;
        std::string seen = "unset";
        auto server = co_await asyncio::start_server(
            [&](StreamReader reader, StreamWriter) -> Coroutine<void> {
                seen = co_await reader.read();
                done.set();
            },
            "127.0.0.1", 0);
        {
            auto [reader, writer] = co_await asyncio::open_connection("127.0.0.1", port_of(server));
            writer.write("bye");
        }
        co_await asyncio::wait_for([&]() -> Coroutine<void> { co_await done.wait(); }(), 5s);
        EXPECT_EQ(seen, "bye");
    }());
}

TEST_F(Streams, UnixStreams) {
    const std::string path = "/tmp/concur-streams-" + std::to_string(::getpid()) + ".sock";
    asyncio::run([&]() -> Coroutine<void> {
        auto server = co_await asyncio::start_unix_server(echo_lines, path);
        auto [reader, writer] = co_await asyncio::open_unix_connection(path);
        writer.write("over a unix socket\n");
        EXPECT_EQ(co_await asyncio::wait_for(reader.readline(), 5s), "over a unix socket\n");
        writer.close();
        co_await writer.wait_closed();
        server.close();
        co_await asyncio::wait_for(server.wait_closed(), 5s);
    }());
}

TEST_F(Streams, ConnectTimeoutComposesWithWaitFor) {
    // A listener whose queue is full and that never accepts: further connects hang in the
    // handshake, until wait_for gives up.
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(listener, 0), 0);
    socklen_t len = sizeof a;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
    const int port = ntohs(a.sin_port);
    int timeouts = 0;
    asyncio::run([&]() -> Coroutine<void> {
        std::vector<std::pair<StreamReader, StreamWriter>> open;
        for (int i = 0; i < 8 && timeouts == 0; ++i) {
            try {
                open.push_back(
                    co_await asyncio::wait_for(asyncio::open_connection("127.0.0.1", port), 0.2));
            } catch (const concur::TimeoutError&) {
                ++timeouts;
            }
        }
        for (auto& [r, w] : open) {
            w.close();
        }
        co_await asyncio::sleep(0);
    }());
    ::close(listener);
    EXPECT_EQ(timeouts, 1);
}

} // namespace
