#include "concur/core/large_memory.hpp"

#include <cstdint>
#include <new>
#include <sys/mman.h>

namespace concur {

namespace {

constexpr std::size_t kPage = 4096;
constexpr std::size_t kHugePage = 2 * 1024 * 1024;

std::size_t round_up(std::size_t n, std::size_t to) {
    return (n + to - 1) & ~(to - 1);
}

} // namespace

void* map_populated(std::size_t bytes) {
    bytes = round_up(bytes, kPage);
    if (bytes < kHugePage) {
        // One system call zeroes every page, cheaper than a fault per page at first touch.
        void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == MAP_FAILED) {
            throw std::bad_alloc();
        }
        return p;
    }
    // Over-map by a huge page, keep the aligned part: huge pages need 2 MiB alignment.
    void* raw = ::mmap(nullptr, bytes + kHugePage, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
        throw std::bad_alloc();
    }
    auto* start = static_cast<char*>(raw);
    auto* aligned =
        reinterpret_cast<char*>(round_up(reinterpret_cast<std::uintptr_t>(start), kHugePage));
    char* end = aligned + bytes;
    if (aligned > start) {
        ::munmap(start, static_cast<std::size_t>(aligned - start));
    }
    if (end < start + bytes + kHugePage) {
        ::munmap(end, static_cast<std::size_t>(start + bytes + kHugePage - end));
    }
    // Both are advice: without them the pages come, zeroed, at first touch.
    ::madvise(aligned, bytes, MADV_HUGEPAGE);
    ::madvise(aligned, bytes, MADV_POPULATE_WRITE);
    return aligned;
}

void unmap_populated(void* p, std::size_t bytes) noexcept {
    ::munmap(p, round_up(bytes, kPage));
}

} // namespace concur
