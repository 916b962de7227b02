#include "concur/core/slot_pool.hpp"

#include "concur/core/large_memory.hpp"

#include <cstdlib>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

namespace concur {

namespace {

constexpr std::size_t kClasses = sizeof(kSlotSizes) / sizeof(kSlotSizes[0]);
// A thread's chunks of one size grow from 64 KiB to 2 MiB: a thread that allocates a few slots
// keeps little memory, one that allocates millions maps them in a few system calls.
constexpr std::size_t kFirstChunkBytes = 64 * 1024;
constexpr std::size_t kLastChunkBytes = 2 * 1024 * 1024;
// A thread keeps at most this many free slots per size; beyond, half go back to the shared
// pool, so a thread that only frees (a consumer) does not hoard what a producer needs.
constexpr std::size_t kCacheLimit = 2048;
constexpr std::size_t kBatch = kCacheLimit / 2;

struct FreeSlot {
    FreeSlot* next;
};

std::size_t class_of(std::size_t size) {
    std::size_t c = 0;
    while (kSlotSizes[c] < size) {
        ++c;
    }
    return c;
}

// The shared pool: batches of free slots, and chunks carved into new slots. Never destroyed,
// and never returned to the system: memory is kept for reuse, as by Python's allocator.
struct Shared {
    std::mutex mutex;
    std::vector<std::pair<FreeSlot*, std::size_t>> batches[kClasses]; // lists and their lengths
};

Shared& shared() {
    static auto* instance = new Shared();
    return *instance;
}

struct Cache {
    FreeSlot* head[kClasses] = {};
    std::size_t count[kClasses] = {};
    // Fresh memory not yet handed out, carved slot by slot (no pass over it beforehand).
    char* bump[kClasses] = {};
    char* bump_end[kClasses] = {};
    std::size_t next_chunk[kClasses] = {};

    Cache() = default;
    Cache(const Cache&) = delete;
    Cache& operator=(const Cache&) = delete;
    ~Cache() {
        // The thread ends: its free slots, and its fresh ones, go back to the shared pool.
        for (std::size_t c = 0; c < kClasses; ++c) {
            while (bump[c] != nullptr && bump[c] + kSlotSizes[c] <= bump_end[c]) {
                auto* slot = reinterpret_cast<FreeSlot*>(bump[c]);
                bump[c] += kSlotSizes[c];
                slot->next = head[c];
                head[c] = slot;
                ++count[c];
            }
            while (count[c] > 0) {
                give_back(c, count[c] < kBatch ? count[c] : kBatch);
            }
        }
    }

    void give_back(std::size_t c, std::size_t n) {
        FreeSlot* first = head[c];
        FreeSlot* last = first;
        for (std::size_t i = 1; i < n; ++i) {
            last = last->next;
        }
        head[c] = last->next;
        last->next = nullptr;
        count[c] -= n;
        std::lock_guard lock(shared().mutex);
        shared().batches[c].emplace_back(first, n);
    }

    void refill(std::size_t c) {
        {
            std::lock_guard lock(shared().mutex);
            auto& batches = shared().batches[c];
            if (!batches.empty()) {
                // The length comes with the list: counting it would touch every slot.
                head[c] = batches.back().first;
                count[c] = batches.back().second;
                batches.pop_back();
                return;
            }
        }
        std::size_t bytes = next_chunk[c] == 0 ? kFirstChunkBytes : next_chunk[c];
        next_chunk[c] = bytes < kLastChunkBytes ? bytes * 2 : bytes;
        // Populated at once; a 2 MiB chunk on a huge page: one TLB entry for its task frames.
        void* chunk = map_populated(bytes);
        bump[c] = static_cast<char*>(chunk);
        bump_end[c] = bump[c] + bytes;
    }

    /// A slot from the fresh memory, or null when it is used up.
    void* carve(std::size_t c) noexcept {
        if (bump[c] == nullptr || bump[c] + kSlotSizes[c] > bump_end[c]) {
            return nullptr;
        }
        void* slot = bump[c];
        bump[c] += kSlotSizes[c];
        return slot;
    }
};

thread_local Cache cache;

// Under AddressSanitizer every slot comes from operator new, so that a use after free is caught
// instead of hidden by reuse.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kPooled = false;
#else
constexpr bool kPooled = true;
#endif

} // namespace

void* allocate_slot(std::size_t size) {
    if (!kPooled || size > kLargestSlot) {
        return ::operator new(size);
    }
    const std::size_t c = class_of(size);
    Cache& local = cache;
    if (local.head[c] == nullptr) {
        if (void* fresh = local.carve(c)) {
            return fresh;
        }
        local.refill(c);
        if (local.head[c] == nullptr) {
            return local.carve(c);
        }
    }
    FreeSlot* slot = local.head[c];
    local.head[c] = slot->next;
    --local.count[c];
    return slot;
}

void free_slot(void* p, std::size_t size) noexcept {
    if (p == nullptr) {
        return;
    }
    if (!kPooled || size > kLargestSlot) {
        ::operator delete(p, size);
        return;
    }
    const std::size_t c = class_of(size);
    Cache& local = cache;
    auto* slot = static_cast<FreeSlot*>(p);
    slot->next = local.head[c];
    local.head[c] = slot;
    if (++local.count[c] > kCacheLimit) {
        local.give_back(c, kBatch);
    }
}

} // namespace concur
