// Queue.shutdown (Python 3.13), for Queue, LifoQueue and PriorityQueue, after CPython's
// test_shutdown_* tests.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <concur/queue.hpp>
#include <concur/threading/event.hpp>

#include "queue/helpers.hpp"

namespace queue_test {
namespace {

using concur::queue::ShutDown;

template <class Kind>
class Shutdown : public ::testing::Test {};
using Kinds = ::testing::Types<FifoKind, LifoKind, PriorityKind>;
TYPED_TEST_SUITE(Shutdown, Kinds);

/// Checks that get() on the shut-down, empty queue `q` throws ShutDown at once, blocking or not.
template <class Q>
void expect_get_shut_down(Q& q) {
    EXPECT_THROW(q.get_nowait(), ShutDown);
    const auto took = time_of([&] { EXPECT_THROW(q.get(true, kBlockTimeout), ShutDown); });
    EXPECT_LT(took, kPrompt) << "get() waited on a shut-down, empty queue";
}

/// Joins each of `threads`, which the test has by now released from `call`: each must end
/// within kPrompt.
void expect_released(std::vector<std::unique_ptr<Background>>& threads, const char* call) {
    for (auto& t : threads) {
        EXPECT_TRUE(t->wait(kPrompt)) << call << " not released";
        t->join();
    }
}

TYPED_TEST(Shutdown, EmptyQueue) {
    QueueOf<TypeParam, std::string> q;
    q.shutdown();
    EXPECT_THROW(q.put("data"), ShutDown);
    expect_get_shut_down(q);
}

TYPED_TEST(Shutdown, NonEmptyQueueIsDrainedFirst) {
    QueueOf<TypeParam, std::string> q;
    q.put("data");
    q.shutdown();
    EXPECT_EQ(q.get_nowait(), "data");
    expect_get_shut_down(q);
}

TYPED_TEST(Shutdown, ImmediateDiscardsItems) {
    QueueOf<TypeParam, std::string> q;
    q.put("data");
    q.put("more");
    q.shutdown(true);
    EXPECT_EQ(q.qsize(), 0u);
    EXPECT_EQ(q.unfinished_tasks(), 0u);
    expect_get_shut_down(q);
}

TYPED_TEST(Shutdown, AllowedTransitions) {
    QueueOf<TypeParam> q;
    EXPECT_FALSE(q.is_shutdown());
    q.shutdown();
    EXPECT_TRUE(q.is_shutdown());
    q.shutdown(true);
    EXPECT_TRUE(q.is_shutdown());
    q.shutdown(false);
    EXPECT_TRUE(q.is_shutdown());
}

// CPython's _shutdown_all_methods_in_one_thread.
TYPED_TEST(Shutdown, AllMethodsInOneThread) {
    QueueOf<TypeParam, std::string> q(2);
    q.put("L");
    q.put_nowait("O");
    q.shutdown();
    // ShutDown, not Full, though the queue is full.
    EXPECT_THROW(q.put_nowait("W"), ShutDown);
    EXPECT_THROW(q.put("E", true, 1s), ShutDown);
    std::vector<std::string> got{q.get_nowait(), q.get_nowait()};
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, (std::vector<std::string>{"L", "O"}));
    q.task_done();
    q.task_done();
    EXPECT_TRUE(q.join(0s));
    expect_get_shut_down(q);
    EXPECT_THROW(q.get(true, 1s), ShutDown);
}

TYPED_TEST(Shutdown, ImmediateAllMethodsInOneThread) {
    QueueOf<TypeParam, std::string> q(2);
    q.put("L");
    q.put_nowait("O");
    q.shutdown(true);
    EXPECT_THROW(q.put("E"), ShutDown);
    EXPECT_THROW(q.put_nowait("W"), ShutDown);
    expect_get_shut_down(q);
    EXPECT_THROW(q.task_done(), concur::ValueError);
    EXPECT_TRUE(q.join(0s));
}

TYPED_TEST(Shutdown, ReleasesBlockedGetters) {
    for (const bool immediate : {false, true}) {
        QueueOf<TypeParam> q;
        std::atomic<int> shut_down{0};
        std::vector<std::unique_ptr<Background>> getters;
        for (int i = 0; i < 3; ++i) {
            // One getter waits without a timeout, the others with one: both paths must wake.
            getters.push_back(std::make_unique<Background>([&q, &shut_down, i] {
                const concur::Timeout timeout =
                    i == 0 ? std::nullopt : concur::Timeout(kBlockTimeout);
                EXPECT_THROW(q.get(true, timeout), ShutDown);
                ++shut_down;
            }));
        }
        let_threads_block();
        q.shutdown(immediate);
        expect_released(getters, "get()");
        EXPECT_EQ(shut_down.load(), 3);
    }
}

TYPED_TEST(Shutdown, ReleasesBlockedPutters) {
    for (const bool immediate : {false, true}) {
        QueueOf<TypeParam> q(2);
        q.put(1);
        q.put(2);
        std::atomic<int> shut_down{0};
        std::vector<std::unique_ptr<Background>> putters;
        for (int i = 0; i < 2; ++i) {
            putters.push_back(std::make_unique<Background>([&q, &shut_down, i] {
                // One putter waits without a timeout, the other with one.
                EXPECT_THROW(
                    q.put(10 + i, true, i == 0 ? std::nullopt : concur::Timeout(kBlockTimeout)),
                    ShutDown);
                ++shut_down;
            }));
        }
        let_threads_block();
        q.shutdown(immediate);
        expect_released(putters, "put()");
        EXPECT_EQ(shut_down.load(), 2);
        EXPECT_EQ(q.qsize(), immediate ? 0u : 2u) << "the putters' items never went in";
    }
}

// CPython's _shutdown_get: three getters on a queue of two items after shutdown(): two get an
// item, one gets ShutDown. After shutdown(immediate=True), all get ShutDown.
TYPED_TEST(Shutdown, GettersDrainThenGetShutDown) {
    for (const bool immediate : {false, true}) {
        QueueOf<TypeParam, std::string> q(2);
        q.put("Y");
        q.put("D");
        concur::threading::Event go;
        std::atomic<int> items{0};
        std::atomic<int> shut_down{0};
        std::vector<std::unique_ptr<Background>> getters;
        for (int i = 0; i < 3; ++i) {
            getters.push_back(std::make_unique<Background>([&] {
                ASSERT_TRUE(go.wait(kPrompt));
                try {
                    q.get(true, kPrompt);
                    ++items;
                } catch (const ShutDown&) {
                    ++shut_down;
                }
            }));
        }
        q.shutdown(immediate);
        go.set();
        for (auto& g : getters) {
            g->join();
        }
        EXPECT_EQ(items.load(), immediate ? 0 : 2);
        EXPECT_EQ(shut_down.load(), immediate ? 3 : 1);
    }
}

// CPython's _shutdown_join: join() returns once every task is done. After shutdown(), the
// consumers finish the work; after shutdown(immediate=True), discarding the items does.
TYPED_TEST(Shutdown, JoinReleased) {
    for (const bool immediate : {false, true}) {
        QueueOf<TypeParam, std::string> q;
        q.put("Y");
        std::vector<std::unique_ptr<Background>> threads;
        for (int i = 0; i < 2; ++i) {
            threads.push_back(
                std::make_unique<Background>([&] { EXPECT_TRUE(q.join(kBlockTimeout)); }));
        }
        if (!immediate) {
            threads.push_back(std::make_unique<Background>([&] {
                EXPECT_EQ(q.get(true, kPrompt), "Y");
                q.task_done();
            }));
        }
        let_threads_block();
        q.shutdown(immediate);
        expect_released(threads, "join()");
        EXPECT_EQ(q.unfinished_tasks(), 0u);
    }
}

// CPython's _shutdown_put_join.
TYPED_TEST(Shutdown, PutAndJoin) {
    for (const bool immediate : {false, true}) {
        QueueOf<TypeParam, std::string> q(2);
        q.put("Y");
        concur::threading::Event go;
        Background putter([&] {
            ASSERT_TRUE(go.wait(kPrompt));
            EXPECT_THROW(q.put("E"), ShutDown);
        });
        Background joiner([&] { EXPECT_TRUE(q.join(kBlockTimeout)); });
        EXPECT_EQ(q.unfinished_tasks(), 1u);
        q.shutdown(immediate);
        go.set();
        if (immediate) {
            EXPECT_THROW(q.get_nowait(), ShutDown);
        } else {
            EXPECT_EQ(q.get_nowait(), "Y");
            q.task_done();
        }
        putter.join();
        EXPECT_TRUE(joiner.wait(kPrompt)) << "join() not released";
        joiner.join();
    }
}

// CPython's test_shutdown_get_task_done_join.
TYPED_TEST(Shutdown, GetTaskDoneJoin) {
    QueueOf<TypeParam, std::string> q(2);
    q.put("Y");
    q.put("D");
    EXPECT_EQ(q.unfinished_tasks(), q.qsize());
    concur::threading::Event go;
    std::vector<std::unique_ptr<Background>> threads;
    for (int i = 0; i < 2; ++i) {
        threads.push_back(std::make_unique<Background>([&] {
            ASSERT_TRUE(go.wait(kPrompt));
            q.get(true, kPrompt);
            q.task_done();
        }));
        threads.push_back(
            std::make_unique<Background>([&] { EXPECT_TRUE(q.join(kBlockTimeout)); }));
    }
    go.set();
    q.shutdown(false);
    expect_released(threads, "get() or join()");
}

// shutdown(immediate=True) marks done only the items it discards: items already taken still
// need their task_done() before join() returns.
TYPED_TEST(Shutdown, ImmediateLeavesTakenItemsUnfinished) {
    QueueOf<TypeParam> q;
    q.put(1);
    q.put(2);
    q.put(3);
    q.get_nowait();
    q.shutdown(true);
    EXPECT_EQ(q.unfinished_tasks(), 1u);
    EXPECT_FALSE(q.join(20ms));
    expect_blocks_until([&] { EXPECT_TRUE(q.join(kBlockTimeout)); }, [&] { q.task_done(); });
    EXPECT_THROW(q.task_done(), concur::ValueError);
}

// task_done() may run ahead of the items still queued; discarding them then never takes the
// count below zero.
TYPED_TEST(Shutdown, ImmediateNeverTakesTaskCountBelowZero) {
    QueueOf<TypeParam> q;
    q.put(1);
    q.put(2);
    q.task_done();
    q.task_done();
    q.shutdown(true);
    EXPECT_EQ(q.unfinished_tasks(), 0u);
    EXPECT_EQ(q.qsize(), 0u);
    EXPECT_TRUE(q.join(0s));
}

TYPED_TEST(Shutdown, ImmediateDestroysMoveOnlyItems) {
    auto item = std::make_shared<int>(7);
    std::weak_ptr<int> watch = item;
    QueueOf<TypeParam, std::unique_ptr<std::shared_ptr<int>>> q;
    q.put(std::make_unique<std::shared_ptr<int>>(std::move(item)));
    EXPECT_FALSE(watch.expired());
    q.shutdown(true);
    EXPECT_TRUE(watch.expired());
}

// CPython's _shutdown_all_methods_in_many_threads, with an exact account: writers put until
// ShutDown, readers get until ShutDown, and a shutdown lands in the middle. Every item a
// writer put was either gotten exactly once or, for shutdown(immediate=True), discarded.
TYPED_TEST(Shutdown, ManyThreads) {
    constexpr int kWriters = 4;
    constexpr int kReaders = 4;
    constexpr int kPerWriter = 4000;
    for (const bool immediate : {false, true}) {
        QueueOf<TypeParam> q(16);
        concur::threading::Event halfway;
        std::vector<std::vector<int>> put(kWriters);
        std::vector<std::vector<int>> got(kReaders);
        std::vector<std::unique_ptr<Background>> threads;
        for (int w = 0; w < kWriters; ++w) {
            threads.push_back(std::make_unique<Background>([&, w] {
                auto& mine = put[static_cast<std::size_t>(w)];
                try {
                    for (int i = 0; i < kPerWriter; ++i) {
                        q.put(w * kPerWriter + i, true, kPrompt);
                        mine.push_back(w * kPerWriter + i);
                        if (i == kPerWriter / 2) {
                            halfway.set();
                        }
                    }
                } catch (const ShutDown&) {
                }
            }));
        }
        for (int r = 0; r < kReaders; ++r) {
            threads.push_back(std::make_unique<Background>([&, r] {
                auto& mine = got[static_cast<std::size_t>(r)];
                try {
                    while (true) {
                        mine.push_back(q.get(true, kPrompt));
                        q.task_done();
                    }
                } catch (const ShutDown&) {
                }
            }));
        }
        ASSERT_TRUE(halfway.wait(kPrompt));
        q.shutdown(immediate);
        for (auto& t : threads) {
            t->join();
        }
        std::vector<int> all_put;
        std::vector<int> all_got;
        for (const auto& v : put) {
            all_put.insert(all_put.end(), v.begin(), v.end());
        }
        for (const auto& v : got) {
            all_got.insert(all_got.end(), v.begin(), v.end());
        }
        std::sort(all_put.begin(), all_put.end());
        std::sort(all_got.begin(), all_got.end());
        EXPECT_EQ(std::adjacent_find(all_got.begin(), all_got.end()), all_got.end())
            << "an item was gotten twice";
        EXPECT_TRUE(std::includes(all_put.begin(), all_put.end(), all_got.begin(), all_got.end()))
            << "an item was gotten that was never put";
        if (!immediate) {
            EXPECT_EQ(all_got, all_put) << "shutdown() must let the readers drain every item";
        }
        EXPECT_TRUE(q.empty());
        EXPECT_EQ(q.unfinished_tasks(), 0u);
    }
}

} // namespace
} // namespace queue_test
