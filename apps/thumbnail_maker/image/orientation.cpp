#include "orientation.hpp"

#include <cstring>

namespace thumbnail_maker::image {

namespace {

// Copies one output row whose pixels are read from `src` at `start`, `start + step`, ...
// (in samples); CH is a template argument so the per-pixel copy is a fixed-size move.
template <int CH>
void copy_row(std::uint8_t* out, const std::uint8_t* src, std::ptrdiff_t start, std::ptrdiff_t step,
              int width) {
    const std::uint8_t* p = src + start;
    for (int x = 0; x < width; ++x, out += CH, p += step) {
        std::memcpy(out, p, CH);
    }
}

} // namespace

Raster apply_orientation(Raster image, int o) {
    if (o < 2 || o > 8) {
        return image;
    }
    const std::ptrdiff_t w = image.width, h = image.height, ch = image.channels;
    Raster out(swaps_axes(o) ? image.height : image.width,
               swaps_axes(o) ? image.width : image.height, image.channels);
    // Where output (x, y) reads: the source (sx, sy) of each case, as a start and a step along x.
    auto at = [&](std::ptrdiff_t sx, std::ptrdiff_t sy) { return (sy * w + sx) * ch; };
    for (int y = 0; y < out.height; ++y) {
        std::ptrdiff_t start = 0, step = 0;
        switch (o) {
        case 2:
            start = at(w - 1, y), step = -ch;
            break; // (W-1-x, y)
        case 3:
            start = at(w - 1, h - 1 - y), step = -ch;
            break; // (W-1-x, H-1-y)
        case 4:
            start = at(0, h - 1 - y), step = ch;
            break; // (x, H-1-y)
        case 5:
            start = at(y, 0), step = w * ch;
            break; // (y, x)
        case 6:
            start = at(y, h - 1), step = -w * ch;
            break; // (y, H-1-x)
        case 7:
            start = at(w - 1 - y, h - 1), step = -w * ch;
            break; // (W-1-y, H-1-x)
        default:
            start = at(w - 1 - y, 0), step = w * ch;
            break; // 8: (W-1-y, x)
        }
        if (ch == 1) {
            copy_row<1>(out.row(y), image.pixels.data(), start, step, out.width);
        } else {
            copy_row<3>(out.row(y), image.pixels.data(), start, step, out.width);
        }
    }
    return out;
}

} // namespace thumbnail_maker::image
