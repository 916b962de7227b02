#include "samples.hpp"

#include <cstdio>
#include <cstring>

#include <gtest/gtest.h>
#include <jpeglib.h>
#include <png.h>
#include <webp/decode.h>
#include <webp/encode.h>

namespace samples {

Pixels::Pixels(int w, int h, int ch)
    : width(w), height(h), channels(ch),
      data(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) *
           static_cast<std::size_t>(ch)) {}

Rgb Pixels::rgb(int x, int y) const {
    const std::uint8_t* p = const_cast<Pixels*>(this)->at(x, y);
    return channels == 1 ? Rgb{p[0], p[0], p[0]} : Rgb{p[0], p[1], p[2]};
}

Rgb Pixels::mean(int x0, int y0, int x1, int y1) const {
    double s[3] = {};
    for (int y = y0; y < y1; ++y) {
        for (int x = x0; x < x1; ++x) {
            const Rgb c = rgb(x, y);
            s[0] += c.r, s[1] += c.g, s[2] += c.b;
        }
    }
    const double n = double(x1 - x0) * double(y1 - y0);
    return {int(s[0] / n + 0.5), int(s[1] / n + 0.5), int(s[2] / n + 0.5)};
}

Pixels gradient(int w, int h, int channels) {
    Pixels p(w, h, channels);
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            std::uint8_t* q = p.at(x, y);
            const int gx = w > 1 ? 255 * x / (w - 1) : 128, gy = h > 1 ? 255 * y / (h - 1) : 128;
            q[0] = static_cast<std::uint8_t>(gx);
            if (channels >= 3) {
                q[1] = static_cast<std::uint8_t>(gy);
                q[2] = static_cast<std::uint8_t>(255 - (gx + gy) / 2);
            }
            if (channels == 4) {
                q[3] = 255;
            }
        }
    }
    return p;
}

Pixels flat(int w, int h, Rgb colour, int channels) {
    Pixels p(w, h, channels);
    const std::uint8_t c[4] = {static_cast<std::uint8_t>(colour.r),
                               static_cast<std::uint8_t>(colour.g),
                               static_cast<std::uint8_t>(colour.b), 255};
    for (std::size_t i = 0; i < p.data.size(); ++i) {
        p.data[i] = c[i % static_cast<std::size_t>(channels)];
    }
    return p;
}

Pixels corners(int w, int h) {
    Pixels p(w, h, 3);
    for (int y = 0; y < h / 2; ++y) {
        for (int x = 0; x < w / 2; ++x) {
            p.at(x, y)[0] = 255;         // red, top left
            p.at(w - 1 - x, y)[1] = 255; // green, top right
        }
    }
    return p;
}

std::string exif_app1(int orientation, bool big_endian) {
    auto u16 = [&](int v) {
        const char hi = static_cast<char>(v >> 8), lo = static_cast<char>(v & 0xFF);
        return big_endian ? std::string{hi, lo} : std::string{lo, hi};
    };
    auto u32 = [&](int v) {
        return big_endian ? u16(v >> 16) + u16(v & 0xFFFF) : u16(v & 0xFFFF) + u16(v >> 16);
    };
    std::string s("Exif\0\0", 6);
    s += big_endian ? "MM" : "II";
    s += u16(42) + u32(8);                                        // IFD0 at offset 8
    s += u16(2);                                                  // two entries
    s += u16(0x010F) + u16(2) + u32(4) + std::string("Cam\0", 4); // Make, ASCII, inline
    s += u16(0x0112) + u16(3) + u32(1) + u16(orientation) + u16(0);
    s += u32(0); // no next IFD
    return s;
}

