#include "concur/multiprocessing/queues.hpp"

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "concur/multiprocessing/detail/inherited_fds.hpp"
#include "concur/multiprocessing/synchronize.hpp"
#include "multiprocessing/mp_test_util.hpp"

namespace mp = concur::multiprocessing;
using namespace std::chrono_literals;
using concur_test::fork_child;
using concur_test::wait_child;

namespace {

class Queues : public concur_test::NoLeaks {};

TEST_F(Queues, PutThenGetInOneProcess) {
    mp::Queue<std::string> q;
    q.put("a");
    q.put("b");
    EXPECT_EQ(q.get(), "a");
    EXPECT_EQ(q.get(true, 10s), "b");
    EXPECT_EQ(q.qsize(), 0);
}

TEST_F(Queues, AnObjectLargerThanThePipeDoesNotBlockPut) {
    mp::Queue<std::string> q;
    const std::string big(4 << 20, 'q');
    q.put(big); // returns at once: the feeder thread writes it while we read
    q.put("small");
    EXPECT_EQ(q.get(), big);
    EXPECT_EQ(q.get(), "small");
}

TEST_F(Queues, GetTimesOutWithEmpty) {
    mp::Queue<int> q;
    EXPECT_TRUE(q.empty());
    EXPECT_THROW((void)q.get(true, 10ms), concur::queue::Empty);
    EXPECT_THROW((void)q.get_nowait(), concur::queue::Empty);
    EXPECT_THROW((void)q.get(false), concur::queue::Empty);
}

TEST_F(Queues, MaxsizeAndFull) {
    mp::Queue<int> q(2);
    q.put(1);
    q.put_nowait(2);
    EXPECT_TRUE(q.full());
    EXPECT_EQ(q.qsize(), 2);
    EXPECT_THROW(q.put(3, true, 10ms), concur::queue::Full);
    EXPECT_THROW(q.put_nowait(3), concur::queue::Full);
    EXPECT_EQ(q.get(), 1);
    EXPECT_FALSE(q.full());
    q.put(3, true, 1s);
    EXPECT_EQ(q.get(), 2);
    EXPECT_EQ(q.get(), 3);
}

TEST_F(Queues, ProducersAndConsumersInForkedChildren) {
    mp::Queue<int> q;
    mp::Queue<long> results;
    constexpr int kProducers = 2;
    constexpr int kItems = 500;
    std::vector<pid_t> pids;
    for (int p = 0; p < kProducers; ++p) {
        pids.push_back(fork_child([&, p] {
            for (int i = 0; i < kItems; ++i) {
                q.put(p * kItems + i);
            }
            q.close();
            q.join_thread(); // everything is in the pipe before the child exits
            return 0;
        }));
    }
    pids.push_back(fork_child([&] {
        long sum = 0;
        for (int i = 0; i < kProducers * kItems; ++i) {
            sum += q.get(true, 10s);
        }
        results.put(sum);
        results.close();
        results.join_thread();
        return 0;
    }));
    const long n = static_cast<long>(kProducers) * kItems;
    EXPECT_EQ(results.get(true, 20s), (n - 1) * n / 2);
    for (pid_t pid : pids) {
        EXPECT_EQ(wait_child(pid), 0);
    }
}

TEST_F(Queues, CloseThenPutOrGetIsValueError) {
    mp::Queue<int> q;
    EXPECT_THROW(q.join_thread(), concur::RuntimeError); // not closed yet
    q.put(1);
    q.close();
    EXPECT_THROW(q.put(2), concur::ValueError);
    EXPECT_THROW((void)q.get(), concur::ValueError);
    q.join_thread();
}

TEST_F(Queues, JoinThreadTimesOutWhileNobodyReads) {
    mp::Queue<std::string> q;
    mp::Event timed_out;
    const pid_t pid = fork_child([&] {
        q.put(std::string(4 << 20, 'j')); // more than the pipe holds
        q.close();
        const bool ended_early = q.join_thread(20ms); // nobody reads yet
        timed_out.set();
        if (!q.join_thread(10s)) { // the parent reads it now
            return 2;
        }
        return ended_early ? 1 : 0;
    });
    ASSERT_TRUE(timed_out.wait(10s));
    EXPECT_EQ(q.get(true, 10s).size(), 4u << 20);
    EXPECT_EQ(wait_child(pid), 0);
}

TEST_F(Queues, AForkedChildPutsWhileTheParentsFeederRuns) {
#if defined(__SANITIZE_THREAD__)
    GTEST_SKIP() << "TSan cannot start a thread (the child's feeder) in a child forked from a "
                    "multi-threaded process";
#endif
    mp::Queue<int> q;
    q.put(1); // starts this process's feeder
    EXPECT_EQ(q.get(true, 10s), 1);
    const pid_t pid = fork_child([&] {
        q.put(2); // a feeder of the child's own
        q.close();
        return q.join_thread(10s) ? 0 : 1;
    });
    EXPECT_EQ(q.get(true, 10s), 2);
    EXPECT_EQ(wait_child(pid), 0);
    q.put(3);
    EXPECT_EQ(q.get(true, 10s), 3);
}

TEST_F(Queues, CancelJoinThreadLetsAQueueGoWithUnreadData) {
    {
        mp::Queue<std::string> q;
        const pid_t pid = fork_child([&] {
            mp::Queue<std::string> copy = q;
            copy.put(std::string(1 << 20, 'x')); // nobody will read it
            copy.cancel_join_thread();
            return 0; // the copy's destructor does not wait for the feeder
        });
        EXPECT_EQ(wait_child(pid), 0);
    }
    // And in this process: the destructor neither waits nor leaks.
    mp::Queue<std::string> q;
    q.put(std::string(1 << 20, 'y'));
    q.cancel_join_thread();
}

TEST_F(Queues, ManyThreadsPutAndGet) {
    mp::Queue<int> q(16);
    std::vector<std::thread> threads;
    std::atomic<long> sum{0};
    for (int t = 0; t < 3; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                q.put(t * 1000 + i, true, 10s);
            }
        });
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                sum += q.get(true, 10s);
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(sum.load(), 3 * 19900 + 200 * (0 + 1000 + 2000));
}

