#include "concur/multiprocessing/connection.hpp"

#include <array>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <csignal>
#include <sys/socket.h>

#include "concur/multiprocessing/detail/inherited_fds.hpp"
#include "multiprocessing/mp_test_util.hpp"

namespace mp = concur::multiprocessing;
using namespace std::chrono_literals;
using concur_test::fork_child;
using concur_test::wait_child;

namespace {

class ConnectionTest : public concur_test::NoLeaks {};

TEST_F(ConnectionTest, SendAndReceiveObjectsBothWays) {
    auto [a, b] = mp::Pipe();
    a.send(std::map<std::string, int>{{"one", 1}, {"two", 2}});
    EXPECT_EQ((b.recv<std::map<std::string, int>>()),
              (std::map<std::string, int>{{"one", 1}, {"two", 2}}));
    b.send(std::vector<double>{1.5, 2.5});
    EXPECT_EQ(a.recv<std::vector<double>>(), (std::vector<double>{1.5, 2.5}));
    EXPECT_TRUE(a.readable());
    EXPECT_TRUE(a.writable());
}

TEST_F(ConnectionTest, OneWayPipe) {
    auto [reader, writer] = mp::Pipe(false);
    EXPECT_TRUE(reader.readable());
    EXPECT_FALSE(reader.writable());
    EXPECT_FALSE(writer.readable());
    EXPECT_TRUE(writer.writable());
    EXPECT_THROW(reader.send(1), concur::OSError);
    EXPECT_THROW((void)writer.recv<int>(), concur::OSError);
    writer.send(42);
    EXPECT_EQ(reader.recv<int>(), 42);
}

TEST_F(ConnectionTest, BytesWithOffsetAndSize) {
    auto [a, b] = mp::Pipe();
    a.send_bytes("hello world", 6);
    a.send_bytes("hello world", 0, 5);
    a.send_bytes("");
    EXPECT_EQ(b.recv_bytes(), "world");
    EXPECT_EQ(b.recv_bytes(), "hello");
    EXPECT_EQ(b.recv_bytes(), "");
    EXPECT_THROW(a.send_bytes("abc", 4), concur::ValueError);
    EXPECT_THROW(a.send_bytes("abc", 1, 3), concur::ValueError);
}

TEST_F(ConnectionTest, SendBytesFromAByteBuffer) {
    auto [a, b] = mp::Pipe();
    const std::array<std::byte, 4> bytes{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}};
    a.send_bytes(std::span<const std::byte>(bytes), 1, 2);
    EXPECT_EQ(b.recv_bytes(), std::string("\x02\x03", 2));
}

TEST_F(ConnectionTest, EndOfFileInsideAMessageIsOSError) {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    mp::Connection reader(fds[0], true, false);
    const unsigned char frame[] = {0, 0, 0, 100, 'a', 'b', 'c'}; // announces 100, sends 3
    ASSERT_EQ(::write(fds[1], frame, sizeof frame), static_cast<ssize_t>(sizeof frame));
    ::close(fds[1]);
    try {
        (void)reader.recv_bytes();
        ADD_FAILURE() << "no error";
    } catch (const mp::EOFError&) {
        ADD_FAILURE() << "a cut message is not a clean end of file";
    } catch (const concur::OSError& error) {
        EXPECT_STREQ(error.what(), "got end of file during message");
    }
}

TEST_F(ConnectionTest, RecvBytesIntoABuffer) {
    auto [a, b] = mp::Pipe();
    std::array<std::byte, 8> buffer{};
    a.send_bytes("abc");
    EXPECT_EQ(b.recv_bytes_into(buffer, 2), 3u);
    EXPECT_EQ(static_cast<char>(buffer[2]), 'a');
    EXPECT_EQ(static_cast<char>(buffer[4]), 'c');
    a.send_bytes("too long for it");
    EXPECT_THROW(b.recv_bytes_into(buffer), mp::BufferTooShort);
    a.send_bytes("next"); // the stream is still in step after a BufferTooShort
    EXPECT_EQ(b.recv_bytes(), "next");
}

TEST_F(ConnectionTest, MessageLongerThanMaxlength) {
    auto [a, b] = mp::Pipe();
    a.send_bytes("0123456789");
    EXPECT_THROW((void)b.recv_bytes(4), concur::OSError);
    EXPECT_FALSE(b.readable()); // as Python: the rest of the message cannot be skipped
    EXPECT_THROW((void)b.recv_bytes(), concur::OSError);
}

TEST_F(ConnectionTest, PollWithTimeouts) {
    auto [a, b] = mp::Pipe();
    EXPECT_FALSE(b.poll());
    EXPECT_FALSE(b.poll(10ms));
    std::thread sender([&a = a] {
        std::this_thread::sleep_for(20ms);
        a.send(7);
    });
    EXPECT_TRUE(b.poll(std::nullopt));
    EXPECT_EQ(b.recv<int>(), 7);
    sender.join();
}

TEST_F(ConnectionTest, WaitForSeveralConnections) {
    auto [a1, b1] = mp::Pipe();
    auto [a2, b2] = mp::Pipe();
    auto [a3, b3] = mp::Pipe();
    EXPECT_TRUE(mp::connection::wait({&b1, &b2, &b3}, 10ms).empty());
    a2.send(2);
    a3.close(); // a hang-up counts as ready: recv() then raises EOFError
    const std::vector<mp::Connection*> ready = mp::connection::wait({&b1, &b2, &b3}, 10s);
    ASSERT_EQ(ready.size(), 2u);
    EXPECT_EQ(ready[0], &b2);
    EXPECT_EQ(ready[1], &b3);
    EXPECT_EQ(mp::connection::wait(std::vector<int>{b1.fileno(), b2.fileno()}, 0s),
              std::vector<int>{b2.fileno()});
    EXPECT_EQ(b2.recv<int>(), 2);
    EXPECT_THROW((void)b3.recv<int>(), mp::EOFError);
    std::thread late([&a1 = a1] {
        std::this_thread::sleep_for(10ms);
        a1.send(1);
    });
    EXPECT_EQ(mp::connection::wait({&b1}), std::vector<mp::Connection*>{&b1}); // no timeout
    late.join();
    b1.close();
    EXPECT_THROW((void)mp::connection::wait({&b1}, 0s), concur::OSError);
}

