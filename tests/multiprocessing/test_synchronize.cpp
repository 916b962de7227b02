#include "concur/multiprocessing/synchronize.hpp"

#include <chrono>
#include <mutex>
#include <thread>

#include "concur/multiprocessing/detail/inherited_fds.hpp"
#include "concur/multiprocessing/reduction.hpp"
#include "multiprocessing/mp_test_util.hpp"

namespace mp = concur::multiprocessing;
using namespace std::chrono_literals;
using concur_test::fork_child;
using concur_test::wait_child;

namespace {

class Synchronize : public concur_test::NoLeaks {};

TEST_F(Synchronize, LockAcquireRelease) {
    mp::Lock lock;
    EXPECT_TRUE(lock.acquire());
    EXPECT_TRUE(lock.locked());
    EXPECT_FALSE(lock.acquire(false));
    EXPECT_FALSE(lock.acquire(true, 10ms));
    lock.release();
    EXPECT_FALSE(lock.locked());
    EXPECT_THROW(lock.release(), concur::ValueError);
    {
        std::scoped_lock guard(lock);
        EXPECT_TRUE(lock.locked());
    }
    EXPECT_FALSE(lock.locked());
}

TEST_F(Synchronize, LockIsSharedWithAForkedChild) {
    mp::Lock lock;
    mp::Event child_holds;
    lock.acquire();
    const pid_t pid = fork_child([&] {
        // Blocks until the parent releases, then holds the lock until told.
        if (!lock.acquire(true, 10s)) {
            return 1;
        }
        child_holds.set();
        std::this_thread::sleep_for(50ms);
        lock.release();
        return 0;
    });
    EXPECT_FALSE(child_holds.wait(20ms)); // the parent still holds it
    lock.release();
    EXPECT_TRUE(child_holds.wait(10s));
    EXPECT_TRUE(lock.acquire(true, 10s)); // the child releases it
    lock.release();
    EXPECT_EQ(wait_child(pid), 0);
}

TEST_F(Synchronize, LockHeldByADeadProcessTimesOut) {
    mp::Lock lock;
    const pid_t pid = fork_child([&] {
        lock.acquire();
        return 0; // exits holding it
    });
    EXPECT_EQ(wait_child(pid), 0);
    // As in Python, nothing recovers a lock whose holder died: acquire gives up at its timeout.
    EXPECT_FALSE(lock.acquire(true, 20ms));
    EXPECT_TRUE(lock.locked());
}

TEST_F(Synchronize, CountingAcrossProcessesUnderTheLock) {
    mp::Lock lock;
    concur::multiprocessing::detail::SharedBlock block(sizeof(long));
    auto* counter = block.as<long>();
    constexpr int kChildren = 3;
    constexpr int kIncrements = 2000;
    pid_t pids[kChildren];
    for (pid_t& pid : pids) {
        pid = fork_child([&] {
            for (int i = 0; i < kIncrements; ++i) {
                std::scoped_lock guard(lock);
                *counter = *counter + 1;
            }
            return 0;
        });
    }
    for (pid_t pid : pids) {
        EXPECT_EQ(wait_child(pid), 0);
    }
    EXPECT_EQ(*counter, kChildren * kIncrements);
}

TEST_F(Synchronize, RLockIsRecursiveAndOwned) {
    mp::RLock lock;
    EXPECT_THROW(lock.release(), concur::RuntimeError);
    EXPECT_TRUE(lock.acquire());
    EXPECT_TRUE(lock.acquire());
    EXPECT_TRUE(lock.is_owned());
    bool other_thread_got_it = true;
    bool other_thread_release_failed = false;
    std::thread other([&] {
        other_thread_got_it = lock.acquire(true, 10ms);
        try {
            lock.release();
        } catch (const concur::RuntimeError&) {
            other_thread_release_failed = true;
        }
    });
    other.join();
    EXPECT_FALSE(other_thread_got_it);
    EXPECT_TRUE(other_thread_release_failed);
    lock.release();
    EXPECT_TRUE(lock.is_owned());
    lock.release();
    EXPECT_FALSE(lock.is_owned());
    // A forked child is another owner, as in Python (the owner is process and thread).
    lock.acquire();
    const pid_t pid = fork_child([&] { return lock.acquire(true, 10ms) ? 1 : 0; });
    EXPECT_EQ(wait_child(pid), 0);
    lock.release();
}

TEST_F(Synchronize, SemaphoreCountsAcrossProcesses) {
    EXPECT_THROW(mp::Semaphore(-1), concur::ValueError);
    mp::Semaphore sem(2);
    EXPECT_TRUE(sem.acquire());
    EXPECT_TRUE(sem.acquire(false));
    EXPECT_FALSE(sem.acquire(false));
    EXPECT_FALSE(sem.acquire(true, 10ms));
    EXPECT_EQ(sem.get_value(), 0);
    const pid_t pid = fork_child([&] {
        sem.release();
        return 0;
    });
    EXPECT_TRUE(sem.acquire(true, 10s));
    EXPECT_EQ(wait_child(pid), 0);
    sem.release();
    sem.release();
    sem.release(); // an unbounded semaphore goes past its initial value
    EXPECT_EQ(sem.get_value(), 3);
}

TEST_F(Synchronize, BoundedSemaphoreRefusesAnExtraRelease) {
    mp::BoundedSemaphore sem(1);
    EXPECT_THROW(sem.release(), concur::ValueError);
    sem.acquire();
    sem.release();
    EXPECT_EQ(sem.get_value(), 1);
    mp::BoundedSemaphore zero(0);
    EXPECT_FALSE(zero.acquire(false));
    EXPECT_THROW(zero.release(), concur::ValueError);
}

TEST_F(Synchronize, EventWakesAWaitingChild) {
    mp::Event event;
    EXPECT_FALSE(event.is_set());
    EXPECT_FALSE(event.wait(10ms));
    const pid_t pid = fork_child([&] { return event.wait(10s) ? 0 : 1; });
    event.set();
    EXPECT_EQ(wait_child(pid), 0);
    EXPECT_TRUE(event.wait());
    event.clear();
    EXPECT_FALSE(event.is_set());
}

TEST_F(Synchronize, ConditionNotifiesAcrossProcesses) {
    mp::Condition cond;
    mp::Event ready;
    concur::multiprocessing::detail::SharedBlock block(sizeof(int));
    int* items = block.as<int>();
    const pid_t pid = fork_child([&] {
        std::scoped_lock guard(cond);
        ready.set();
        return cond.wait_for([&] { return *items > 0; }, 10s) ? 0 : 1;
    });
    ASSERT_TRUE(ready.wait(10s));
    {
        std::scoped_lock guard(cond);
        *items = 1;
        cond.notify();
    }
    EXPECT_EQ(wait_child(pid), 0);
}

TEST_F(Synchronize, ConditionWaitTimesOutAndNeedsTheLock) {
    mp::Condition cond;
    EXPECT_THROW(cond.wait(0s), concur::RuntimeError);
    EXPECT_THROW(cond.notify(), concur::RuntimeError);
    EXPECT_THROW(cond.notify_all(), concur::RuntimeError);
    std::scoped_lock guard(cond);
    EXPECT_FALSE(cond.wait(10ms));
    EXPECT_FALSE(cond.wait_for([] { return false; }, 10ms));
    EXPECT_TRUE(cond.get_lock().is_owned()); // reacquired after the timeout
}

TEST_F(Synchronize, ConditionOverAPlainLock) {
    mp::Condition<mp::Lock> cond{mp::Lock()};
    std::unique_lock guard(cond);
    EXPECT_FALSE(cond.wait(1ms));
    EXPECT_TRUE(cond.get_lock().locked());
    cond.notify_all();
}

TEST_F(Synchronize, TravelsToASpawnedChildByItsDescriptor) {
    mp::Lock lock;
    mp::Semaphore sem(0);
    mp::Event event;
    mp::Condition cond;
    std::string data;
    {
        concur::multiprocessing::detail::LaunchScope scope;
        data = mp::dumps(std::make_tuple(lock, sem, event, cond));
        concur::multiprocessing::detail::set_inherited_fds(scope.fds());
    }
    // What the spawned child does: load them from the inherited descriptors.
    auto [child_lock, child_sem, child_event, child_cond] =
        mp::loads<std::tuple<mp::Lock, mp::Semaphore, mp::Event, mp::Condition<>>>(data);
    concur::multiprocessing::detail::set_inherited_fds({});
    child_lock.acquire();
    EXPECT_TRUE(lock.locked());
    EXPECT_FALSE(lock.acquire(false));
    child_lock.release();
    child_sem.release();
    EXPECT_TRUE(sem.acquire(false));
    child_event.set();
    EXPECT_TRUE(event.is_set());
    std::scoped_lock guard(child_cond);
    EXPECT_TRUE(cond.get_lock().is_owned()); // the same RLock, and the same (this) thread
}

TEST_F(Synchronize, SerialisingOutsideAProcessStartIsRefused) {
    mp::Event event;
    EXPECT_THROW((void)mp::dumps(event), concur::RuntimeError);
}

} // namespace
