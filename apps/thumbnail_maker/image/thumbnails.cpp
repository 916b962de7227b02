// make_thumbnails: decode once (shrunk on load when the format allows), orient, then make the
// widths from the largest down, each smaller one from the previous result.
#include "thumbnails.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "codecs.hpp"
#include "orientation.hpp"
#include "resample.hpp"

namespace thumbnail_maker::image {

namespace {

void check_options(const ThumbnailOptions& options) {
    if (options.widths.empty()) {
        throw ImageError("no thumbnail width requested");
    }
    for (int w : options.widths) {
        if (w <= 0) {
            throw ImageError("thumbnail width must be positive, got " + std::to_string(w));
        }
    }
    if (options.quality < 1 || options.quality > 100) {
        throw ImageError("quality must be within 1..100, got " + std::to_string(options.quality));
    }
}

std::string encode(const Raster& image, const ThumbnailOptions& options) {
    switch (options.format) {
    case Format::png:
        return encode_png(image);
    case Format::webp:
        return encode_webp(image, options.quality);
    case Format::jpeg:
        break;
    }
    return encode_jpeg(image, options.quality);
}

} // namespace

Format detect_format(std::string_view encoded) {
    if (encoded.empty()) {
        throw ImageError("empty input (0 bytes)");
    }
    auto starts = [&](std::string_view magic, std::size_t at = 0) {
        return encoded.size() >= at + magic.size() && encoded.substr(at, magic.size()) == magic;
    };
    if (starts("\xFF\xD8\xFF")) {
        return Format::jpeg;
    }
    if (starts("\x89PNG\r\n\x1A\n")) {
        return Format::png;
    }
    if (starts("RIFF") && starts("WEBP", 8)) {
        return Format::webp;
    }
    throw ImageError("unknown image format (not JPEG, PNG or WebP; " +
                     std::to_string(encoded.size()) + " bytes)");
}

std::string_view format_name(Format format) noexcept {
    switch (format) {
    case Format::png:
        return "png";
    case Format::webp:
        return "webp";
    case Format::jpeg:
        break;
    }
    return "jpeg";
}

std::string_view format_extension(Format format) noexcept {
    return format == Format::jpeg ? "jpg" : format_name(format);
}

std::vector<Thumbnail> make_thumbnails(std::string_view encoded, const ThumbnailOptions& options) {
    check_options(options);
    const int largest = *std::max_element(options.widths.begin(), options.widths.end());
    Decoded decoded;
    switch (detect_format(encoded)) {
    case Format::jpeg:
        decoded = decode_jpeg(encoded, {.min_width = largest});
        break;
    case Format::png:
        decoded = decode_png(encoded);
        break;
    case Format::webp:
        decoded = decode_webp(encoded);
        break;
    }
    const bool swap = swaps_axes(decoded.orientation);
    const int full_w = swap ? decoded.full_height : decoded.full_width;
    const int full_h = swap ? decoded.full_width : decoded.full_height;
    Raster source = apply_orientation(std::move(decoded.raster), decoded.orientation);

    // Widths from the largest down: each is made from the previous (smaller) raster, a fifth
    // cheaper than from the decoded one and, measured, still far from visible loss (README.md).
    std::vector<std::size_t> order(options.widths.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return options.widths[a] > options.widths[b];
    });
    std::vector<Thumbnail> out(options.widths.size());
    for (std::size_t i : order) {
        const int w = std::min(options.widths[i], full_w); // never upscale
        const auto h = static_cast<int>(std::max(
            1L, std::lround(static_cast<double>(full_h) * w / static_cast<double>(full_w))));
        // The decoded size is the full size times M/8, rounded up: aim at the full size's ratio.
        source = resize_lanczos3(source, std::min(w, source.width), std::min(h, source.height));
        Thumbnail& t = out[i];
        t.width = source.width;
        t.height = source.height;
        t.bytes = encode(source, options);
    }
    return out;
}

} // namespace thumbnail_maker::image
