// The one EXIF field the image core needs, the orientation, wherever each format keeps it: a
// JPEG's APP1 Exif segment, a PNG's eXIf chunk, a WebP's EXIF chunk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace thumbnail_maker::image {

/// The Orientation tag (0x0112) of IFD0 in an APP1 payload starting "Exif\0\0" (the bytes
/// after the marker's length field): 1..8; 1 when absent, malformed or out of range.
int exif_orientation(std::span<const std::uint8_t> app1) noexcept;

/// The same from the TIFF structure itself (starting "MM" or "II"), as PNG and WebP store it.
int tiff_orientation(std::span<const std::uint8_t> tiff) noexcept;

/// The orientation in a PNG's eXIf chunk, or in a WebP's EXIF chunk; 1 if none or malformed.
int png_orientation(std::span<const std::uint8_t> png) noexcept;
int webp_orientation(std::span<const std::uint8_t> webp) noexcept;

} // namespace thumbnail_maker::image
