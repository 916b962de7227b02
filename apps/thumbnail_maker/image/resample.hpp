// High-quality resizing: a separable Lanczos-3 filter.
#pragma once

#include "raster.hpp"

namespace thumbnail_maker::image {

/// `image` resized to width x height (both > 0) with Lanczos-3; when shrinking, the kernel is
/// widened by the ratio so that it also filters out what the smaller grid cannot hold (as
/// Pillow's LANCZOS). Channels are kept; the same size gives a copy.
Raster resize_lanczos3(const Raster& image, int width, int height);

} // namespace thumbnail_maker::image
