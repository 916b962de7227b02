// JPEG decoding with libjpeg-turbo: shrink-on-load through the DCT (scale M/8), EXIF orientation
// read from APP1, every libjpeg error and corrupt-data warning turned into an ImageError.
#include <algorithm>
#include <string>

#include "codecs.hpp"
#include "exif.hpp"
#include "jpeg_error.hpp"

namespace thumbnail_maker::image {

namespace {

// The libjpeg state lives here, outside the setjmp() frames, so that it is still valid after a
// longjmp() (locals of the frame changed after setjmp() would be indeterminate).
struct JpegDecoder {
    jpeg_decompress_struct cinfo{}; // zeroed: jpeg_destroy on it is a no-op
    JpegErrorManager error;
    ~JpegDecoder() { jpeg_destroy_decompress(&cinfo); }
};

int find_orientation(const jpeg_decompress_struct& cinfo) {
    for (jpeg_saved_marker_ptr m = cinfo.marker_list; m != nullptr; m = m->next) {
        if (m->marker == JPEG_APP0 + 1) {
            const int o = exif_orientation({m->data, m->data_length});
            if (o != 1) {
                return o;
            }
        }
    }
    return 1;
}

// Reads the header, picks the colour space and the scale. No C++ object with a destructor may
// live in this frame (see jpeg_error.hpp); false after a libjpeg error.
bool read_header(JpegDecoder& d, std::string_view data, const JpegDecodeOptions& options,
                 Decoded& out) {
    if (setjmp(d.error.jump) != 0) {
        return false;
    }
    jpeg_decompress_struct& cinfo = d.cinfo;
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(data.data()),
                 static_cast<unsigned long>(data.size()));
    jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&cinfo, TRUE);

    out.full_width = static_cast<int>(cinfo.image_width);
    out.full_height = static_cast<int>(cinfo.image_height);
    out.orientation = find_orientation(cinfo);
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo.out_color_space = JCS_GRAYSCALE;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        cinfo.out_color_space = JCS_CMYK;
        break;
    default:
        cinfo.out_color_space = JCS_RGB;
        break;
    }
    cinfo.dct_method = options.fast_dct ? JDCT_IFAST : JDCT_ISLOW;
    cinfo.do_fancy_upsampling = options.fancy_upsampling ? TRUE : FALSE;

    // The smallest M/8 whose width, once oriented, still reaches what is asked (or the image).
    const bool transposed = out.orientation >= 5;
    const long full = transposed ? out.full_height : out.full_width;
    const long need = options.min_width <= 0 ? full : std::min<long>(options.min_width, full);
    cinfo.scale_denom = 8;
    for (unsigned m = 1; m <= 8; ++m) {
        cinfo.scale_num = m;
        jpeg_calc_output_dimensions(&cinfo);
        if (static_cast<long>(transposed ? cinfo.output_height : cinfo.output_width) >= need) {
            break;
        }
    }
    return true;
}

// Decodes every scanline into `raster` (sized from the header). Same rules as read_header.
bool read_pixels(JpegDecoder& d, Raster& raster) {
    if (setjmp(d.error.jump) != 0) {
        return false;
    }
    jpeg_decompress_struct& cinfo = d.cinfo;
    jpeg_start_decompress(&cinfo);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW rows[8];
        const auto first = static_cast<int>(cinfo.output_scanline);
        const int n = std::min(8, raster.height - first);
        for (int i = 0; i < n; ++i) {
            rows[i] = raster.row(first + i);
        }
        jpeg_read_scanlines(&cinfo, rows, static_cast<JDIMENSION>(n));
    }
    jpeg_finish_decompress(&cinfo); // reads to EOI: a missing end is a truncation
    return true;
}

[[noreturn]] void fail(const JpegDecoder& d) {
    throw ImageError(std::string("JPEG: ") + d.error.message);
}

// CMYK as libjpeg gives it, to RGB without a colour profile. Adobe (Photoshop) files store the
// inks inverted, which is what the Adobe marker tells.
Raster cmyk_to_rgb(const Raster& cmyk, bool inverted) {
    Raster rgb(cmyk.width, cmyk.height, 3);
    const std::size_t n =
        static_cast<std::size_t>(cmyk.width) * static_cast<std::size_t>(cmyk.height);
    const std::uint8_t* s = cmyk.pixels.data();
    std::uint8_t* o = rgb.pixels.data();
    for (std::size_t i = 0; i < n; ++i, s += 4, o += 3) {
        const unsigned k = inverted ? s[3] : 255u - s[3];
        for (int c = 0; c < 3; ++c) {
            const unsigned ink = inverted ? s[c] : 255u - s[c];
            o[c] = static_cast<std::uint8_t>((ink * k + 127) / 255);
        }
    }
    return rgb;
}

} // namespace

Decoded decode_jpeg(std::string_view data, const JpegDecodeOptions& options) {
    JpegDecoder d;
    d.cinfo.err = install_error_manager(d.error);
    Decoded out;
    if (!read_header(d, data, options, out)) {
        fail(d);
    }
    check_size(out.full_width, out.full_height, "JPEG");
    out.raster = Raster(static_cast<int>(d.cinfo.output_width),
                        static_cast<int>(d.cinfo.output_height), d.cinfo.out_color_components);
    if (!read_pixels(d, out.raster)) {
        fail(d);
    }
    if (out.raster.channels == 4) {
        out.raster = cmyk_to_rgb(out.raster, d.cinfo.saw_Adobe_marker != 0);
    }
    return out;
}

} // namespace thumbnail_maker::image
