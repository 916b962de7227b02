// queue.PriorityQueue: lowest entry first (as heapq), plus the behaviour every queue kind shares.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <concur/queue/priority_queue.hpp>

#include "queue/common_suite.hpp"
#include "queue/helpers.hpp"

namespace queue_test {
namespace {

using concur::queue::PriorityQueue;

INSTANTIATE_TYPED_TEST_SUITE_P(PriorityQueue, QueueCommon, PriorityKind);

TEST(PriorityQueue, LowestFirst) {
    PriorityQueue<int> q(kQueueSize);
    expect_order_twice(q, {111, 222, 333});
}

TEST(PriorityQueue, ManyItemsComeOutSorted) {
    PriorityQueue<int> q;
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> value(-500, 500); // duplicates included
    std::vector<int> sent;
    for (int i = 0; i < 2000; ++i) {
        sent.push_back(value(rng));
        q.put(sent.back());
        if (i % 7 == 0) {
            // Interleaved gets keep returning the smallest item still in the queue.
            const auto smallest = std::min_element(sent.begin(), sent.end());
            EXPECT_EQ(q.get_nowait(), *smallest);
            sent.erase(smallest);
        }
    }
    std::sort(sent.begin(), sent.end());
    EXPECT_EQ(drain(q), sent);
}

TEST(PriorityQueue, PriorityDataPairs) {
    PriorityQueue<std::pair<int, std::string>> q;
    q.put({3, "low"});
    q.put({1, "urgent"});
    q.put({2, "normal"});
    q.put({1, "also urgent"}); // equal priorities: the data decides, as in Python
    EXPECT_EQ(q.get_nowait(), std::make_pair(1, std::string("also urgent")));
    EXPECT_EQ(q.get_nowait().second, "urgent");
    EXPECT_EQ(q.get_nowait().second, "normal");
    EXPECT_EQ(q.get_nowait().second, "low");
}

TEST(PriorityQueue, TuplesWithCounterKeepInsertionOrderAmongEquals) {
    // Python's recipe for stable priorities: (priority, count, data).
    PriorityQueue<std::tuple<int, int, std::string>> q;
    int count = 0;
    for (const char* name : {"a", "b", "c"}) {
        q.put({5, count++, name});
    }
    q.put({0, count++, "first"});
    EXPECT_EQ(std::get<2>(q.get_nowait()), "first");
    EXPECT_EQ(std::get<2>(q.get_nowait()), "a");
    EXPECT_EQ(std::get<2>(q.get_nowait()), "b");
    EXPECT_EQ(std::get<2>(q.get_nowait()), "c");
}

TEST(PriorityQueue, CustomCompare) {
    PriorityQueue<int, std::greater<int>> q;
    for (int x : {2, 9, 4}) {
        q.put(x);
    }
    EXPECT_EQ(drain(q), (std::vector<int>{9, 4, 2}));
}

TEST(PriorityQueue, StatefulCompare) {
    // Orders by distance from a pivot held in the comparator.
    struct ByDistance {
        int pivot;
        bool operator()(int a, int b) const { return std::abs(a - pivot) < std::abs(b - pivot); }
    };
    PriorityQueue<int, ByDistance> q(0, ByDistance{10});
    for (int x : {0, 12, 30, 9}) {
        q.put(x);
    }
    EXPECT_EQ(drain(q), (std::vector<int>{9, 12, 0, 30}));
}

TEST(PriorityQueue, MoveOnlyItemsWithCompare) {
    struct ByValue {
        bool operator()(const std::unique_ptr<int>& a, const std::unique_ptr<int>& b) const {
            return *a < *b;
        }
    };
    PriorityQueue<std::unique_ptr<int>, ByValue> q;
    for (int x : {3, 1, 2}) {
        q.put(std::make_unique<int>(x));
    }
    EXPECT_EQ(*q.get_nowait(), 1);
    EXPECT_EQ(*q.get_nowait(), 2);
    EXPECT_EQ(*q.get_nowait(), 3);
}

TEST(PriorityQueue, BlockedPutterTakesItsPlace) {
    PriorityQueue<int> q(2);
    q.put(5);
    q.put(7);
    expect_blocks_until([&] { q.put(1); }, [&] { EXPECT_EQ(q.get_nowait(), 5); });
    EXPECT_EQ(drain(q), (std::vector<int>{1, 7}));
}

} // namespace
} // namespace queue_test
