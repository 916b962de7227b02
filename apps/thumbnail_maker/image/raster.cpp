#include "raster.hpp"

#include <string>

namespace thumbnail_maker::image {

void check_size(std::int64_t w, std::int64_t h, const char* what) {
    if (w <= 0 || h <= 0) {
        throw ImageError(std::string(what) + ": empty image (" + std::to_string(w) + "x" +
                         std::to_string(h) + ")");
    }
    if (w > max_pixels / h) {
        throw ImageError(std::string(what) + ": image too large (" + std::to_string(w) + "x" +
                         std::to_string(h) + " pixels, limit " + std::to_string(max_pixels) + ")");
    }
}

Raster::Raster(int w, int h, int ch) : width(w), height(h), channels(ch) {
    check_size(w, h, "raster");
    pixels.resize(row_bytes() * static_cast<std::size_t>(h));
}

} // namespace thumbnail_maker::image
