// What every selector does, after CPython's test_selectors (BaseSelectorTestCase and
// ScalableSelectorMixIn), run on EpollSelector and PollSelector alike.
#include <concur/core/exceptions.hpp>
#include <concur/selectors.hpp>
#include <gtest/gtest.h>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <ranges>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "common/wait_helpers.hpp"
#include "selectors/helpers.hpp"

using namespace std::chrono_literals;
using concur::KeyError;
using concur::RuntimeError;
using concur::ValueError;
using concur::selectors::EpollSelector;
using concur::selectors::EVENT_READ;
using concur::selectors::EVENT_WRITE;
using concur::selectors::PollSelector;
using concur::selectors::Ready;
using concur::selectors::SelectorKey;
using concur_test::time_of;
using selectors_test::drain_fd;
using selectors_test::make_pipe;
using selectors_test::put_byte;
using selectors_test::socket_pair;

namespace {

using Result = std::vector<std::pair<SelectorKey, std::uint32_t>>;

// The fds of `ready` whose events include `flag` (CPython's find_ready_matching).
std::vector<int> ready_matching(const Result& ready, std::uint32_t flag) {
    std::vector<int> fds;
    for (const auto& [key, events] : ready) {
        if ((events & flag) != 0) {
            fds.push_back(key.fd);
        }
    }
    return fds;
}

// The events reported for `fd`, 0 if it is not in `ready`.
std::uint32_t events_of(const Result& ready, int fd) {
    for (const auto& [key, events] : ready) {
        if (key.fd == fd) {
            return events;
        }
    }
    return 0;
}

} // namespace

static_assert(std::forward_iterator<concur::selectors::SelectorMapping::iterator>);
static_assert(std::ranges::forward_range<concur::selectors::SelectorMapping>);

template <class Selector>
class SelectorTest : public selectors_test::FdLeakCheck {};

struct SelectorNames {
    template <class T>
    static std::string GetName(int) {
        return std::is_same_v<T, EpollSelector> ? "Epoll" : "Poll";
    }
};

using Selectors = ::testing::Types<EpollSelector, PollSelector>;
TYPED_TEST_SUITE(SelectorTest, Selectors, SelectorNames);

TYPED_TEST(SelectorTest, Register) {
    TypeParam s;
    auto [rd, wr] = socket_pair();
    int data = 0;

    const SelectorKey key = s.register_(rd.get(), EVENT_READ, &data);
    EXPECT_EQ(key.fd, rd.get());
    EXPECT_EQ(key.events, EVENT_READ);
    EXPECT_EQ(key.data, &data);

    EXPECT_THROW(s.register_(0, 999999), ValueError);           // an unknown event
    EXPECT_THROW(s.register_(wr.get(), 0), ValueError);         // no event at all
    EXPECT_THROW(s.register_(-10, EVENT_READ), ValueError);     // an invalid fd
    EXPECT_THROW(s.register_(rd.get(), EVENT_READ), KeyError);  // twice
    EXPECT_THROW(s.register_(rd.get(), EVENT_WRITE), KeyError); // twice, other events
    EXPECT_EQ(s.get_key(rd.get()), key);                        // failures changed nothing
    EXPECT_EQ(s.get_map().size(), 1U);
    EXPECT_FALSE(s.get_map().contains(wr.get()));

    const SelectorKey both = s.register_(wr.get(), EVENT_READ | EVENT_WRITE);
    EXPECT_EQ(both.events, EVENT_READ | EVENT_WRITE);
    EXPECT_EQ(both.data, nullptr); // data defaults to none
}

TYPED_TEST(SelectorTest, Unregister) {
    TypeParam s;
    auto [rd, wr] = socket_pair();
    int data = 0;

    const SelectorKey key = s.register_(rd.get(), EVENT_READ, &data);
    EXPECT_EQ(s.unregister(rd.get()), key);
    EXPECT_FALSE(s.get_map().contains(rd.get()));

    EXPECT_THROW(s.unregister(999999), KeyError);   // unknown
    EXPECT_THROW(s.unregister(rd.get()), KeyError); // twice
    EXPECT_THROW(s.unregister(-1), ValueError);

    // The fd can be registered again, with other events.
    EXPECT_EQ(s.register_(rd.get(), EVENT_WRITE).events, EVENT_WRITE);
}

