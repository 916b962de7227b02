#include "concur/multiprocessing/barrier.hpp"

#include <chrono>
#include <thread>
#include <vector>

#include "concur/multiprocessing/detail/inherited_fds.hpp"
#include "concur/multiprocessing/reduction.hpp"
#include "concur/multiprocessing/sharedctypes.hpp"
#include "multiprocessing/mp_test_util.hpp"

namespace mp = concur::multiprocessing;
using namespace std::chrono_literals;
using concur_test::fork_child;
using concur_test::wait_child;

namespace {

class BarrierTest : public concur_test::NoLeaks {};

// True once one thread waits on `barrier`, false if none does within a generous bound.
bool one_waiting(const mp::Barrier& barrier) {
    for (int i = 0; i < 10000 && barrier.n_waiting() != 1; ++i) {
        std::this_thread::sleep_for(1ms);
    }
    return barrier.n_waiting() == 1;
}

TEST_F(BarrierTest, ProcessesPassTogetherRoundAfterRound) {
    mp::Barrier barrier(3);
    mp::Array<int> indexes(6); // 3 rounds of 2 children
    std::vector<pid_t> pids;
    for (std::size_t child = 0; child < 2; ++child) {
        pids.push_back(fork_child([&, child] {
            for (std::size_t round = 0; round < 3; ++round) {
                indexes[round * 2 + child] = barrier.wait(10s);
            }
            return 0;
        }));
    }
    int mine_sum = 0;
    for (int round = 0; round < 3; ++round) {
        mine_sum += barrier.wait(10s);
    }
    for (pid_t pid : pids) {
        EXPECT_EQ(wait_child(pid), 0);
    }
    // Each round hands out 0, 1 and 2 once.
    int sum = mine_sum;
    for (int i : indexes) {
        sum += i;
    }
    EXPECT_EQ(sum, 3 * (0 + 1 + 2));
    EXPECT_EQ(barrier.n_waiting(), 0);
    EXPECT_FALSE(barrier.broken());
}

TEST_F(BarrierTest, ATimeoutBreaksItForEveryone) {
    EXPECT_THROW(mp::Barrier(0), concur::ValueError);
    mp::Barrier barrier(3);
    const pid_t pid = fork_child([&] {
        try {
            barrier.wait(10s); // the parent's timeout breaks it
        } catch (const mp::BrokenBarrierError&) {
            return 0;
        }
        return 1;
    });
    ASSERT_TRUE(one_waiting(barrier));
    EXPECT_THROW(barrier.wait(20ms), mp::BrokenBarrierError);
    EXPECT_EQ(wait_child(pid), 0);
    EXPECT_TRUE(barrier.broken());
    EXPECT_THROW(barrier.wait(0s), mp::BrokenBarrierError);
    barrier.reset();
    EXPECT_FALSE(barrier.broken());
}

TEST_F(BarrierTest, AbortAndResetReleaseWaiters) {
    mp::Barrier barrier(2, 10s);
    EXPECT_EQ(barrier.parties(), 2);
    bool broke = false;
    std::thread waiter([&] {
        try {
            barrier.wait();
        } catch (const mp::BrokenBarrierError&) {
            broke = true;
        }
    });
    ASSERT_TRUE(one_waiting(barrier));
    barrier.reset();
    waiter.join();
    EXPECT_TRUE(broke);
    EXPECT_FALSE(barrier.broken()); // reset leaves it usable
    barrier.abort();
    EXPECT_TRUE(barrier.broken());
    EXPECT_THROW(barrier.wait(), mp::BrokenBarrierError);
}

TEST_F(BarrierTest, TravelsToASpawnedChild) {
    mp::Barrier barrier(2);
    std::string data;
    {
        mp::detail::LaunchScope scope;
        data = mp::dumps(barrier);
        mp::detail::set_inherited_fds(scope.fds());
    }
    auto child_barrier = mp::loads<mp::Barrier>(data);
    mp::detail::set_inherited_fds({});
    int child_index = -1;
    std::thread child([&] { child_index = child_barrier.wait(10s); });
    const int index = barrier.wait(10s);
    child.join();
    EXPECT_EQ(index + child_index, 1);
}

} // namespace
