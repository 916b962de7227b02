#include "thumbnail_maker/tool/resize.hpp"

namespace thumbnail_maker {

std::vector<image::Thumbnail> resize(std::string encoded, std::vector<int> widths, int format,
                                     int quality) {
    return image::make_thumbnails(encoded, {.widths = std::move(widths),
                                            .format = static_cast<image::Format>(format),
                                            .quality = quality});
}

} // namespace thumbnail_maker
