// Finding the Exif block in PNG and WebP files: a walk over their chunks, bounds-checked.
#include <algorithm>

#include "exif.hpp"

namespace thumbnail_maker::image {

namespace {

std::uint32_t read32(std::span<const std::uint8_t> b, std::size_t at, bool big_endian) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        v |= std::uint32_t{b[at + i]} << (big_endian ? 8 * (3 - i) : 8 * i);
    }
    return v;
}

bool tag_is(std::span<const std::uint8_t> b, std::size_t at, const char (&tag)[5]) {
    return std::equal(tag, tag + 4, b.begin() + static_cast<std::ptrdiff_t>(at));
}

// Some writers put the JPEG-style "Exif\0\0" prefix before the TIFF data; accept both.
int orientation_of(std::span<const std::uint8_t> payload) {
    const int o = exif_orientation(payload);
    return o != 1 ? o : tiff_orientation(payload);
}

} // namespace

int png_orientation(std::span<const std::uint8_t> png) noexcept {
    // After the 8-byte signature: length (big-endian), type, data, CRC.
    std::size_t at = 8;
    while (png.size() >= at + 12) {
        const std::size_t length = read32(png, at, true);
        if (length > png.size() - at - 12) {
            return 1;
        }
        if (tag_is(png, at + 4, "eXIf")) {
            return orientation_of(png.subspan(at + 8, length));
        }
        if (tag_is(png, at + 4, "IEND")) {
            return 1;
        }
        at += 12 + length;
    }
    return 1;
}

int webp_orientation(std::span<const std::uint8_t> webp) noexcept {
    // After "RIFF", size, "WEBP": fourcc, size (little-endian), data padded to an even size.
    std::size_t at = 12;
    while (webp.size() >= at + 8) {
        const std::size_t size = read32(webp, at + 4, false);
        if (size > webp.size() - at - 8) {
            return 1;
        }
        if (tag_is(webp, at, "EXIF")) {
            return orientation_of(webp.subspan(at + 8, size));
        }
        at += 8 + size + (size & 1);
    }
    return 1;
}

} // namespace thumbnail_maker::image
