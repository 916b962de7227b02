// The behaviour Queue, LifoQueue and PriorityQueue share, after CPython's BaseQueueTestMixin.
// Each test_<kind>.cpp instantiates it for its kind; the order items come out in is checked
// there.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <concur/queue.hpp>
#include <concur/threading/thread.hpp>

#include "queue/helpers.hpp"

namespace queue_test {

using concur::queue::Empty;
using concur::queue::Full;

inline constexpr std::size_t kQueueSize = 5;

/// Takes every item out of `q` without blocking, in the order it hands them out.
template <class Q>
auto drain(Q& q) {
    std::vector<decltype(q.get_nowait())> items;
    while (!q.empty()) {
        items.push_back(q.get_nowait());
    }
    return items;
}

/// CPython's test_basic: puts 111, 333 and 222 into `q` and expects them out in `expected`
/// order; twice, so that the second round runs on a queue that has been used.
template <class Q>
void expect_order_twice(Q& q, const std::vector<int>& expected) {
    for (int round = 0; round < 2; ++round) {
        q.put(111);
        q.put(333);
        q.put(222);
        EXPECT_EQ(drain(q), expected);
    }
}

template <class Kind>
class QueueCommon : public ::testing::Test {};
TYPED_TEST_SUITE_P(QueueCommon);

TYPED_TEST_P(QueueCommon, NewQueueIsEmpty) {
    QueueOf<TypeParam> q(kQueueSize);
    EXPECT_TRUE(q.empty());
    EXPECT_FALSE(q.full());
    EXPECT_EQ(q.qsize(), 0u);
    EXPECT_EQ(q.maxsize(), kQueueSize);
    EXPECT_EQ(q.unfinished_tasks(), 0u);
    EXPECT_FALSE(q.is_shutdown());
}

TYPED_TEST_P(QueueCommon, FullAtMaxsize) {
    QueueOf<TypeParam> q(kQueueSize);
    for (int i = 0; i < static_cast<int>(kQueueSize) - 1; ++i) {
        q.put(i);
        EXPECT_FALSE(q.empty());
    }
    EXPECT_FALSE(q.full());
    q.put(10);
    EXPECT_TRUE(q.full());
    EXPECT_EQ(q.qsize(), kQueueSize);
    EXPECT_THROW(q.put(30, false), Full);
    EXPECT_THROW(q.put_nowait(30), Full);
    EXPECT_EQ(q.qsize(), kQueueSize);
    EXPECT_EQ(q.unfinished_tasks(), kQueueSize);
}

TYPED_TEST_P(QueueCommon, UnboundedQueueIsNeverFull) {
    QueueOf<TypeParam> q;
    EXPECT_EQ(q.maxsize(), 0u);
    for (int i = 0; i < 1000; ++i) {
        q.put(i, false);
    }
    EXPECT_FALSE(q.full());
    EXPECT_EQ(q.qsize(), 1000u);
}

TYPED_TEST_P(QueueCommon, PutTimesOutOnFullQueue) {
    QueueOf<TypeParam> q(1);
    q.put(1);
    expect_times_out<Full>([&](auto timeout) { q.put(2, true, timeout); });
    EXPECT_THROW(q.put(2, true, 0s), Full);
    EXPECT_EQ(q.qsize(), 1u);
}

TYPED_TEST_P(QueueCommon, GetTimesOutOnEmptyQueue) {
    QueueOf<TypeParam> q;
    expect_times_out<Empty>([&](auto timeout) { q.get(true, timeout); });
    EXPECT_THROW(q.get(true, 0s), Empty);
    EXPECT_THROW(q.get(false), Empty);
    EXPECT_THROW(q.get_nowait(), Empty);
}

TYPED_TEST_P(QueueCommon, TimedCallsSucceedWhenTheyNeedNotWait) {
    QueueOf<TypeParam> q(1);
    q.put(1, true, 0s);
    EXPECT_EQ(q.get(true, 0s), 1);
    q.put(2, true, 10ms);
    EXPECT_EQ(q.get(true, 10ms), 2);
}

TYPED_TEST_P(QueueCommon, BlockingPutReleasedByGet) {
    QueueOf<TypeParam> q(kQueueSize);
    for (int i = 0; i < static_cast<int>(kQueueSize); ++i) {
        q.put(i);
    }
    expect_blocks_until([&] { q.put(100); }, [&] { q.get_nowait(); });
    expect_blocks_until([&] { q.put(200, true, kBlockTimeout); }, [&] { q.get_nowait(); });
    // Both blocked puts went in (the first may have been gotten again, from a LifoQueue).
    EXPECT_EQ(q.qsize(), kQueueSize);
    EXPECT_EQ(q.unfinished_tasks(), kQueueSize + 2);
    const auto items = drain(q);
    EXPECT_EQ(std::count(items.begin(), items.end(), 200), 1);
}

TYPED_TEST_P(QueueCommon, BlockingGetReleasedByPut) {
    QueueOf<TypeParam> q(kQueueSize);
    int got = 0;
    expect_blocks_until([&] { got = q.get(); }, [&] { q.put(7); });
    EXPECT_EQ(got, 7);
    expect_blocks_until([&] { got = q.get(true, kBlockTimeout); }, [&] { q.put(8); });
    EXPECT_EQ(got, 8);
    EXPECT_TRUE(q.empty());
}

TYPED_TEST_P(QueueCommon, NegativeTimeoutIsValueError) {
    QueueOf<TypeParam> q(kQueueSize);
    try {
        q.put(1, true, -1s);
        FAIL() << "put accepted a negative timeout";
    } catch (const concur::ValueError& e) {
        EXPECT_STREQ(e.what(), "'timeout' must be a non-negative number");
    }
    q.put(1);
    EXPECT_THROW(q.get(true, -1s), concur::ValueError);
    EXPECT_THROW(q.join(-1s), concur::ValueError);
    // Non-blocking calls ignore the timeout, as in CPython.
    EXPECT_EQ(q.get(false, -1s), 1);
    q.put(2, false, -1s);
    EXPECT_EQ(q.qsize(), 1u);
}

TYPED_TEST_P(QueueCommon, NowaitVariants) {
    QueueOf<TypeParam> q(kQueueSize);
    for (std::size_t i = 0; i < kQueueSize; ++i) {
        q.put_nowait(1);
    }
    EXPECT_THROW(q.put_nowait(1), Full);
    for (std::size_t i = 0; i < kQueueSize; ++i) {
        EXPECT_EQ(q.get_nowait(), 1);
    }
    EXPECT_THROW(q.get_nowait(), Empty);
}

TYPED_TEST_P(QueueCommon, TaskDoneTooManyTimes) {
    QueueOf<TypeParam> q;
    try {
        q.task_done();
        FAIL() << "task_done() on a fresh queue did not throw";
    } catch (const concur::ValueError& e) {
        EXPECT_STREQ(e.what(), "task_done() called too many times");
    }
    q.put(1);
    q.get_nowait();
    q.task_done();
    EXPECT_THROW(q.task_done(), concur::ValueError);
    EXPECT_EQ(q.unfinished_tasks(), 0u);
}

TYPED_TEST_P(QueueCommon, JoinTimesOutWhileWorkIsUnfinished) {
    QueueOf<TypeParam> q;
    EXPECT_TRUE(q.join(0s)) << "nothing was put";
    EXPECT_TRUE(q.join(kPrompt));
    q.put(1);
    q.put(2);
    EXPECT_FALSE(q.join(20ms)) << "two items not even gotten";
    q.get_nowait();
    q.get_nowait();
    EXPECT_FALSE(q.join(0s)) << "items gotten but not done";
    q.task_done();
    EXPECT_FALSE(q.join(20ms)) << "one task still unfinished";
    q.task_done();
    EXPECT_TRUE(q.join(0s));
}

TYPED_TEST_P(QueueCommon, JoinReleasedByLastTaskDone) {
    QueueOf<TypeParam> q;
    for (const concur::Timeout timeout : {concur::Timeout(), concur::Timeout(kBlockTimeout)}) {
        q.put(1);
        q.put(2);
        std::size_t unfinished_at_release = 99;
        expect_blocks_until(
            [&] {
                EXPECT_TRUE(q.join(timeout));
                unfinished_at_release = q.unfinished_tasks();
            },
            [&] {
                q.get_nowait();
                q.get_nowait();
                q.task_done();
                q.task_done();
            });
        EXPECT_EQ(unfinished_at_release, 0u);
    }
}

// CPython's queue_join_test: two workers sum the items; join() waits until they have all been
// processed; -1 tells a worker to stop. Done twice on the same queue, with concur's Thread.
TYPED_TEST_P(QueueCommon, JoinWaitsForWorkers) {
    QueueOf<TypeParam> q;
    std::atomic<int> sum{0};
    auto worker = [](QueueOf<TypeParam>& queue, std::atomic<int>& total) {
        while (true) {
            const int x = queue.get(true, kPrompt);
            if (x < 0) {
                queue.task_done();
                return;
            }
            total += x;
            queue.task_done();
        }
    };
    for (int round = 0; round < 2; ++round) {
        sum = 0;
        std::vector<concur::threading::Thread> threads;
        for (int i = 0; i < 2; ++i) {
            threads.emplace_back(worker, std::ref(q), std::ref(sum));
            threads.back().start();
        }
        for (int i = 0; i < 100; ++i) {
            q.put(i);
        }
        ASSERT_TRUE(q.join(kPrompt));
        EXPECT_EQ(sum.load(), 4950) << "join() returned before all tasks were done";
        q.put(-1);
        q.put(-1);
        EXPECT_TRUE(q.join(kPrompt)) << "join twice";
        for (auto& t : threads) {
            EXPECT_TRUE(t.join(kPrompt));
        }
    }
    EXPECT_THROW(q.task_done(), concur::ValueError);
}

// Several producers and consumers on a small bounded queue: every item arrives exactly once.
TYPED_TEST_P(QueueCommon, ProducersAndConsumersDeliverEachItemOnce) {
    constexpr int kProducers = 3;
    constexpr int kConsumers = 3;
    constexpr int kPerProducer = 2000;
    QueueOf<TypeParam> q(4);
    std::vector<std::vector<int>> received(kConsumers);
    std::vector<std::unique_ptr<Background>> consumers;
    for (int c = 0; c < kConsumers; ++c) {
        consumers.push_back(std::make_unique<Background>([&q, &mine = received[std::size_t(c)]] {
            try {
                while (true) {
                    mine.push_back(q.get(true, kPrompt));
                    q.task_done();
                }
            } catch (const concur::queue::ShutDown&) {
                // the queue is drained and shut down: done
            }
        }));
    }
    std::vector<std::unique_ptr<Background>> producers;
    for (int p = 0; p < kProducers; ++p) {
        producers.push_back(std::make_unique<Background>([&q, p] {
            for (int i = 0; i < kPerProducer; ++i) {
                q.put(p * kPerProducer + i, true, kPrompt);
            }
        }));
    }
    for (auto& producer : producers) {
        producer->join();
    }
    EXPECT_TRUE(q.join(kPrompt));
    q.shutdown();
    std::vector<int> all;
    for (int c = 0; c < kConsumers; ++c) {
        consumers[std::size_t(c)]->join();
        all.insert(all.end(), received[std::size_t(c)].begin(), received[std::size_t(c)].end());
    }
    std::sort(all.begin(), all.end());
    std::vector<int> expected;
    for (int i = 0; i < kProducers * kPerProducer; ++i) {
        expected.push_back(i);
    }
    EXPECT_EQ(all, expected);
    EXPECT_EQ(q.unfinished_tasks(), 0u);
}

TYPED_TEST_P(QueueCommon, MoveOnlyItems) {
    QueueOf<TypeParam, std::unique_ptr<int>> q(2);
    q.put(std::make_unique<int>(1));
    q.put_nowait(std::make_unique<int>(2));
    auto third = std::make_unique<int>(3);
    // The uses after std::move below are the point: a put that throws does not move from.
    // NOLINTBEGIN(bugprone-use-after-move)
    EXPECT_THROW(q.put_nowait(std::move(third)), Full);
    ASSERT_NE(third, nullptr) << "a put that failed must leave the item with the caller";
    EXPECT_EQ(*third, 3);
    EXPECT_THROW(q.put(std::move(third), true, 1ms), Full);
    ASSERT_NE(third, nullptr);
    std::vector<int> values;
    values.push_back(*q.get(true, kPrompt));
    q.put(std::move(third));
    EXPECT_EQ(third, nullptr) << "a put that succeeded moves from the item";
    // NOLINTEND(bugprone-use-after-move)
    values.push_back(*q.get_nowait());
    values.push_back(*q.get(true, kPrompt));
    std::sort(values.begin(), values.end());
    EXPECT_EQ(values, (std::vector<int>{1, 2, 3}));
}

TYPED_TEST_P(QueueCommon, CopiedItemsStayWithTheCaller) {
    QueueOf<TypeParam, std::string> q;
    const std::string item = "kept";
    q.put(item);
    q.put_nowait(item);
    EXPECT_EQ(item, "kept");
    EXPECT_EQ(q.get_nowait(), "kept");
}

// CPython's FailingQueueTest: a put that throws while storing the item leaves the queue, and
// its task count, as they were.
TYPED_TEST_P(QueueCommon, FailedPutLeavesQueueUnchanged) {
    QueueOf<TypeParam, Fragile> q(kQueueSize);
    for (int i = 0; i < static_cast<int>(kQueueSize) - 1; ++i) {
        q.put(Fragile(i));
    }
    const Fragile extra(42);
    Fragile::fail_next_copy = true;
    EXPECT_THROW(q.put(extra, false), CopyFailed);
    Fragile::fail_next_copy = true;
    EXPECT_THROW(q.put(extra, true, 100ms), CopyFailed);
    EXPECT_EQ(q.qsize(), kQueueSize - 1);
    EXPECT_EQ(q.unfinished_tasks(), kQueueSize - 1);
    q.put(extra);
    EXPECT_TRUE(q.full());
    std::vector<int> values;
    for (const auto& f : drain(q)) {
        values.push_back(f.value);
    }
    std::sort(values.begin(), values.end());
    EXPECT_EQ(values, (std::vector<int>{0, 1, 2, 3, 42}));
}

REGISTER_TYPED_TEST_SUITE_P(QueueCommon, NewQueueIsEmpty, FullAtMaxsize, UnboundedQueueIsNeverFull,
                            PutTimesOutOnFullQueue, GetTimesOutOnEmptyQueue,
                            TimedCallsSucceedWhenTheyNeedNotWait, BlockingPutReleasedByGet,
                            BlockingGetReleasedByPut, NegativeTimeoutIsValueError, NowaitVariants,
                            TaskDoneTooManyTimes, JoinTimesOutWhileWorkIsUnfinished,
                            JoinReleasedByLastTaskDone, JoinWaitsForWorkers,
                            ProducersAndConsumersDeliverEachItemOnce, MoveOnlyItems,
                            CopiedItemsStayWithTheCaller, FailedPutLeavesQueueUnchanged);

} // namespace queue_test
