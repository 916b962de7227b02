// A decoded image in memory: 8-bit samples, rows packed without padding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "thumbnails.hpp"

namespace thumbnail_maker::image {

/// std::allocator, except that vector::resize leaves new bytes uninitialised: every raster is
/// overwritten by a decoder or a filter, so zeroing it first would be wasted (it showed).
template <class T>
struct UninitialisedAllocator : std::allocator<T> {
    template <class U>
    struct rebind {
        using other = UninitialisedAllocator<U>;
    };
    template <class U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

/// A byte buffer that resize() does not zero.
using Bytes = std::vector<std::uint8_t, UninitialisedAllocator<std::uint8_t>>;

/// Width x height pixels of `channels` samples each (1: gray, 3: RGB), row-major, packed.
struct Raster {
    int width = 0;
    int height = 0;
    int channels = 3;
    Bytes pixels;

    Raster() = default;
    /// An uninitialised raster of that size; throws ImageError past max_pixels.
    Raster(int w, int h, int ch);

    std::size_t row_bytes() const noexcept {
        return static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
    }
    std::uint8_t* row(int y) noexcept {
        return pixels.data() + row_bytes() * static_cast<std::size_t>(y);
    }
    const std::uint8_t* row(int y) const noexcept {
        return pixels.data() + row_bytes() * static_cast<std::size_t>(y);
    }
};

/// The largest raster we allocate (a decompression-bomb guard): 2^28 pixels, 805 MB of RGB.
inline constexpr std::int64_t max_pixels = std::int64_t{1} << 28;

/// Throws ImageError unless 0 < w, 0 < h and w * h <= max_pixels.
void check_size(std::int64_t w, std::int64_t h, const char* what);

} // namespace thumbnail_maker::image
