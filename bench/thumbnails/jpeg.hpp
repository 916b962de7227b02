// The thumbnails benchmark's own few calls to libjpeg: a photo's size from its header, and a
// decode at the smallest M/8 scale that keeps the width at least some minimum, the pixels
// discarded. The decode is both the limit the benchmark reports (what decoding alone costs)
// and the check that each output is a whole JPEG of the right size.
#pragma once

#include <optional>
#include <string>

namespace bench_thumbnails {

struct Size {
    int width = 0;
    int height = 0;
};

/// The image's size from its JPEG header; nullopt when it is not a JPEG.
std::optional<Size> jpeg_size(const std::string& data);

/// Decodes every scanline at the smallest scale M/8 (M = 1..8) whose output width is at least
/// min_width (8/8 when none is); returns the decoded size, or nullopt when libjpeg fails or
/// warns (a truncated or corrupt file decodes with a warning).
std::optional<Size> decode_jpeg(const std::string& data, int min_width);

} // namespace bench_thumbnails
