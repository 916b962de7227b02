// The Waker: an eventfd that wakes a select() from other threads, coalescing its wake-ups.
#include <concur/selectors.hpp>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "selectors/helpers.hpp"

using namespace std::chrono_literals;
using concur::selectors::EpollSelector;
using concur::selectors::EVENT_READ;
using concur::selectors::Ready;
using concur::selectors::Waker;

using WakerTest = selectors_test::FdLeakCheck;

TEST_F(WakerTest, FdIsANonBlockingCloseOnExecEventFd) {
    Waker waker;
    ASSERT_GE(waker.fd(), 0);
    EXPECT_TRUE((::fcntl(waker.fd(), F_GETFL) & O_NONBLOCK) != 0);
    EXPECT_TRUE((::fcntl(waker.fd(), F_GETFD) & FD_CLOEXEC) != 0);
}

TEST_F(WakerTest, ReadableFromWakeUntilDrain) {
    EpollSelector s;
    Waker waker;
    s.register_(waker.fd(), EVENT_READ, &waker);
    std::vector<Ready> out;
    EXPECT_EQ(s.select(0s, out), 0U);
    EXPECT_EQ(waker.drain(), 0U); // nothing pending

    waker.wake();
    ASSERT_EQ(s.select(5s, out), 1U);
    EXPECT_EQ(out[0], (Ready{waker.fd(), EVENT_READ, &waker}));
    EXPECT_EQ(s.select(0s, out), 1U); // level-triggered: readable until drained
    EXPECT_EQ(waker.drain(), 1U);
    EXPECT_EQ(s.select(0s, out), 0U);

    // Once drained, the next wake writes again.
    waker.wake();
    EXPECT_EQ(s.select(5s, out), 1U);
    EXPECT_EQ(waker.drain(), 1U);
}

TEST_F(WakerTest, WakesCoalesceUntilDrained) {
    Waker waker;
    for (int i = 0; i < 1000; ++i) {
        waker.wake();
    }
    EXPECT_EQ(waker.drain(), 1U); // one write for the thousand wakes
    EXPECT_EQ(waker.drain(), 0U);
    waker.wake();
    waker.wake();
    EXPECT_EQ(waker.drain(), 1U);
}

TEST_F(WakerTest, WakeFromAnotherThreadEndsABlockedSelect) {
    EpollSelector s;
    Waker waker;
    s.register_(waker.fd(), EVENT_READ);
    std::thread waking([&] {
        std::this_thread::sleep_for(50ms); // likely, not necessarily, after select() blocks
        waker.wake();
    });
    std::vector<Ready> out;
    const std::size_t n = s.select(30s, out);
    waking.join();
    ASSERT_EQ(n, 1U);
    EXPECT_EQ(out[0].fd, waker.fd());
    EXPECT_EQ(waker.drain(), 1U);
}

TEST_F(WakerTest, ManyThreadsNoWakeIsLostAndWakesCoalesce) {
    // Producers publish work (here: a count) and wake; the loop selects, drains, then looks.
    // A lost wake-up leaves the loop asleep with work published: its select() times out.
    constexpr int kThreads = 4;
    constexpr int kPerThread = 20000;
    constexpr std::uint64_t kTotal = std::uint64_t{kThreads} * kPerThread;
    EpollSelector s;
    Waker waker;
    s.register_(waker.fd(), EVENT_READ);
    std::atomic<std::uint64_t> published{0};

    std::vector<std::thread> producers;
    for (int t = 0; t < kThreads; ++t) {
        producers.emplace_back([&] {
            for (int i = 0; i < kPerThread; ++i) {
                // Relaxed: the waker's release/acquire orders it before the loop's look.
                published.fetch_add(1, std::memory_order_relaxed);
                waker.wake();
            }
        });
    }

    std::uint64_t seen = 0;
    std::uint64_t readable = 0; // selects that found the waker ready
    std::uint64_t drains = 0;
    std::uint64_t writes = 0; // eventfd writes, as drain() counts them
    std::vector<Ready> out;
    bool lost = false;
    while (seen < kTotal) {
        if (s.select(10s, out) == 0) {
            lost = true; // nothing woke us, though work is due
            break;
        }
        ++readable;
        writes += waker.drain();
        ++drains;
        seen = published.load(std::memory_order_relaxed);
    }
    for (auto& producer : producers) {
        producer.join();
    }
    writes += waker.drain(); // wakes after the last look
    ++drains;

    ASSERT_FALSE(lost) << "a wake-up was lost: " << seen << " of " << kTotal << " seen";
    EXPECT_EQ(seen, kTotal);
    // Coalescing: only the first wake after a drain writes, so writes <= drains + 1, however
    // the threads interleave; and each select that found the fd readable drained a write.
    EXPECT_LE(writes, drains + 1);
    EXPECT_LE(readable, writes);
    EXPECT_LE(writes, kTotal);
    std::printf("%llu wakes: %llu eventfd writes, %llu times readable\n",
                static_cast<unsigned long long>(kTotal), static_cast<unsigned long long>(writes),
                static_cast<unsigned long long>(readable));
}