TYPED_TEST(SelectorTest, UnregisterAfterFdClose) {
    TypeParam s;
    auto [rd, wr] = socket_pair();
    const int r = rd.get();
    const int w = wr.get();
    s.register_(r, EVENT_READ);
    s.register_(w, EVENT_WRITE);
    rd.close();
    wr.close();
    EXPECT_EQ(s.unregister(r).fd, r);
    EXPECT_EQ(s.unregister(w).fd, w);
    EXPECT_TRUE(s.get_map().empty());
}

TYPED_TEST(SelectorTest, UnregisterAfterFdCloseAndReuse) {
    TypeParam s;
    auto [rd, wr] = socket_pair();
    auto [rd2, wr2] = socket_pair();
    const int r = rd.get();
    const int w = wr.get();
    s.register_(r, EVENT_READ);
    s.register_(w, EVENT_WRITE);
    rd.close();
    wr.close();
    // The numbers now name other sockets, which the selector never saw.
    selectors_test::Fd r_again(::dup2(rd2.get(), r));
    selectors_test::Fd w_again(::dup2(wr2.get(), w));
    ASSERT_EQ(r_again.get(), r);
    ASSERT_EQ(w_again.get(), w);
    s.unregister(r);
    s.unregister(w);
    EXPECT_TRUE(s.get_map().empty());
}

TYPED_TEST(SelectorTest, Modify) {
    TypeParam s;
    auto [rd, wr] = socket_pair();

    const SelectorKey key = s.register_(rd.get(), EVENT_READ);
    const SelectorKey key2 = s.modify(rd.get(), EVENT_WRITE);
    EXPECT_NE(key.events, key2.events);
    EXPECT_EQ(key2, s.get_key(rd.get()));
    s.unregister(rd.get());

    // Only the data.
    int d1 = 1;
    int d2 = 2;
    const SelectorKey key3 = s.register_(rd.get(), EVENT_READ, &d1);
    const SelectorKey key4 = s.modify(rd.get(), EVENT_READ, &d2);
    EXPECT_EQ(key3.events, key4.events);
    EXPECT_NE(key3.data, key4.data);
    EXPECT_EQ(key4, s.get_key(rd.get()));
    EXPECT_EQ(key4.data, &d2);

    // Both, and back to the same key.
    EXPECT_EQ(s.modify(rd.get(), EVENT_READ | EVENT_WRITE, &d1).events, EVENT_READ | EVENT_WRITE);
    EXPECT_EQ(s.modify(rd.get(), EVENT_READ | EVENT_WRITE, &d1),
              (SelectorKey{rd.get(), EVENT_READ | EVENT_WRITE, &d1}));

    EXPECT_THROW(s.modify(999999, EVENT_READ), KeyError);   // unknown
    EXPECT_THROW(s.modify(wr.get(), EVENT_READ), KeyError); // not registered
    EXPECT_THROW(s.modify(-1, EVENT_READ), ValueError);
    EXPECT_THROW(s.modify(rd.get(), 0), ValueError);
    EXPECT_THROW(s.modify(rd.get(), 4), ValueError);
    // A refused mask leaves the registration as it was.
    EXPECT_EQ(s.get_key(rd.get()), (SelectorKey{rd.get(), EVENT_READ | EVENT_WRITE, &d1}));
}

TYPED_TEST(SelectorTest, ModifyingOnlyTheDataMakesNoSystemCall) {
    // CPython's "modify uses a shortcut": with the fd closed, any system call would fail.
    TypeParam s;
    auto [rd, wr] = socket_pair();
    int d1 = 1;
    int d2 = 2;
    s.register_(rd.get(), EVENT_READ, &d1);
    const int r = rd.get();
    rd.close();
    EXPECT_EQ(s.modify(r, EVENT_READ, &d2), (SelectorKey{r, EVENT_READ, &d2}));
    EXPECT_EQ(s.get_key(r).data, &d2);
    s.unregister(r);
}

