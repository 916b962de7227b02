// The futex wrapper every blocking primitive parks on.
#include <concur/core.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace std::chrono_literals;

TEST(Futex, ReturnsAtOnceWhenTheWordDiffers) {
    std::atomic<std::uint32_t> word{1};
    EXPECT_TRUE(concur::futex::wait(word, 0, concur::Deadline::after(10s)));
}

TEST(Futex, TimesOut) {
    std::atomic<std::uint32_t> word{0};
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(concur::futex::wait(word, 0, concur::Deadline::after(30ms)));
    EXPECT_GE(std::chrono::steady_clock::now() - start, 30ms);
}

TEST(Futex, AnExpiredDeadlineDoesNotSleep) {
    std::atomic<std::uint32_t> word{0};
    EXPECT_FALSE(concur::futex::wait(word, 0, concur::Deadline::after(0s)));
}

TEST(Futex, WakeReleasesAWaiter) {
    std::atomic<std::uint32_t> word{0};
    std::thread waiter([&] {
        while (word.load() == 0) {
            concur::futex::wait(word, 0, concur::Deadline::after(10s));
        }
    });
    std::this_thread::sleep_for(10ms);
    word.store(1);
    concur::futex::wake_all(word);
    waiter.join();
    EXPECT_EQ(word.load(), 1u);
}
