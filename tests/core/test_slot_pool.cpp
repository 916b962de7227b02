// The slot allocator behind every task.
#include <concur/core.hpp>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

TEST(SlotPool, SlotsAreAlignedDistinctAndWritable) {
    std::vector<void*> slots;
    std::set<void*> seen;
    for (int i = 0; i < 5000; ++i) {
        const std::size_t size = 1 + static_cast<std::size_t>(i % 256);
        void* p = concur::allocate_slot(size);
        ASSERT_NE(p, nullptr);
        std::memset(p, 0xab, size);
        EXPECT_TRUE(seen.insert(p).second);
        slots.push_back(p);
    }
    for (std::size_t i = 0; i < slots.size(); ++i) {
        // Every slot suits any type (max_align_t); a slot of at most 64 bytes is a whole cache
        // line (under ASan slots come from operator new, which only promises max_align_t).
        const auto address = reinterpret_cast<std::uintptr_t>(slots[i]);
        EXPECT_EQ(address % alignof(std::max_align_t), 0u);
#if !defined(__SANITIZE_ADDRESS__)
        if (1 + i % 256 <= 64) {
            EXPECT_EQ(address % 64, 0u);
        }
#endif
        concur::free_slot(slots[i], 1 + i % 256);
    }
}

TEST(SlotPool, LargeRequestsAndCrossThreadFrees) {
    void* big = concur::allocate_slot(4096);
    std::memset(big, 1, 4096);
    concur::free_slot(big, 4096);
    // Slots allocated here and freed by another thread, many more than a thread caches.
    std::vector<void*> slots;
    for (int i = 0; i < 10000; ++i) {
        slots.push_back(concur::allocate_slot(64));
    }
    std::thread freer([&] {
        for (void* p : slots) {
            concur::free_slot(p, 64);
        }
    });
    freer.join();
    void* again = concur::allocate_slot(64);
    EXPECT_NE(again, nullptr);
    concur::free_slot(again, 64);
}

TEST(SlotPool, SlotAllocatedClassesUseIt) {
    struct Object : concur::SlotAllocated {
        long value[5];
    };
    auto* o = new Object();
    o->value[4] = 3;
    EXPECT_EQ(o->value[4], 3);
    delete o;
}
