// EXIF orientation: turning the stored pixels into the image as it is meant to be seen.
#pragma once

#include "raster.hpp"

namespace thumbnail_maker::image {

/// The image displayed as EXIF orientation `o` asks (1 identity, 2 mirror, 3 rotate 180,
/// 4 flip, 5 transpose, 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 anticlockwise);
/// 5..8 swap width and height. Any other value is treated as 1.
Raster apply_orientation(Raster image, int o);

/// Whether orientation `o` swaps width and height.
constexpr bool swaps_axes(int o) noexcept {
    return o >= 5 && o <= 8;
}

} // namespace thumbnail_maker::image