TEST_F(WakerTest, PingPongLosesNoWake) {
    // One wake per round, each waiting for the loop to see it: wakes land before, during and
    // after drains, every way round. A lost one times out the loop's select().
    constexpr int kRounds = 2000;
    EpollSelector s;
    Waker waker;
    s.register_(waker.fd(), EVENT_READ);
    std::atomic<int> sent{0};
    std::atomic<int> acknowledged{0};
    std::atomic<bool> stop{false};

    std::thread producer([&] {
        for (int round = 1; round <= kRounds && !stop.load(); ++round) {
            sent.store(round, std::memory_order_relaxed);
            waker.wake();
            const auto give_up = std::chrono::steady_clock::now() + 20s;
            while (acknowledged.load() < round && !stop.load()) {
                if (std::chrono::steady_clock::now() > give_up) {
                    return;
                }
                std::this_thread::yield();
            }
        }
    });

    std::vector<Ready> out;
    int timeouts = 0;
    while (acknowledged.load() < kRounds) {
        if (s.select(10s, out) == 0) {
            ++timeouts;
            break;
        }
        waker.drain();
        acknowledged.store(sent.load(std::memory_order_relaxed));
    }
    stop = true;
    producer.join();
    EXPECT_EQ(timeouts, 0) << "a wake-up was lost after round " << acknowledged.load();
    EXPECT_EQ(acknowledged.load(), kRounds);
}

namespace {

Waker* signal_waker = nullptr;

extern "C" void wake_from_signal(int) {
    signal_waker->wake();
}

} // namespace

TEST_F(WakerTest, WakeFromASignalHandler) {
    EpollSelector s;
    Waker waker;
    signal_waker = &waker;
    s.register_(waker.fd(), EVENT_READ);

    struct sigaction action {};
    action.sa_handler = wake_from_signal;
    sigemptyset(&action.sa_mask);
    struct sigaction previous {};
    ASSERT_EQ(::sigaction(SIGUSR2, &action, &previous), 0);
    ::raise(SIGUSR2); // runs the handler before returning
    ::sigaction(SIGUSR2, &previous, nullptr);
    signal_waker = nullptr;

    std::vector<Ready> out;
    EXPECT_EQ(s.select(5s, out), 1U);
    EXPECT_EQ(waker.drain(), 1U);
}

TEST_F(WakerTest, WakeKeepsErrnoWhenTheWriteFails) {
    // A signal handler must leave errno as it found it. Fill the eventfd's counter to its
    // maximum so that wake()'s write fails (EAGAIN), and check that errno is untouched.
    Waker waker;
    const std::uint64_t most = 0xfffffffffffffffe;
    ASSERT_EQ(::write(waker.fd(), &most, sizeof most), static_cast<ssize_t>(sizeof most));
    errno = ENOTTY;
    waker.wake();
    EXPECT_EQ(errno, ENOTTY);
    EXPECT_EQ(waker.drain(), most);
    waker.wake(); // the failed write did not leave the waker stuck
    EXPECT_EQ(waker.drain(), 1U);
}
