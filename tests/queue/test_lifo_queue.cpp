// queue.LifoQueue: last in, first out, plus the behaviour every queue kind shares.
#include <gtest/gtest.h>

#include <vector>

#include <concur/queue/lifo_queue.hpp>

#include "queue/common_suite.hpp"
#include "queue/helpers.hpp"

namespace queue_test {
namespace {

using concur::queue::LifoQueue;

INSTANTIATE_TYPED_TEST_SUITE_P(LifoQueue, QueueCommon, LifoKind);

TEST(LifoQueue, LastInFirstOut) {
    LifoQueue<int> q(kQueueSize);
    expect_order_twice(q, {222, 333, 111});
}

TEST(LifoQueue, InterleavedPutsAndGets) {
    LifoQueue<int> q;
    q.put(1);
    q.put(2);
    EXPECT_EQ(q.get_nowait(), 2);
    q.put(3);
    EXPECT_EQ(q.get_nowait(), 3);
    EXPECT_EQ(q.get_nowait(), 1);
}

TEST(LifoQueue, BlockedPutterGoesOnTop) {
    LifoQueue<int> q(2);
    q.put(1);
    q.put(2);
    expect_blocks_until([&] { q.put(3); }, [&] { EXPECT_EQ(q.get_nowait(), 2); });
    EXPECT_EQ(drain(q), (std::vector<int>{3, 1}));
}

} // namespace
} // namespace queue_test