TEST_F(Queues, QueueTravelsToASpawnedChild) {
    mp::Queue<std::string> q;
    std::string data;
    {
        mp::detail::LaunchScope scope;
        data = mp::dumps(q);
        mp::detail::set_inherited_fds(scope.fds());
    }
    {
        auto child_q = mp::loads<mp::Queue<std::string>>(data);
        mp::detail::set_inherited_fds({});
        child_q.put("from the spawned child");
        EXPECT_EQ(q.get(true, 10s), "from the spawned child");
        q.put("to it");
        EXPECT_EQ(child_q.get(true, 10s), "to it");
    }
    EXPECT_THROW((void)mp::dumps(q), concur::RuntimeError);
}

TEST_F(Queues, SimpleQueue) {
    mp::SimpleQueue<std::vector<int>> q;
    EXPECT_TRUE(q.empty());
    q.put({1, 2, 3});
    EXPECT_FALSE(q.empty());
    EXPECT_EQ(q.get(), (std::vector<int>{1, 2, 3}));
    EXPECT_THROW((void)q.get(10ms), concur::queue::Empty);
    const pid_t pid = fork_child([&] {
        q.put({4});
        return 0;
    });
    EXPECT_EQ(q.get(10s), (std::vector<int>{4}));
    EXPECT_EQ(wait_child(pid), 0);
    q.close();
    EXPECT_THROW(q.put({5}), concur::OSError);
    EXPECT_THROW((void)q.get(), concur::OSError);
}

TEST_F(Queues, SimpleQueueLargeObjectNeedsAReader) {
    mp::SimpleQueue<std::string> q;
    const std::string big(2 << 20, 's');
    const pid_t pid = fork_child([&] { return q.get(10s) == big ? 0 : 1; });
    q.put(big); // waits until the child has read enough of it
    EXPECT_EQ(wait_child(pid), 0);
}

TEST_F(Queues, SimpleQueueTravelsToASpawnedChild) {
    mp::SimpleQueue<int> q;
    std::string data;
    {
        mp::detail::LaunchScope scope;
        data = mp::dumps(q);
        mp::detail::set_inherited_fds(scope.fds());
    }
    auto child_q = mp::loads<mp::SimpleQueue<int>>(data);
    mp::detail::set_inherited_fds({});
    child_q.put(9);
    EXPECT_EQ(q.get(10s), 9);
}

} // namespace
