// queue.Queue: FIFO order, plus the behaviour every queue kind shares (common_suite.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <concur/queue/queue.hpp>

#include "queue/common_suite.hpp"
#include "queue/helpers.hpp"

namespace queue_test {
namespace {

using concur::queue::Queue;

INSTANTIATE_TYPED_TEST_SUITE_P(Queue, QueueCommon, FifoKind);

TEST(Queue, FirstInFirstOut) {
    Queue<int> q(kQueueSize);
    expect_order_twice(q, {111, 333, 222});
}

TEST(Queue, OrderKeptBetweenOneProducerAndOneConsumer) {
    Queue<int> q(3);
    std::vector<int> received;
    Background consumer([&] {
        for (int i = 0; i < 1000; ++i) {
            received.push_back(q.get(true, kPrompt));
        }
    });
    std::vector<int> sent;
    for (int i = 0; i < 1000; ++i) {
        q.put(i, true, kPrompt);
        sent.push_back(i);
    }
    consumer.join();
    EXPECT_EQ(received, sent);
}

TEST(Queue, BlockedPutterGoesInBehindTheItemsAhead) {
    Queue<int> q(2);
    q.put(1);
    q.put(2);
    expect_blocks_until([&] { q.put(3); }, [&] { EXPECT_EQ(q.get_nowait(), 1); });
    EXPECT_EQ(drain(q), (std::vector<int>{2, 3}));
}

// CPython checks a put's timeout only on a bounded queue, where it could make the put wait.
TEST(Queue, UnboundedPutIgnoresTimeout) {
    Queue<int> q;
    q.put(1, true, -1s);
    EXPECT_EQ(q.qsize(), 1u);
}

TEST(Queue, NanTimeoutIsValueError) {
    Queue<int> q(1);
    const Seconds nan(std::numeric_limits<double>::quiet_NaN());
    EXPECT_THROW(q.get(true, nan), concur::ValueError);
    q.put(1);
    EXPECT_THROW(q.put(2, true, nan), concur::ValueError);
}

TEST(Queue, ExceptionsAreRuntimeErrors) {
    static_assert(std::is_base_of_v<std::runtime_error, concur::queue::Empty>);
    static_assert(std::is_base_of_v<std::runtime_error, concur::queue::Full>);
    static_assert(std::is_base_of_v<std::runtime_error, concur::queue::ShutDown>);
    Queue<int> q(1);
    try {
        q.get_nowait();
        FAIL() << "no Empty";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "queue is empty");
    }
    q.put(1);
    try {
        q.put_nowait(2);
        FAIL() << "no Full";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "queue is full");
    }
}

TEST(Queue, IsNeitherCopyableNorMovable) {
    static_assert(!std::is_copy_constructible_v<Queue<int>>);
    static_assert(!std::is_move_constructible_v<Queue<int>>);
    static_assert(!std::is_convertible_v<int, Queue<int>>, "the maxsize constructor is explicit");
}

} // namespace
} // namespace queue_test
