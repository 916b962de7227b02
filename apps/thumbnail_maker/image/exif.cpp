#include "exif.hpp"

#include <algorithm>

namespace thumbnail_maker::image {

namespace {

// A bounds-checked reader of the TIFF structure inside the Exif payload, in its byte order.
struct Tiff {
    std::span<const std::uint8_t> bytes;
    bool big_endian = false;

    bool u16(std::size_t at, unsigned& out) const noexcept {
        if (at > bytes.size() || bytes.size() - at < 2) {
            return false;
        }
        unsigned a = bytes[at], b = bytes[at + 1];
        out = big_endian ? (a << 8 | b) : (b << 8 | a);
        return true;
    }
    bool u32(std::size_t at, std::uint32_t& out) const noexcept {
        unsigned hi = 0, lo = 0;
        if (!u16(at, big_endian ? hi : lo) || !u16(at + 2, big_endian ? lo : hi)) {
            return false;
        }
        out = std::uint32_t{hi} << 16 | lo;
        return true;
    }
};

} // namespace

int exif_orientation(std::span<const std::uint8_t> app1) noexcept {
    static constexpr std::uint8_t magic[6] = {'E', 'x', 'i', 'f', 0, 0};
    if (app1.size() < 6 || !std::equal(magic, magic + 6, app1.begin())) {
        return 1;
    }
    return tiff_orientation(app1.subspan(6));
}

int tiff_orientation(std::span<const std::uint8_t> bytes) noexcept {
    if (bytes.size() < 8) {
        return 1;
    }
    Tiff tiff{bytes};
    if (tiff.bytes[0] == 'M' && tiff.bytes[1] == 'M') {
        tiff.big_endian = true;
    } else if (!(tiff.bytes[0] == 'I' && tiff.bytes[1] == 'I')) {
        return 1;
    }
    unsigned magic42 = 0, count = 0;
    std::uint32_t ifd0 = 0;
    if (!tiff.u16(2, magic42) || magic42 != 42 || !tiff.u32(4, ifd0) || !tiff.u16(ifd0, count)) {
        return 1;
    }
    for (unsigned i = 0; i < count; ++i) {
        const std::size_t entry = std::size_t{ifd0} + 2 + 12 * std::size_t{i};
        unsigned tag = 0, type = 0, value = 0;
        std::uint32_t n = 0;
        if (!tiff.u16(entry, tag) || !tiff.u16(entry + 2, type) || !tiff.u32(entry + 4, n)) {
            return 1;
        }
        if (tag != 0x0112) {
            continue;
        }
        // SHORT (3), one value, stored left-justified in the 4-byte value field.
        if (type != 3 || n != 1 || !tiff.u16(entry + 8, value) || value < 1 || value > 8) {
            return 1;
        }
        return static_cast<int>(value);
    }
    return 1;
}

} // namespace thumbnail_maker::image