TYPED_TEST(SelectorTest, Close) {
    TypeParam s;
    const auto mapping = s.get_map();
    auto [rd, wr] = socket_pair();
    s.register_(rd.get(), EVENT_READ);
    s.register_(wr.get(), EVENT_WRITE);

    s.close();
    EXPECT_THROW((void)s.get_key(rd.get()), RuntimeError);
    EXPECT_THROW((void)s.get_key(wr.get()), RuntimeError);
    EXPECT_THROW(mapping[rd.get()], KeyError);
    EXPECT_THROW(mapping[wr.get()], KeyError);
    EXPECT_EQ(mapping.get(rd.get()), std::nullopt);
    EXPECT_EQ(mapping.get(wr.get()), std::nullopt);
    EXPECT_TRUE(mapping.empty());
    EXPECT_TRUE(s.get_map().empty());
    EXPECT_EQ(s.get_map().begin(), s.get_map().end());

    // A closed selector must not be used: every use says so.
    EXPECT_THROW(s.register_(rd.get(), EVENT_READ), RuntimeError);
    EXPECT_THROW(s.unregister(rd.get()), RuntimeError);
    EXPECT_THROW(s.modify(rd.get(), EVENT_WRITE), RuntimeError);
    EXPECT_THROW(s.select(0s), RuntimeError);
    std::vector<Ready> out;
    EXPECT_THROW(s.select(0s, out), RuntimeError);

    s.close(); // twice: harmless
    s.close();
}

TYPED_TEST(SelectorTest, DestructorCloses) {
    // CPython's test_context_manager: leaving the scope is `with`'s exit.
    const std::size_t before = selectors_test::open_fd_count();
    {
        TypeParam s;
        auto [rd, wr] = socket_pair();
        s.register_(rd.get(), EVENT_READ);
        s.register_(wr.get(), EVENT_WRITE);
    }
    EXPECT_EQ(selectors_test::open_fd_count(), before);
    {
        TypeParam s;
        s.close(); // then destroyed: closes once
    }
    EXPECT_EQ(selectors_test::open_fd_count(), before);
}

TYPED_TEST(SelectorTest, GetKey) {
    TypeParam s;
    auto [rd, wr] = socket_pair();
    int data = 0;
    const SelectorKey key = s.register_(rd.get(), EVENT_READ, &data);
    EXPECT_EQ(key, s.get_key(rd.get()));
    EXPECT_THROW((void)s.get_key(999999), KeyError);
    EXPECT_THROW((void)s.get_key(wr.get()), KeyError);
    EXPECT_THROW((void)s.get_key(-1), ValueError);
}

TYPED_TEST(SelectorTest, GetMap) {
    TypeParam s;
    auto [rd, wr] = socket_pair();
    int data = 0;

    const auto keys = s.get_map();
    EXPECT_TRUE(keys.empty());
    EXPECT_EQ(keys.size(), 0U);
    EXPECT_EQ(keys.begin(), keys.end());

    const SelectorKey key = s.register_(rd.get(), EVENT_READ, &data);
    // The view is live: it sees the registration made after it was taken.
    EXPECT_TRUE(keys.contains(rd.get()));
    EXPECT_FALSE(keys.contains(wr.get()));
    EXPECT_FALSE(keys.contains(-1));
    EXPECT_FALSE(keys.contains(999999));
    EXPECT_EQ(keys.get(rd.get()), key);
    EXPECT_EQ(keys.get(wr.get()), std::nullopt);
    EXPECT_EQ(keys[rd.get()], key);
    EXPECT_EQ(keys.size(), 1U);
    EXPECT_EQ(std::vector<SelectorKey>(keys.begin(), keys.end()), std::vector<SelectorKey>{key});
    EXPECT_THROW(keys[999999], KeyError);
    EXPECT_THROW(keys[-1], KeyError);

    // Iteration is in fd order, and a range.
    const SelectorKey key2 = s.register_(wr.get(), EVENT_WRITE);
    std::vector<SelectorKey> all;
    for (const SelectorKey& k : keys) {
        all.push_back(k);
    }
    std::vector<SelectorKey> expected{key, key2};
    std::sort(expected.begin(), expected.end(),
              [](const SelectorKey& a, const SelectorKey& b) { return a.fd < b.fd; });
    EXPECT_EQ(all, expected);
    EXPECT_EQ(std::ranges::distance(keys), 2);

    s.unregister(rd.get());
    EXPECT_EQ(std::vector<SelectorKey>(keys.begin(), keys.end()), std::vector<SelectorKey>{key2});
}