std::string encode_jpeg(const Pixels& pixels, const JpegOptions& options) {
    jpeg_compress_struct cinfo;
    jpeg_error_mgr err;
    cinfo.err = jpeg_std_error(&err);
    jpeg_create_compress(&cinfo);
    unsigned char* buffer = nullptr;
    unsigned long size = 0;
    jpeg_mem_dest(&cinfo, &buffer, &size);
    cinfo.image_width = static_cast<JDIMENSION>(pixels.width);
    cinfo.image_height = static_cast<JDIMENSION>(pixels.height);
    cinfo.input_components = options.cmyk ? 4 : pixels.channels;
    cinfo.in_color_space =
        options.cmyk ? JCS_CMYK : (pixels.channels == 1 ? JCS_GRAYSCALE : JCS_RGB);
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, options.quality, TRUE);
    if (options.progressive) {
        jpeg_simple_progression(&cinfo);
    }
    jpeg_start_compress(&cinfo, TRUE);
    if (options.orientation != 0) {
        const std::string app1 = exif_app1(options.orientation, options.big_endian);
        jpeg_write_marker(&cinfo, JPEG_APP0 + 1, reinterpret_cast<const JOCTET*>(app1.data()),
                          static_cast<unsigned>(app1.size()));
    }
    std::vector<std::uint8_t> row(static_cast<std::size_t>(pixels.width) * 4);
    while (cinfo.next_scanline < cinfo.image_height) {
        const int y = static_cast<int>(cinfo.next_scanline);
        JSAMPROW r = const_cast<Pixels&>(pixels).at(0, y);
        if (options.cmyk) { // RGB to inverted CMYK with K = 0 (stored 255)
            for (int x = 0; x < pixels.width; ++x) {
                const Rgb c = pixels.rgb(x, y);
                std::uint8_t* q = &row[static_cast<std::size_t>(x) * 4];
                q[0] = static_cast<std::uint8_t>(c.r), q[1] = static_cast<std::uint8_t>(c.g);
                q[2] = static_cast<std::uint8_t>(c.b), q[3] = 255;
            }
            r = row.data();
        }
        jpeg_write_scanlines(&cinfo, &r, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    std::string out(reinterpret_cast<char*>(buffer), size);
    std::free(buffer);
    return out;
}

std::string encode_png(const Pixels& pixels) {
    png_image png;
    std::memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    png.width = static_cast<png_uint_32>(pixels.width);
    png.height = static_cast<png_uint_32>(pixels.height);
    png.format = pixels.channels == 1   ? PNG_FORMAT_GRAY
                 : pixels.channels == 3 ? PNG_FORMAT_RGB
                                        : PNG_FORMAT_RGBA;
    png_alloc_size_t size = 0;
    EXPECT_NE(png_image_write_get_memory_size(png, size, 0, pixels.data.data(), 0, nullptr), 0);
    std::string out(size, '\0');
    EXPECT_NE(png_image_write_to_memory(&png, out.data(), &size, 0, pixels.data.data(), 0, nullptr),
              0);
    out.resize(size);
    return out;
}

std::string encode_webp(const Pixels& pixels, bool lossless) {
    std::uint8_t* output = nullptr;
    const int stride = pixels.width * pixels.channels;
    std::size_t size = 0;
    if (pixels.channels == 4) {
        size = lossless ? WebPEncodeLosslessRGBA(pixels.data.data(), pixels.width, pixels.height,
                                                 stride, &output)
                        : WebPEncodeRGBA(pixels.data.data(), pixels.width, pixels.height, stride,
                                         90, &output);
    } else {
        size = lossless ? WebPEncodeLosslessRGB(pixels.data.data(), pixels.width, pixels.height,
                                                stride, &output)
                        : WebPEncodeRGB(pixels.data.data(), pixels.width, pixels.height, stride, 90,
                                        &output);
    }
    EXPECT_NE(size, 0u);
    std::string out(reinterpret_cast<char*>(output), size);
    WebPFree(output);
    return out;
}

namespace {

std::string be32(std::uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
            static_cast<char>(v)};
}

std::string le(std::uint32_t v, int bytes) {
    std::string s;
    for (int i = 0; i < bytes; ++i) {
        s += static_cast<char>(v >> (8 * i));
    }
    return s;
}

std::uint32_t crc32(std::string_view bytes) { // PNG's CRC, bit by bit
    std::uint32_t c = 0xFFFFFFFFu;
    for (char ch : bytes) {
        c ^= static_cast<std::uint8_t>(ch);
        for (int k = 0; k < 8; ++k) {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
    }
    return c ^ 0xFFFFFFFFu;
}

} // namespace

std::string with_png_exif(const std::string& png, int orientation) {
    const std::string tiff = exif_app1(orientation, true).substr(6); // PNG keeps no prefix
    const std::string body = "eXIf" + tiff;
    const std::string chunk =
        be32(static_cast<std::uint32_t>(tiff.size())) + body + be32(crc32(body));
    return png.substr(0, 33) + chunk + png.substr(33); // after the signature and IHDR
}

std::string png_claiming(const std::string& png, std::uint32_t width, std::uint32_t height) {
    // IHDR: length at 8, "IHDR" at 12, width at 16, height at 20, 13 data bytes, CRC at 29.
    std::string out = png;
    out.replace(16, 8, be32(width) + be32(height));
    out.replace(29, 4, be32(crc32(std::string_view(out).substr(12, 17))));
    return out;
}

std::string with_webp_exif(const std::string& webp, int width, int height, int orientation) {
    const std::string tiff = exif_app1(orientation, false).substr(6);
    std::string chunks = "VP8X" + le(10, 4) + std::string("\x08\0\0\0", 4) + // EXIF flag
                         le(static_cast<std::uint32_t>(width - 1), 3) +
                         le(static_cast<std::uint32_t>(height - 1), 3);
    chunks += webp.substr(12); // the VP8 chunk
    chunks += "EXIF" + le(static_cast<std::uint32_t>(tiff.size()), 4) + tiff;
    if (tiff.size() % 2 != 0) {
        chunks += '\0';
    }
    return "RIFF" + le(static_cast<std::uint32_t>(chunks.size() + 4), 4) + "WEBP" + chunks;
}

namespace {

Pixels decode_jpeg(std::string_view bytes) {
    jpeg_decompress_struct cinfo;
    jpeg_error_mgr err;
    cinfo.err = jpeg_std_error(&err);
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()),
                 static_cast<unsigned long>(bytes.size()));
    jpeg_read_header(&cinfo, TRUE);
    jpeg_start_decompress(&cinfo);
    Pixels p(static_cast<int>(cinfo.output_width), static_cast<int>(cinfo.output_height),
             cinfo.output_components);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW r = p.at(0, static_cast<int>(cinfo.output_scanline));
        jpeg_read_scanlines(&cinfo, &r, 1);
    }
    EXPECT_EQ(err.num_warnings, 0);
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return p;
}

