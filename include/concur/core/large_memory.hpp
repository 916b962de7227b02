// Memory written once through in bulk (a pool's chunk of task slots): mapped apart and
// populated at once, on huge pages where the system gives them, instead of taking a page fault
// per 4 KiB as it is first touched.
#pragma once

#include <cstddef>

namespace concur {

/// `bytes` of zeroed, page-aligned memory, populated now (huge pages from 2 MiB up, where the
/// system has them). Throws std::bad_alloc.
void* map_populated(std::size_t bytes);
/// Unmaps memory from map_populated(bytes).
void unmap_populated(void* p, std::size_t bytes) noexcept;

} // namespace concur
