// Deadlines computed from Python-style timeouts.
#include <concur/core.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>

using namespace std::chrono_literals;
using concur::Clock;
using concur::Deadline;

TEST(Deadline, NulloptIsNever) {
    const Deadline d = Deadline::after(std::nullopt);
    EXPECT_TRUE(d.is_never());
    EXPECT_FALSE(d.expired());
    EXPECT_FALSE(d.remaining().has_value());
}

TEST(Deadline, DefaultIsNever) {
    EXPECT_TRUE(Deadline().is_never());
}

TEST(Deadline, ZeroAndNegativeHaveAlreadyPassed) {
    EXPECT_TRUE(Deadline::after(0s).expired());
    EXPECT_TRUE(Deadline::after(-1s).expired());
    EXPECT_EQ(Deadline::after(-1s).remaining()->count(), 0.0);
}

TEST(Deadline, AcceptsEveryDurationType) {
    const auto before = Clock::now();
    const Deadline ms = Deadline::after(250ms);
    const Deadline fractional = Deadline::after(std::chrono::duration<double>(0.25));
    EXPECT_GE(ms.when(), before + 250ms);
    EXPECT_GE(fractional.when(), before + 250ms);
    EXPECT_LT(ms.when(), Clock::now() + 250ms + 1s);
}

TEST(Deadline, RemainingShrinksAndExpires) {
    const Deadline d = Deadline::after(20ms);
    EXPECT_LE(d.remaining()->count(), 0.020);
    std::this_thread::sleep_for(30ms);
    EXPECT_TRUE(d.expired());
    EXPECT_EQ(d.remaining()->count(), 0.0);
}

TEST(Deadline, BeyondTimeoutMaxIsNever) {
    EXPECT_TRUE(Deadline::after(std::chrono::duration<double>(concur::TIMEOUT_MAX * 2)).is_never());
}

TEST(Deadline, NanIsValueError) {
    EXPECT_THROW(Deadline::after(std::chrono::duration<double>(std::nan(""))), concur::ValueError);
}

TEST(Deadline, AtKeepsTheTimePoint) {
    const auto when = Clock::now() + 5s;
    EXPECT_EQ(Deadline::at(when).when(), when);
    EXPECT_FALSE(Deadline::at(when).is_never());
}