TEST_F(ConnectionTest, PeerClosedIsEOFError) {
    auto [a, b] = mp::Pipe();
    a.send(1);
    a.close();
    EXPECT_TRUE(b.poll()); // a hang-up is something to read
    EXPECT_EQ(b.recv<int>(), 1);
    EXPECT_THROW((void)b.recv<int>(), mp::EOFError);
    EXPECT_THROW(b.send(2), concur::BrokenPipeError); // an error, not a SIGPIPE
}

TEST_F(ConnectionTest, OneWayWriteToAClosedReaderIsBrokenPipe) {
    auto [reader, writer] = mp::Pipe(false);
    reader.close();
    EXPECT_THROW(writer.send_bytes("x"), concur::BrokenPipeError);
}

TEST_F(ConnectionTest, UseAfterCloseIsOSError) {
    auto [a, b] = mp::Pipe();
    a.close();
    a.close(); // idempotent
    EXPECT_TRUE(a.closed());
    EXPECT_THROW(a.send(1), concur::OSError);
    EXPECT_THROW((void)a.recv_bytes(), concur::OSError);
    EXPECT_THROW((void)a.poll(), concur::OSError);
    EXPECT_THROW((void)a.fileno(), concur::OSError);
    try {
        (void)a.fileno();
    } catch (const concur::OSError& error) {
        EXPECT_STREQ(error.what(), "handle is closed");
    }
}

TEST_F(ConnectionTest, MessageLargerThanThePipeBufferToAChild) {
    auto [parent_end, child_end] = mp::Pipe();
    const std::string big(8 << 20, 'x'); // far beyond a socket buffer: many partial writes
    const pid_t pid = fork_child([&, &parent_end = parent_end, &child_end = child_end] {
        parent_end.close();
        const std::string got = child_end.recv_bytes();
        child_end.send(got.size());
        return got == big ? 0 : 1;
    });
    child_end.close();
    parent_end.send_bytes(big);
    EXPECT_EQ(parent_end.recv<std::size_t>(), big.size());
    EXPECT_EQ(wait_child(pid), 0);
}

TEST_F(ConnectionTest, ChildExitIsEOFErrorForTheParent) {
    auto [parent_end, child_end] = mp::Pipe();
    const pid_t pid = fork_child([&, &child_end = child_end] {
        child_end.send(std::string("bye"));
        return 0;
    });
    child_end.close();
    EXPECT_EQ(parent_end.recv<std::string>(), "bye");
    EXPECT_THROW((void)parent_end.recv<std::string>(), mp::EOFError);
    EXPECT_EQ(wait_child(pid), 0);
}

TEST_F(ConnectionTest, MovesOwnTheDescriptor) {
    auto [a, b] = mp::Pipe();
    mp::Connection moved = std::move(a);
    EXPECT_TRUE(a.closed()); // NOLINT(bugprone-use-after-move): checking the moved-from state
    moved.send(3);
    EXPECT_EQ(b.recv<int>(), 3);
    b = mp::Connection();
    EXPECT_TRUE(b.closed());
}

TEST_F(ConnectionTest, PythonReadsAndWritesTheSameFrames) {
    constexpr const char* kPython = "/usr/bin/python3";
    if (::access(kPython, X_OK) != 0) {
        GTEST_SKIP() << kPython << " is not installed (Debian package python3)";
    }
    auto [ours, theirs] = mp::Pipe();
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(theirs.fileno(), 3); // a plain dup2: descriptor 3 survives the exec
        ::execl(kPython, kPython, "-c",
                "from multiprocessing.connection import Connection\n"
                "c = Connection(3)\n"
                "c.send_bytes(c.recv_bytes()[::-1])\n"
                "c.send_bytes(str(len(c.recv_bytes())).encode())\n",
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    theirs.close();
    bool answered = false;
    ours.send_bytes("hello");
    if (ours.poll(30s)) {
        EXPECT_EQ(ours.recv_bytes(), "olleh");
        ours.send_bytes(std::string(1 << 20, 'p')); // partial writes, and Python's partial reads
        answered = ours.poll(30s) && ours.recv_bytes() == "1048576";
    }
    EXPECT_TRUE(answered);
    if (!answered) {
        ::kill(pid, SIGKILL); // leave no child behind, whatever happened
    }
    EXPECT_EQ(wait_child(pid), answered ? 0 : 128 + SIGKILL);
}

TEST_F(ConnectionTest, TravelsToASpawnedChildByItsDescriptor) {
    auto [a, b] = mp::Pipe();
    std::string data;
    {
        mp::detail::LaunchScope scope;
        data = mp::dumps(b);
        mp::detail::set_inherited_fds(scope.fds());
    }
    auto child_end = mp::loads<mp::Connection>(data);
    mp::detail::set_inherited_fds({});
    EXPECT_NE(child_end.fileno(), b.fileno()); // its own duplicate
    a.send(std::string("to the child"));
    EXPECT_EQ(child_end.recv<std::string>(), "to the child");
    EXPECT_THROW((void)mp::dumps(a), concur::RuntimeError); // only through a process start
}

} // namespace