TYPED_TEST(SelectorTest, Select) {
    TypeParam s;
    auto [rd, wr] = socket_pair();
    s.register_(rd.get(), EVENT_READ);
    const SelectorKey wr_key = s.register_(wr.get(), EVENT_WRITE);

    const Result result = s.select(5s);
    for (const auto& [key, events] : result) {
        EXPECT_NE(events, 0U);
        EXPECT_EQ(events & ~(EVENT_READ | EVENT_WRITE), 0U);
    }
    EXPECT_EQ(result, (Result{{wr_key, EVENT_WRITE}}));
}

TYPED_TEST(SelectorTest, Selector) {
    // CPython's test_selector: pairs of sockets, written and read one at a time.
    constexpr int kPairs = 12;
    const std::string message = " This is a test.";
    TypeParam s;
    std::vector<selectors_test::SocketPair> pairs;
    std::vector<int> writers;
    for (int i = 0; i < kPairs; ++i) {
        pairs.push_back(socket_pair());
        s.register_(pairs.back().a.get(), EVENT_READ);
        s.register_(pairs.back().b.get(), EVENT_WRITE);
        writers.push_back(pairs.back().b.get());
    }
    auto reader_of = [&](int writer) {
        for (const auto& pair : pairs) {
            if (pair.b.get() == writer) {
                return pair.a.get();
            }
        }
        return -1;
    };

    int received = 0;
    while (!writers.empty()) {
        const std::vector<int> ready_writers = ready_matching(s.select(5s), EVENT_WRITE);
        ASSERT_FALSE(ready_writers.empty()) << "no sockets ready for writing";
        const int wr = ready_writers[static_cast<std::size_t>(received) % ready_writers.size()];
        ASSERT_EQ(::write(wr, message.data(), message.size()),
                  static_cast<ssize_t>(message.size()));

        const std::vector<int> ready_readers = ready_matching(s.select(5s), EVENT_READ);
        ASSERT_EQ(ready_readers, std::vector<int>{reader_of(wr)});
        std::string buffer(message.size(), '\0');
        ASSERT_EQ(::read(ready_readers[0], buffer.data(), buffer.size()),
                  static_cast<ssize_t>(message.size()));
        EXPECT_EQ(buffer, message);
        ++received;
        s.unregister(wr);
        s.unregister(ready_readers[0]);
        writers.erase(std::find(writers.begin(), writers.end(), wr));
    }
    EXPECT_EQ(received, kPairs);
    EXPECT_TRUE(s.get_map().empty());
}

TYPED_TEST(SelectorTest, EmptySelect) {
    // bpo-23009: select() works with nothing registered.
    TypeParam s;
    EXPECT_TRUE(s.select(0s).empty());
    std::vector<Ready> out{{1, EVENT_READ, nullptr}};
    EXPECT_EQ(s.select(0s, out), 0U);
    EXPECT_TRUE(out.empty());
}

TYPED_TEST(SelectorTest, Timeout) {
    TypeParam s;
    auto [rd, wr] = socket_pair();

    s.register_(wr.get(), EVENT_WRITE);
    const auto polls = time_of([&] {
        EXPECT_EQ(s.select(0s).size(), 1U);
        EXPECT_EQ(s.select(-1s).size(), 1U);
        EXPECT_EQ(s.select(std::chrono::duration<double>(-0.5)).size(), 1U);
    });
    EXPECT_LT(polls.count(), 5.0);

    s.unregister(wr.get());
    s.register_(rd.get(), EVENT_READ);
    const auto empty_polls = time_of([&] {
        EXPECT_TRUE(s.select(0s).empty());
        EXPECT_TRUE(s.select(-1s).empty());
    });
    EXPECT_LT(empty_polls.count(), 5.0);

    // Nothing becomes ready: the wait lasts the timeout (never less), then reports nothing.
    const auto waited = time_of([&] { EXPECT_TRUE(s.select(200ms).empty()); });
    EXPECT_GE(waited.count(), 0.2);
    EXPECT_LT(waited.count(), 10.0);
}

