#include "concur/core/slot_pool.hpp"

#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace concur {

namespace {

constexpr std::size_t kClasses = sizeof(kSlotSizes) / sizeof(kSlotSizes[0]);
constexpr std::size_t kChunkBytes = 64 * 1024;
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
    std::vector<FreeSlot*> batches[kClasses]; // each a list of kBatch slots
};

Shared& shared() {
    static auto* instance = new Shared();
    return *instance;
}

struct Cache {
    FreeSlot* head[kClasses] = {};
    std::size_t count[kClasses] = {};

    Cache() = default;
    Cache(const Cache&) = delete;
    Cache& operator=(const Cache&) = delete;
    ~Cache() {
        // The thread ends: its free slots go back to the shared pool in batches.
        for (std::size_t c = 0; c < kClasses; ++c) {
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
        shared().batches[c].push_back(first);
    }

    void refill(std::size_t c) {
        {
            std::lock_guard lock(shared().mutex);
            auto& batches = shared().batches[c];
            if (!batches.empty()) {
                FreeSlot* batch = batches.back();
                batches.pop_back();
                std::size_t n = 0;
                for (FreeSlot* s = batch; s != nullptr; s = s->next) {
                    ++n;
                }
                head[c] = batch;
                count[c] = n;
                return;
            }
        }
        const std::size_t size = kSlotSizes[c];
        auto* chunk = static_cast<char*>(std::aligned_alloc(64, kChunkBytes));
        if (chunk == nullptr) {
            throw std::bad_alloc();
        }
        // Thread the chunk's slots in address order, so that successive allocations are
        // adjacent in memory, as a producer's tasks are consumed.
        const std::size_t n = kChunkBytes / size;
        for (std::size_t i = 0; i + 1 < n; ++i) {
            reinterpret_cast<FreeSlot*>(chunk + i * size)->next =
                reinterpret_cast<FreeSlot*>(chunk + (i + 1) * size);
        }
        reinterpret_cast<FreeSlot*>(chunk + (n - 1) * size)->next = nullptr;
        head[c] = reinterpret_cast<FreeSlot*>(chunk);
        count[c] = n;
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
        local.refill(c);
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
