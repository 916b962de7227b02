#include "concur/multiprocessing/shared_memory.hpp"

#include <cstring>
#include <string>

#include "concur/core/exceptions.hpp"
#include "concur/multiprocessing/reduction.hpp"
#include "multiprocessing/mp_test_util.hpp"

namespace mp = concur::multiprocessing;
using concur_test::fork_child;
using concur_test::wait_child;
using mp::shared_memory::SharedMemory;

namespace {

class SharedMemoryTest : public concur_test::NoLeaks {};

TEST_F(SharedMemoryTest, CreateWithARandomNameAndAttachByIt) {
    SharedMemory created({.create = true, .size = 100});
    EXPECT_TRUE(created.name().starts_with("psm_"));
    EXPECT_EQ(created.name().size(), 12u);
    EXPECT_EQ(created.size(), 100u);
    std::memcpy(created.buf().data(), "hello", 5);
    SharedMemory attached({.name = created.name()});
    EXPECT_EQ(attached.size(), 100u);
    EXPECT_EQ(std::memcmp(attached.buf().data(), "hello", 5), 0);
    attached.close();
    created.close();
    created.unlink();
}

TEST_F(SharedMemoryTest, AChildWritesByName) {
    SharedMemory block({.create = true, .size = 4096});
    const std::string name = block.name();
    const pid_t pid = fork_child([&] {
        SharedMemory mine({.name = name});
        std::memcpy(mine.buf().data() + 10, "from the child", 14);
        return 0;
    });
    EXPECT_EQ(wait_child(pid), 0);
    EXPECT_EQ(std::memcmp(block.buf().data() + 10, "from the child", 14), 0);
    block.unlink();
}

TEST_F(SharedMemoryTest, GivenNameExistsOrNot) {
    const std::string name = "concur_test_" + std::to_string(::getpid());
    SharedMemory block({.name = name, .create = true, .size = 10});
    EXPECT_EQ(block.name(), name);
    EXPECT_THROW(SharedMemory({.name = name, .create = true, .size = 10}), concur::FileExistsError);
    block.unlink();
    EXPECT_THROW(SharedMemory({.name = name}), concur::FileNotFoundError);
    EXPECT_THROW(block.unlink(), concur::FileNotFoundError);
    EXPECT_EQ(block.buf().size(), 10u); // unlinking leaves the mapping usable
}

TEST_F(SharedMemoryTest, BadArguments) {
    EXPECT_THROW(SharedMemory({.create = true}), concur::ValueError);
    EXPECT_THROW(SharedMemory(mp::shared_memory::SharedMemoryOptions{}), concur::ValueError);
    SharedMemory closed({.create = true, .size = 1});
    closed.unlink();
    closed.close();
    EXPECT_THROW((void)closed.buf(), concur::ValueError);
}

TEST_F(SharedMemoryTest, SerialisedByName) {
    SharedMemory block({.create = true, .size = 64});
    block.buf()[0] = std::byte{42};
    const std::string data = mp::dumps(block); // by name: no descriptor, no process start needed
    SharedMemory loaded = mp::loads<SharedMemory>(data);
    EXPECT_EQ(loaded.name(), block.name());
    EXPECT_EQ(loaded.buf()[0], std::byte{42});
    SharedMemory moved = std::move(loaded);
    EXPECT_EQ(moved.size(), 64u);
    block.unlink();
}

} // namespace