TYPED_TEST(SelectorTest, EmptySelectTimeout) {
    // bpo-23009, bpo-29255: the timeout applies with nothing registered.
    TypeParam s;
    const auto waited = time_of([&] { EXPECT_TRUE(s.select(150ms).empty()); });
    EXPECT_GE(waited.count(), 0.15);
    EXPECT_LT(waited.count(), 10.0);
}

TYPED_TEST(SelectorTest, NanTimeoutIsValueError) {
    TypeParam s;
    EXPECT_THROW(s.select(std::chrono::duration<double>(std::nan(""))), ValueError);
}

namespace {

std::atomic<int> signals_received{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void count_signal(int) {
    signals_received.fetch_add(1, std::memory_order_relaxed);
}

} // namespace

TYPED_TEST(SelectorTest, SignalsNeitherEndNorExtendTheWait) {
    // CPython's test_select_interrupt_noraise: a signal whose handler returns interrupts the
    // system call, and select() resumes with the time left.
    struct sigaction action {};
    action.sa_handler = count_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; // no SA_RESTART: epoll_wait and poll fail with EINTR
    struct sigaction previous {};
    ASSERT_EQ(::sigaction(SIGUSR1, &action, &previous), 0);
    signals_received = 0;

    TypeParam s;
    auto [rd, wr] = socket_pair();
    s.register_(rd.get(), EVENT_READ);

    const pthread_t selecting = ::pthread_self();
    std::atomic<bool> done{false};
    std::thread sender([&] {
        const auto give_up = std::chrono::steady_clock::now() + 10s;
        while (!done.load() && std::chrono::steady_clock::now() < give_up) {
            ::pthread_kill(selecting, SIGUSR1);
            std::this_thread::sleep_for(20ms);
        }
    });
    const auto waited = time_of([&] { EXPECT_TRUE(s.select(300ms).empty()); });
    done = true;
    sender.join();
    ::sigaction(SIGUSR1, &previous, nullptr);

    EXPECT_GT(signals_received.load(), 0);
    EXPECT_GE(waited.count(), 0.3);  // not cut short by the signals
    EXPECT_LT(waited.count(), 10.0); // nor restarted with the full timeout each time, forever
}

TYPED_TEST(SelectorTest, ReadAndWriteReadinessOnPipes) {
    TypeParam s;
    auto [rd, wr] = make_pipe();
    s.register_(rd.get(), EVENT_READ);
    s.register_(wr.get(), EVENT_WRITE);

    Result ready = s.select(0s);
    EXPECT_EQ(ready.size(), 1U);
    EXPECT_EQ(events_of(ready, wr.get()), EVENT_WRITE);

    ASSERT_TRUE(put_byte(wr.get()));
    ready = s.select(5s);
    EXPECT_EQ(events_of(ready, rd.get()), EVENT_READ);
    EXPECT_EQ(events_of(ready, wr.get()), EVENT_WRITE);

    // Level-triggered: still readable until the data is read.
    EXPECT_EQ(events_of(s.select(0s), rd.get()), EVENT_READ);
    EXPECT_EQ(drain_fd(rd.get()), 1U);
    ready = s.select(0s);
    EXPECT_EQ(events_of(ready, rd.get()), 0U);
    EXPECT_EQ(events_of(ready, wr.get()), EVENT_WRITE);

    // A full pipe is not writable.
    while (put_byte(wr.get())) {
    }
    EXPECT_EQ(events_of(s.select(0s), wr.get()), 0U);
    EXPECT_EQ(events_of(s.select(0s), rd.get()), EVENT_READ);
}

TYPED_TEST(SelectorTest, ReadAndWriteReadinessOnSockets) {
    TypeParam s;
    auto [a, b] = socket_pair();
    s.register_(a.get(), EVENT_READ | EVENT_WRITE);
    EXPECT_EQ(events_of(s.select(0s), a.get()), EVENT_WRITE);
    ASSERT_TRUE(put_byte(b.get()));
    EXPECT_EQ(events_of(s.select(5s), a.get()), EVENT_READ | EVENT_WRITE);
    // The reported events are those of the key: after modify(), only reads.
    s.modify(a.get(), EVENT_READ);
    EXPECT_EQ(events_of(s.select(0s), a.get()), EVENT_READ);
    s.modify(a.get(), EVENT_WRITE);
    EXPECT_EQ(events_of(s.select(0s), a.get()), EVENT_WRITE);
}

TYPED_TEST(SelectorTest, HangUpIsReportedAsBothEvents) {
    TypeParam s;
    {
        // The read end of a pipe whose writer is gone: EPOLLHUP/POLLHUP, reported as readable
        // (read() then returns end of file) and, when watched for it, as writable.
        auto [rd, wr] = make_pipe();
        s.register_(rd.get(), EVENT_WRITE);
        EXPECT_TRUE(s.select(0s).empty());
        wr.close();
        EXPECT_EQ(events_of(s.select(5s), rd.get()), EVENT_WRITE);
        s.modify(rd.get(), EVENT_READ | EVENT_WRITE);
        EXPECT_EQ(events_of(s.select(5s), rd.get()), EVENT_READ | EVENT_WRITE);
        EXPECT_EQ(drain_fd(rd.get()), 0U); // end of file
        s.unregister(rd.get());
    }
    {
        // A socket whose peer is gone.
        auto [a, b] = socket_pair();
        s.register_(a.get(), EVENT_READ);
        EXPECT_TRUE(s.select(0s).empty());
        b.close();
        EXPECT_EQ(events_of(s.select(5s), a.get()), EVENT_READ);
        s.modify(a.get(), EVENT_READ | EVENT_WRITE);
        EXPECT_EQ(events_of(s.select(5s), a.get()), EVENT_READ | EVENT_WRITE);
        s.unregister(a.get());
    }
}

TYPED_TEST(SelectorTest, ErrorIsReportedAsBothEvents) {
    // The write end of a pipe whose reader is gone: EPOLLERR/POLLERR (write() then fails with
    // EPIPE), reported even to a key watching only for reads.
    TypeParam s;
    auto [rd, wr] = make_pipe();
    s.register_(wr.get(), EVENT_READ);
    EXPECT_TRUE(s.select(0s).empty());
    rd.close();
    EXPECT_EQ(events_of(s.select(5s), wr.get()), EVENT_READ);
    s.modify(wr.get(), EVENT_READ | EVENT_WRITE);
    EXPECT_EQ(events_of(s.select(5s), wr.get()), EVENT_READ | EVENT_WRITE);
}

TYPED_TEST(SelectorTest, DataPointerRoundTrip) {
    TypeParam s;
    auto [a, b] = socket_pair();
    struct Handler {
        int id;
    } first{1}, second{2};
    s.register_(a.get(), EVENT_WRITE, &first);

    Result ready = s.select(5s);
    ASSERT_EQ(ready.size(), 1U);
    EXPECT_EQ(ready[0].first.data, &first);
    EXPECT_EQ(static_cast<Handler*>(ready[0].first.data)->id, 1);

    s.modify(a.get(), EVENT_WRITE, &second);
    std::vector<Ready> out;
    ASSERT_EQ(s.select(5s, out), 1U);
    EXPECT_EQ(out[0], (Ready{a.get(), EVENT_WRITE, &second}));
    EXPECT_EQ(static_cast<Handler*>(out[0].data)->id, 2);
}

TYPED_TEST(SelectorTest, BufferFormReusesTheBuffer) {
    TypeParam s;
    auto [a, b] = socket_pair();
    auto [c, d] = socket_pair();
    int data = 0;
    s.register_(a.get(), EVENT_WRITE, &data);
    s.register_(c.get(), EVENT_READ);

    std::vector<Ready> out(10, Ready{99, EVENT_READ, nullptr}); // stale entries
    out.reserve(64);
    const Ready* storage = out.data();
    const std::size_t capacity = out.capacity();
    for (int round = 0; round < 3; ++round) {
        ASSERT_EQ(s.select(5s, out), 1U);
        EXPECT_EQ(out, (std::vector<Ready>{{a.get(), EVENT_WRITE, &data}}));
        EXPECT_EQ(out.data(), storage);
        EXPECT_EQ(out.capacity(), capacity);
    }
    ASSERT_TRUE(put_byte(d.get()));
    ASSERT_EQ(s.select(5s, out), 2U);
    EXPECT_EQ(out.data(), storage);
    EXPECT_EQ(s.select(0s, out), 2U); // a poll reports the same
}

TYPED_TEST(SelectorTest, AllocatingSelectReportsTheKeys) {
    TypeParam s;
    auto [a, b] = socket_pair();
    int data = 0;
    const SelectorKey key = s.register_(a.get(), EVENT_READ | EVENT_WRITE, &data);
    const Result ready = s.select(5s);
    ASSERT_EQ(ready.size(), 1U);
    EXPECT_EQ(ready[0].first, key); // the whole key, with the events registered
    EXPECT_EQ(ready[0].second, EVENT_WRITE);
}

TYPED_TEST(SelectorTest, UnregisteredFdIsNotReported) {
    TypeParam s;
    auto [a, b] = socket_pair();
    s.register_(a.get(), EVENT_WRITE);
    s.register_(b.get(), EVENT_WRITE);
    EXPECT_EQ(s.select(5s).size(), 2U);
    s.unregister(a.get());
    const Result ready = s.select(5s);
    ASSERT_EQ(ready.size(), 1U);
    EXPECT_EQ(ready[0].first.fd, b.get());
}

TYPED_TEST(SelectorTest, ManyFds) {
    // CPython's test_above_fd_setsize, with 1,000 socket pairs.
    constexpr std::size_t kPairs = 1000;
    if (!selectors_test::make_room_for_fds(2 * kPairs + 16)) {
        GTEST_SKIP() << "the limit on open files is too low";
    }
    TypeParam s;
    std::vector<selectors_test::SocketPair> pairs;
    pairs.reserve(kPairs);
    std::vector<int> tags(kPairs); // the data of pair i points at tags[i]
    for (std::size_t i = 0; i < kPairs; ++i) {
        pairs.push_back(socket_pair());
        s.register_(pairs[i].a.get(), EVENT_READ, &tags[i]);
        s.register_(pairs[i].b.get(), EVENT_WRITE, &tags[i]);
    }
    EXPECT_EQ(s.get_map().size(), 2 * kPairs);

    // Every writer is ready, in one call.
    const Result writable = s.select(5s);
    ASSERT_EQ(writable.size(), kPairs);
    for (const auto& [key, events] : writable) {
        EXPECT_EQ(events, EVENT_WRITE);
        const auto i = static_cast<std::size_t>(static_cast<int*>(key.data) - tags.data());
        ASSERT_LT(i, kPairs);
        EXPECT_EQ(key.fd, pairs[i].b.get());
    }

    // Then every reader, once its writer has written and is no longer watched.
    for (std::size_t i = 0; i < kPairs; ++i) {
        ASSERT_TRUE(put_byte(pairs[i].b.get()));
        s.unregister(pairs[i].b.get());
    }
    std::vector<Ready> out;
    ASSERT_EQ(s.select(5s, out), kPairs);
    std::vector<bool> seen(kPairs, false);
    for (const Ready& ready : out) {
        EXPECT_EQ(ready.events, EVENT_READ);
        const auto i = static_cast<std::size_t>(static_cast<int*>(ready.data) - tags.data());
        ASSERT_LT(i, kPairs);
        EXPECT_EQ(ready.fd, pairs[i].a.get());
        EXPECT_FALSE(seen[i]);
        seen[i] = true;
    }
    for (std::size_t i = 0; i < kPairs; ++i) {
        s.unregister(pairs[i].a.get());
    }
    EXPECT_TRUE(s.get_map().empty());
    EXPECT_TRUE(s.select(0s).empty());
}
