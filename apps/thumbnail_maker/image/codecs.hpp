// Decoders and encoders of each format, over Raster. Internal to the image core (and its
// benchmark); make_thumbnails is the public entry.
#pragma once

#include <string>
#include <string_view>

#include "raster.hpp"

namespace thumbnail_maker::image {

/// A decoded image before orientation: the pixels (possibly reduced by shrink-on-load), the
/// full stored size, and the EXIF orientation (1..8, 1 when absent or invalid).
struct Decoded {
    Raster raster;
    int full_width = 0;
    int full_height = 0;
    int orientation = 1;
};

/// How to decode a JPEG: shrink-on-load keeps the *oriented* width >= min_width (0: full size).
struct JpegDecodeOptions {
    int min_width = 0;
    bool fast_dct = false;        // JDCT_IFAST instead of JDCT_ISLOW (less accurate)
    bool fancy_upsampling = true; // smooth chroma upsampling (libjpeg's default)
};

/// Decodes a JPEG at the smallest scale M/8 (M = 1..8) whose oriented width is >= min_width.
/// Gray stays gray (1 channel); YCbCr gives RGB; CMYK/YCCK are converted to RGB (naive, no ICC).
/// Throws ImageError on corrupt or truncated data: libjpeg's corrupt-data warnings are errors.
Decoded decode_jpeg(std::string_view data, const JpegDecodeOptions& options);

/// Decodes a PNG at full size to gray or RGB; alpha is composited over white; orientation from
/// an eXIf chunk.
Decoded decode_png(std::string_view data);

/// Decodes a still WebP at full size to RGB; alpha is composited over white; orientation from
/// an EXIF chunk.
Decoded decode_webp(std::string_view data);

/// Encodes as baseline JPEG, 4:2:0 chroma for RGB, Huffman tables not optimised (speed).
std::string encode_jpeg(const Raster& image, int quality);

/// Encodes as PNG (gray or RGB, 8-bit, zlib's default level).
std::string encode_png(const Raster& image);

/// Encodes as lossy WebP at that quality (gray is expanded to RGB).
std::string encode_webp(const Raster& image, int quality);

} // namespace thumbnail_maker::image
