// Test images made in the test: synthetic pixels, encoded and decoded straight with libjpeg,
// libpng and libwebp (not through the code under test), so the tests need no files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace samples {

struct Rgb {
    int r = 0, g = 0, b = 0;
};

/// Pixels with 1 (gray), 3 (RGB) or 4 (RGBA) samples, packed rows.
struct Pixels {
    int width = 0;
    int height = 0;
    int channels = 3;
    std::vector<std::uint8_t> data;

    Pixels(int w, int h, int ch);
    std::uint8_t* at(int x, int y) {
        return data.data() + (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                              static_cast<std::size_t>(x)) *
                                 static_cast<std::size_t>(channels);
    }
    /// The pixel as RGB (gray replicated).
    Rgb rgb(int x, int y) const;
    /// The mean colour of the rectangle [x0, x1) x [y0, y1).
    Rgb mean(int x0, int y0, int x1, int y1) const;
    Rgb mean() const { return mean(0, 0, width, height); }
};

/// A smooth RGB gradient (or gray ramp for channels == 1).
Pixels gradient(int w, int h, int channels = 3);
/// One colour everywhere (alpha 255 if channels == 4).
Pixels flat(int w, int h, Rgb colour, int channels = 3);
/// Black, with a red top-left and a green top-right quadrant (for orientation checks).
Pixels corners(int w, int h);

struct JpegOptions {
    int quality = 92;
    bool progressive = false;
    int orientation = 0;    // 0: no Exif APP1; 1..8: an Exif APP1 with that Orientation
    bool big_endian = true; // the Exif byte order ("MM" or "II")
    bool cmyk = false;      // encode the RGB pixels as Adobe (inverted) CMYK
};
std::string encode_jpeg(const Pixels& pixels, const JpegOptions& options = {});
std::string encode_png(const Pixels& pixels);                         // gray, RGB or RGBA
std::string encode_webp(const Pixels& pixels, bool lossless = false); // RGB or RGBA

/// Decodes JPEG, PNG or WebP with the libraries' simple paths; ADD_FAILURE and empty on errors.
Pixels decode(std::string_view bytes);

/// `png` with an eXIf chunk (Orientation = value) after its header.
std::string with_png_exif(const std::string& png, int orientation);
/// `webp` (a simple lossy file of that size) made an extended file with an EXIF chunk.
std::string with_webp_exif(const std::string& webp, int width, int height, int orientation);

/// `png` with its IHDR claiming width x height (CRC fixed), for decompression-bomb checks.
std::string png_claiming(const std::string& png, std::uint32_t width, std::uint32_t height);

/// The Exif APP1 payload ("Exif\0\0" + TIFF with one IFD0 entry: Orientation = value).
std::string exif_app1(int orientation, bool big_endian);

} // namespace samples
