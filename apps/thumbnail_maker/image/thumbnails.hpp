// The Thumbnail Maker's image core: one encoded image in, thumbnails at several widths out.
// CPU-bound and single-threaded: each call runs on the calling thread only, so a process pool
// gives one image per core. Calls on different threads share nothing.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace thumbnail_maker::image {

/// An encoded image format, for inputs (detected from the bytes) and outputs (chosen).
enum class Format { jpeg, png, webp };

/// What to make: one thumbnail per width, in the order given.
struct ThumbnailOptions {
    std::vector<int> widths;      // each > 0; the height keeps the aspect ratio
    Format format = Format::jpeg; // of the outputs
    int quality = 85;             // 1..100, for JPEG and WebP (PNG is lossless)
};

/// One output: its size in pixels and its encoded bytes.
struct Thumbnail {
    int width = 0;
    int height = 0;
    std::string bytes;
};

/// Every failure of the image core: a corrupt, truncated, empty or unknown input, an
/// unsupported variant of a format, or invalid options. what() says which, in words.
class ImageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Decodes `encoded` (JPEG, PNG or WebP) once, applies its EXIF orientation, and returns
/// one thumbnail per options.widths[i], in that order, each width w with height
/// max(1, round(H*w/W)) of the oriented image (W x H). Never upscales: a width above W gives W.
/// Throws ImageError for bad input or options (std::bad_alloc if memory runs out).
std::vector<Thumbnail> make_thumbnails(std::string_view encoded, const ThumbnailOptions& options);

/// The format of `encoded` from its first bytes; throws ImageError if empty or unknown.
Format detect_format(std::string_view encoded);

/// "jpeg", "png" or "webp"; and the file extension without the dot ("jpg", "png", "webp").
std::string_view format_name(Format format) noexcept;
std::string_view format_extension(Format format) noexcept;

} // namespace thumbnail_maker::image
