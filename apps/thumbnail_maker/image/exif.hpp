// The one EXIF field the image core needs: the orientation of a JPEG's APP1 Exif segment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace thumbnail_maker::image {

/// The Orientation tag (0x0112) of IFD0 in an APP1 payload starting "Exif\0\0" (the bytes
/// after the marker's length field): 1..8; 1 when absent, malformed or out of range.
int exif_orientation(std::span<const std::uint8_t> app1) noexcept;

} // namespace thumbnail_maker::image
