// The inter-process objects as Process arguments, by every start method: what a spawned or
// fork-server child receives works, and the parent sees what the child did.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>

#include "concur/multiprocessing.hpp"
#include "mp_test_util.hpp"

namespace mp = concur::multiprocessing;
using namespace std::chrono_literals;

namespace {

void child_work(mp::Connection conn, mp::Queue<std::string> queue, mp::Value<int> counter,
                mp::Event done, std::string shm_name) {
    conn.send(std::string("hello from ") + mp::current_process().name);
    queue.put("queued");
    for (int i = 0; i < 100; ++i) {
        std::scoped_lock guard(counter.get_lock());
        counter.set_value(counter.value() + 1);
    }
    mp::shared_memory::SharedMemory shm({.name = shm_name});
    shm.buf()[0] = std::byte{42};
    shm.close();
    done.set();
    queue.close();
    queue.join_thread();
}

class ProcessObjects : public concur_test::NoLeaks,
                       public testing::WithParamInterface<const char*> {};

TEST_P(ProcessObjects, ChildUsesWhatItWasGiven) {
    mp::shared_memory::SharedMemory shm({.create = true, .size = 16});
    {
        auto [mine, theirs] = mp::Pipe();
        mp::Queue<std::string> queue;
        mp::Value<int> counter(0);
        mp::Event done;
        mp::Process p({.name = "child", .start_method = GetParam()}, child_work, std::move(theirs),
                      queue, counter, done, shm.name());
        p.start();
        EXPECT_TRUE(mine.poll(30s));
        EXPECT_EQ(mine.recv<std::string>(), "hello from child");
        EXPECT_EQ(queue.get(true, 30s), "queued");
        EXPECT_TRUE(done.wait(30s));
        EXPECT_TRUE(p.join(30s));
        EXPECT_EQ(p.exitcode(), 0);
        EXPECT_EQ(counter.value(), 100);
        EXPECT_EQ(shm.buf()[0], std::byte{42});
        // Every copy of the child's end is gone with the child: the pipe reaches end of file.
        ASSERT_TRUE(mine.poll(30s));
        EXPECT_THROW(mine.recv<std::string>(), mp::EOFError);
        queue.close();
        queue.join_thread();
    }
    shm.close();
    shm.unlink();
}

INSTANTIATE_TEST_SUITE_P(StartMethods, ProcessObjects,
                         testing::Values("fork", "spawn", "forkserver"));

} // namespace
