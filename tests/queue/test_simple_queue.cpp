// queue.SimpleQueue, after CPython's BaseSimpleQueueTest.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include <concur/queue/simple_queue.hpp>

#include "queue/helpers.hpp"

namespace queue_test {
namespace {

using concur::queue::Empty;
using concur::queue::SimpleQueue;

TEST(SimpleQueue, Basic) {
    SimpleQueue<int> q;
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.qsize(), 0u);
    q.put(1);
    EXPECT_FALSE(q.empty());
    EXPECT_EQ(q.qsize(), 1u);
    q.put(2);
    q.put_nowait(3);
    q.put(4);
    EXPECT_EQ(q.qsize(), 4u);

    EXPECT_EQ(q.get(true, kPrompt), 1);
    EXPECT_EQ(q.qsize(), 3u);
    EXPECT_EQ(q.get_nowait(), 2);
    EXPECT_EQ(q.get(false), 3);
    EXPECT_EQ(q.get(true, 100ms), 4);
    EXPECT_TRUE(q.empty());

    EXPECT_THROW(q.get(false), Empty);
    EXPECT_THROW(q.get(true, 1ms), Empty);
    EXPECT_THROW(q.get_nowait(), Empty);
    EXPECT_TRUE(q.empty());
}

TEST(SimpleQueue, PutNeverBlocksAndIgnoresItsArguments) {
    SimpleQueue<int> q;
    for (int i = 0; i < 10000; ++i) {
        q.put(i, false, -1s);
    }
    EXPECT_EQ(q.qsize(), 10000u);
}

TEST(SimpleQueue, GetTimesOut) {
    SimpleQueue<int> q;
    expect_times_out<Empty>([&](auto timeout) { q.get(true, timeout); });
}

TEST(SimpleQueue, NegativeTimeoutIsValueError) {
    SimpleQueue<int> q;
    q.put(1);
    try {
        q.get(true, -1s);
        FAIL() << "get accepted a negative timeout";
    } catch (const concur::ValueError& e) {
        EXPECT_STREQ(e.what(), "'timeout' must be a non-negative number");
    }
    EXPECT_EQ(q.get(false, -1s), 1) << "a non-blocking get ignores the timeout";
}

TEST(SimpleQueue, BlockingGetReleasedByPut) {
    SimpleQueue<int> q;
    int got = 0;
    expect_blocks_until([&] { got = q.get(); }, [&] { q.put(5); });
    EXPECT_EQ(got, 5);
    expect_blocks_until([&] { got = q.get(true, kBlockTimeout); }, [&] { q.put(6); });
    EXPECT_EQ(got, 6);
}

TEST(SimpleQueue, MoveOnlyItems) {
    SimpleQueue<std::unique_ptr<int>> q;
    q.put(std::make_unique<int>(1));
    q.put_nowait(std::make_unique<int>(2));
    EXPECT_EQ(*q.get(true, kPrompt), 1);
    EXPECT_EQ(*q.get_nowait(), 2);
}

TEST(SimpleQueue, IsNeitherCopyableNorMovable) {
    static_assert(!std::is_copy_constructible_v<SimpleQueue<int>>);
    static_assert(!std::is_move_constructible_v<SimpleQueue<int>>);
}

// CPython's run_threads: n feeders share one list of inputs and put a sentinel (nullopt) when
// it runs out; n consumers take items until they see a sentinel.
using Item = std::optional<int>;
using Consume = std::function<void(SimpleQueue<Item>&, std::vector<int>&)>;

std::vector<int> run_threads(int n_threads, const std::vector<int>& inputs,
                             const Consume& consume) {
    SimpleQueue<Item> q;
    std::vector<int> seq(inputs.rbegin(), inputs.rend());
    std::mutex seq_mutex;
    std::vector<std::vector<int>> results(static_cast<std::size_t>(n_threads));
    std::vector<std::unique_ptr<Background>> threads;
    for (int i = 0; i < n_threads; ++i) {
        threads.push_back(std::make_unique<Background>([&] {
            while (true) {
                Item next;
                {
                    std::lock_guard lock(seq_mutex);
                    if (!seq.empty()) {
                        next = seq.back();
                        seq.pop_back();
                    }
                }
                q.put(next);
                if (!next) {
                    return;
                }
            }
        }));
        threads.push_back(std::make_unique<Background>(
            [&q, &consume, &mine = results[static_cast<std::size_t>(i)]] { consume(q, mine); }));
    }
    for (auto& t : threads) {
        t->join();
    }
    EXPECT_TRUE(q.empty());
    std::vector<int> all;
    for (const auto& r : results) {
        all.insert(all.end(), r.begin(), r.end());
    }
    return all;
}

void consume_blocking(SimpleQueue<Item>& q, std::vector<int>& results) {
    while (const Item x = q.get(true, kPrompt)) {
        results.push_back(*x);
    }
}

void consume_nonblocking(SimpleQueue<Item>& q, std::vector<int>& results) {
    const auto deadline = std::chrono::steady_clock::now() + kPrompt;
    while (std::chrono::steady_clock::now() < deadline) {
        Item x;
        try {
            x = q.get(false);
        } catch (const Empty&) {
            std::this_thread::yield();
            continue;
        }
        if (!x) {
            return;
        }
        results.push_back(*x);
    }
    FAIL() << "no sentinel arrived";
}

void consume_timeout(SimpleQueue<Item>& q, std::vector<int>& results) {
    const auto deadline = std::chrono::steady_clock::now() + kPrompt;
    while (std::chrono::steady_clock::now() < deadline) {
        Item x;
        try {
            x = q.get(true, 10us);
        } catch (const Empty&) {
            continue;
        }
        if (!x) {
            return;
        }
        results.push_back(*x);
    }
    FAIL() << "no sentinel arrived";
}

std::vector<int> range(int n) {
    std::vector<int> v(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        v[static_cast<std::size_t>(i)] = i;
    }
    return v;
}

TEST(SimpleQueue, OrderWithOneProducerAndOneConsumer) {
    const auto inputs = range(100);
    EXPECT_EQ(run_threads(1, inputs, consume_blocking), inputs);
}

TEST(SimpleQueue, ManyThreads) {
    const auto inputs = range(10000);
    auto results = run_threads(8, inputs, consume_blocking);
    std::sort(results.begin(), results.end());
    EXPECT_EQ(results, inputs);
}

TEST(SimpleQueue, ManyThreadsNonBlocking) {
    const auto inputs = range(10000);
    auto results = run_threads(8, inputs, consume_nonblocking);
    std::sort(results.begin(), results.end());
    EXPECT_EQ(results, inputs);
}

TEST(SimpleQueue, ManyThreadsTimeout) {
    const auto inputs = range(10000);
    auto results = run_threads(8, inputs, consume_timeout);
    std::sort(results.begin(), results.end());
    EXPECT_EQ(results, inputs);
}

} // namespace
} // namespace queue_test
