// WebP through libwebp's advanced decoding API (for its status codes) and its simple encoder.
#include <string>

#include <webp/decode.h>
#include <webp/encode.h>

#include "codecs.hpp"
#include "exif.hpp"

namespace thumbnail_maker::image {

namespace {

const char* status_text(VP8StatusCode status) {
    switch (status) {
    case VP8_STATUS_OK:
        return "ok";
    case VP8_STATUS_OUT_OF_MEMORY:
        return "out of memory";
    case VP8_STATUS_INVALID_PARAM:
        return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR:
        return "corrupt data";
    case VP8_STATUS_UNSUPPORTED_FEATURE:
        return "unsupported feature";
    case VP8_STATUS_SUSPENDED:
        return "suspended";
    case VP8_STATUS_USER_ABORT:
        return "aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA:
        return "truncated data";
    }
    return "unknown error";
}

// Alpha over white, from the RGBA buffer into the RGB raster.
void flatten_alpha(Raster& image, const Bytes& rgba) {
    const std::size_t n = rgba.size() / 4;
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned a = rgba[4 * i + 3];
        for (std::size_t c = 0; c < 3; ++c) {
            const unsigned v = rgba[4 * i + c] * a + 255u * (255u - a);
            image.pixels[3 * i + c] = static_cast<std::uint8_t>((v + 127) / 255);
        }
    }
}

} // namespace

Decoded decode_webp(std::string_view data) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
    WebPDecoderConfig config;
    if (WebPInitDecoderConfig(&config) == 0) {
        throw ImageError("WebP: libwebp version mismatch");
    }
    VP8StatusCode status = WebPGetFeatures(bytes, data.size(), &config.input);
    if (status != VP8_STATUS_OK) {
        throw ImageError(std::string("WebP: ") + status_text(status));
    }
    if (config.input.has_animation != 0) {
        throw ImageError("WebP: animated images are not supported");
    }
    Decoded out;
    check_size(config.input.width, config.input.height, "WebP");
    out.full_width = config.input.width;
    out.full_height = config.input.height;
    out.orientation = webp_orientation({bytes, data.size()});
    out.raster = Raster(out.full_width, out.full_height, 3);
    const bool alpha = config.input.has_alpha != 0;
    Bytes rgba;
    if (alpha) {
        rgba.resize(out.raster.pixels.size() / 3 * 4);
    }
    Bytes& target = alpha ? rgba : out.raster.pixels;
    config.output.colorspace = alpha ? MODE_RGBA : MODE_RGB;
    config.output.is_external_memory = 1; // decode straight into our buffer
    config.output.u.RGBA.rgba = target.data();
    config.output.u.RGBA.stride = out.full_width * (alpha ? 4 : 3);
    config.output.u.RGBA.size = target.size();
    status = WebPDecode(bytes, data.size(), &config);
    WebPFreeDecBuffer(&config.output); // no-op for external memory, but the API asks for it
    if (status != VP8_STATUS_OK) {
        throw ImageError(std::string("WebP: ") + status_text(status));
    }
    if (alpha) {
        flatten_alpha(out.raster, rgba);
    }
    return out;
}

std::string encode_webp(const Raster& image, int quality) {
    const Raster* rgb = &image;
    Raster expanded;
    if (image.channels == 1) {
        expanded = Raster(image.width, image.height, 3);
        for (std::size_t i = 0; i < image.pixels.size(); ++i) {
            expanded.pixels[3 * i] = expanded.pixels[3 * i + 1] = expanded.pixels[3 * i + 2] =
                image.pixels[i];
        }
        rgb = &expanded;
    }
    std::uint8_t* output = nullptr;
    const std::size_t size =
        WebPEncodeRGB(rgb->pixels.data(), rgb->width, rgb->height,
                      static_cast<int>(rgb->row_bytes()), static_cast<float>(quality), &output);
    if (size == 0) {
        WebPFree(output);
        throw ImageError("WebP encoding failed (" + std::to_string(image.width) + "x" +
                         std::to_string(image.height) + ", the limit is 16383x16383)");
    }
    std::string out(reinterpret_cast<const char*>(output), size);
    WebPFree(output);
    return out;
}

} // namespace thumbnail_maker::image
