// PNG through libpng's simplified API (no setjmp of ours: libpng handles its own errors and
// reports them in png_image::message).
#include <cstring>
#include <string>

#include <png.h>

#include "codecs.hpp"
#include "exif.hpp"

namespace thumbnail_maker::image {

Decoded decode_png(std::string_view data) {
    png_image png;
    std::memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    if (png_image_begin_read_from_memory(&png, data.data(), data.size()) == 0) {
        throw ImageError(std::string("PNG: ") + png.message);
    }
    // From here png owns memory that png_image_free releases, also when we throw.
    struct Free {
        png_image* p;
        ~Free() { png_image_free(p); }
    } free_png{&png};
    const bool color = (png.format & PNG_FORMAT_FLAG_COLOR) != 0;
    png.format = color ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY; // 8-bit, alpha composited
    Decoded out;
    check_size(png.width, png.height, "PNG");
    out.full_width = static_cast<int>(png.width);
    out.full_height = static_cast<int>(png.height);
    out.orientation =
        png_orientation({reinterpret_cast<const std::uint8_t*>(data.data()), data.size()});
    out.raster = Raster(out.full_width, out.full_height, color ? 3 : 1);
    const png_color white{255, 255, 255};
    if (png_image_finish_read(&png, &white, out.raster.pixels.data(),
                              static_cast<png_int_32>(out.raster.row_bytes()), nullptr) == 0) {
        throw ImageError(std::string("PNG: ") + png.message);
    }
    return out;
}

std::string encode_png(const Raster& image) {
    png_image png;
    std::memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    png.width = static_cast<png_uint_32>(image.width);
    png.height = static_cast<png_uint_32>(image.height);
    png.format = image.channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    // First the worst-case size, so that one compression pass suffices.
    png_alloc_size_t size = PNG_IMAGE_PNG_SIZE_MAX(png);
    std::string out(size, '\0');
    if (png_image_write_to_memory(&png, out.data(), &size, 0, image.pixels.data(),
                                  static_cast<png_int_32>(image.row_bytes()), nullptr) == 0) {
        const std::string message = png.message;
        png_image_free(&png);
        throw ImageError("PNG encoding: " + message);
    }
    out.resize(size);
    return out;
}

} // namespace thumbnail_maker::image
