// Fixed-size, cache-line-aligned memory slots with a per-thread cache: what every submit and
// every task allocates. Faster than malloc on the hot path (no lock, no header), and no two
// slots share a cache line, so a producer filling one never slows a consumer reading the next.
#pragma once

#include <cstddef>

namespace concur {

/// The slot sizes the pool serves; larger requests go to the global operator new.
inline constexpr std::size_t kSlotSizes[] = {64, 128, 192, 224, 256, 320, 384, 512};
inline constexpr std::size_t kLargestSlot = 512;

/// A slot of at least `size` bytes (size <= kLargestSlot; 64-byte aligned when `size` is a
/// multiple of 64), or from operator
/// new. Throws std::bad_alloc.
void* allocate_slot(std::size_t size);

/// Returns a slot from allocate_slot(size), from any thread.
void free_slot(void* slot, std::size_t size) noexcept;

/// Mixed into a class, makes `new T` and `delete p` use slots (sized delete, so a virtual
/// destructor frees the derived object's size).
struct SlotAllocated {
    static void* operator new(std::size_t size) { return allocate_slot(size); }
    static void operator delete(void* p, std::size_t size) noexcept { free_slot(p, size); }
};

} // namespace concur
