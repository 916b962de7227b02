// Memory for large arrays that are written once through (a big gather's table of children, a
// pool's chunk of task slots): mapped apart and populated at once, on huge pages where the
// system gives them, instead of taking a page fault per 4 KiB as it is first touched.
#pragma once

#include <cstddef>

namespace concur {

/// Arrays from this size up are mapped apart; smaller ones come from operator new.
inline constexpr std::size_t kLargeMemoryThreshold = 1024 * 1024;

/// `bytes` of zeroed, page-aligned memory, populated now (huge pages from 2 MiB up, where the
/// system has them). Throws std::bad_alloc.
void* map_populated(std::size_t bytes);
/// Unmaps memory from map_populated(bytes).
void unmap_populated(void* p, std::size_t bytes) noexcept;

/// `bytes` for a large array: map_populated() from kLargeMemoryThreshold up, operator new below
/// (and always under AddressSanitizer, so that its checks cover the array).
void* allocate_large(std::size_t bytes);
/// Frees memory from allocate_large(bytes).
void free_large(void* p, std::size_t bytes) noexcept;

} // namespace concur
