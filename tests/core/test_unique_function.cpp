// UniqueFunction: a move-only callable wrapper.
#include <concur/core.hpp>
#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>

using concur::UniqueFunction;

TEST(UniqueFunction, EmptyByDefault) {
    UniqueFunction<void()> f;
    EXPECT_FALSE(f);
    UniqueFunction<void()> g = nullptr;
    EXPECT_FALSE(g);
}

TEST(UniqueFunction, HoldsAMoveOnlyCapture) {
    auto p = std::make_unique<int>(41);
    UniqueFunction<int()> f = [p = std::move(p)] { return *p + 1; };
    ASSERT_TRUE(f);
    EXPECT_EQ(f(), 42);
}

TEST(UniqueFunction, PassesArguments) {
    UniqueFunction<std::string(const std::string&, int)> f = [](const std::string& s, int n) {
        std::string out;
        for (int i = 0; i < n; ++i) {
            out += s;
        }
        return out;
    };
    EXPECT_EQ(f("ab", 3), "ababab");
}

TEST(UniqueFunction, LargeCallablesGoToTheHeapAndStillWork) {
    std::array<long, 32> big{};
    big[31] = 7;
    UniqueFunction<long()> f = [big] { return big[31]; };
    UniqueFunction<long()> g = std::move(f);
    EXPECT_FALSE(f); // NOLINT(bugprone-use-after-move): moved-from is empty, by contract
    EXPECT_EQ(g(), 7);
}

TEST(UniqueFunction, MoveAssignmentDestroysTheOldCallable) {
    auto counter = std::make_shared<int>(0);
    UniqueFunction<void()> f = [counter] { ++*counter; };
    EXPECT_EQ(counter.use_count(), 2);
    f = [] {};
    EXPECT_EQ(counter.use_count(), 1);
    f.reset();
    EXPECT_FALSE(f);
}

TEST(UniqueFunction, DestroysWhatItHolds) {
    auto counter = std::make_shared<int>(0);
    {
        UniqueFunction<void()> f = [counter] {};
        EXPECT_EQ(counter.use_count(), 2);
    }
    EXPECT_EQ(counter.use_count(), 1);
}
