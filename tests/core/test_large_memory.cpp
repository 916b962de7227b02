// Memory mapped apart and populated at once (huge pages where possible).
#include <concur/core/large_memory.hpp>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace {

void check_zeroed_and_writable(unsigned char* p, std::size_t bytes) {
    for (std::size_t i = 0; i < bytes; i += 4096) {
        ASSERT_EQ(p[i], 0) << "at " << i;
    }
    ASSERT_EQ(p[bytes - 1], 0);
    std::memset(p, 0x5a, bytes);
    EXPECT_EQ(p[bytes / 2], 0x5a);
}

TEST(LargeMemory, MappedMemoryIsZeroedAndPageAligned) {
    // Below and above a huge page, and not a multiple of the page size.
    for (std::size_t bytes :
         {std::size_t{5000}, std::size_t{1} << 20, (std::size_t{3} << 20) + 123}) {
        auto* p = static_cast<unsigned char*>(concur::map_populated(bytes));
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 4096, 0u);
        check_zeroed_and_writable(p, bytes);
        concur::unmap_populated(p, bytes);
    }
}

TEST(LargeMemory, AnImpossibleSizeIsBadAlloc) {
    EXPECT_THROW(concur::map_populated(std::size_t{1} << 62), std::bad_alloc);
}

} // namespace