Pixels decode_png(std::string_view bytes) {
    png_image png;
    std::memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    if (png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()) == 0) {
        ADD_FAILURE() << "PNG: " << png.message;
        return Pixels(0, 0, 3);
    }
    const bool gray = (png.format & PNG_FORMAT_FLAG_COLOR) == 0;
    png.format = gray ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    Pixels p(static_cast<int>(png.width), static_cast<int>(png.height), gray ? 1 : 3);
    if (png_image_finish_read(&png, nullptr, p.data.data(), 0, nullptr) == 0) {
        ADD_FAILURE() << "PNG: " << png.message;
    }
    return p;
}

Pixels decode_webp(std::string_view bytes) {
    int w = 0, h = 0;
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    std::uint8_t* rgb = WebPDecodeRGB(data, bytes.size(), &w, &h);
    if (rgb == nullptr) {
        ADD_FAILURE() << "WebP: cannot decode";
        return Pixels(0, 0, 3);
    }
    Pixels p(w, h, 3);
    std::memcpy(p.data.data(), rgb, p.data.size());
    WebPFree(rgb);
    return p;
}

} // namespace

Pixels decode(std::string_view bytes) {
    if (bytes.substr(0, 2) == "\xFF\xD8") {
        return decode_jpeg(bytes);
    }
    if (bytes.substr(0, 4) == "\x89PNG") {
        return decode_png(bytes);
    }
    if (bytes.substr(0, 4) == "RIFF") {
        return decode_webp(bytes);
    }
    ADD_FAILURE() << "not an image we know (" << bytes.size() << " bytes)";
    return Pixels(0, 0, 3);
}

} // namespace samples
