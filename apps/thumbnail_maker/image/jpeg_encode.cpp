// JPEG encoding with libjpeg-turbo into memory.
#include <cstdlib>
#include <string>

#include "codecs.hpp"
#include "jpeg_error.hpp"

namespace thumbnail_maker::image {

namespace {

// State outside the setjmp() frame, as in jpeg_decode.cpp. libjpeg mallocs the output buffer.
struct JpegEncoder {
    jpeg_compress_struct cinfo{};
    JpegErrorManager error;
    unsigned char* buffer = nullptr;
    unsigned long size = 0;
    ~JpegEncoder() {
        jpeg_destroy_compress(&cinfo);
        std::free(buffer);
    }
};

bool compress(JpegEncoder& e, const Raster& image, int quality) {
    if (setjmp(e.error.jump) != 0) {
        return false;
    }
    jpeg_compress_struct& cinfo = e.cinfo;
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &e.buffer, &e.size);
    cinfo.image_width = static_cast<JDIMENSION>(image.width);
    cinfo.image_height = static_cast<JDIMENSION>(image.height);
    cinfo.input_components = image.channels;
    cinfo.in_color_space = image.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo); // baseline, 4:2:0, JDCT_ISLOW, optimize_coding off
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        // libjpeg's API takes non-const rows but only reads them when compressing.
        JSAMPROW row = const_cast<JSAMPROW>(image.row(static_cast<int>(cinfo.next_scanline)));
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    return true;
}

} // namespace

std::string encode_jpeg(const Raster& image, int quality) {
    JpegEncoder e;
    e.cinfo.err = install_error_manager(e.error);
    if (!compress(e, image, quality)) {
        throw ImageError(std::string("JPEG encoding: ") + e.error.message);
    }
    return std::string(reinterpret_cast<const char*>(e.buffer), e.size);
}

} // namespace thumbnail_maker::image
