// The CPU-bound step as a call a process pool can run: plain arguments in, thumbnails out.
#pragma once

#include <string>
#include <vector>

#include "thumbnail_maker/image/thumbnails.hpp"

namespace thumbnail_maker {

namespace image {
/// Lets a Thumbnail travel between processes (cereal, found by argument-dependent lookup).
template <class Archive>
void serialize(Archive& archive, Thumbnail& t) {
    archive(t.width, t.height, t.bytes);
}
} // namespace image

/// image::make_thumbnails(encoded, {widths, format, quality}), with the format as its int value
/// so that every argument travels plainly to a worker process.
std::vector<image::Thumbnail> resize(std::string encoded, std::vector<int> widths, int format,
                                     int quality);

} // namespace thumbnail_maker
