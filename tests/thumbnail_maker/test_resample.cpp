// The Lanczos-3 resampler on its own.
#include <gtest/gtest.h>

#include "thumbnail_maker/image/resample.hpp"

namespace {

using namespace thumbnail_maker::image;

Raster filled(int w, int h, int ch, std::uint8_t v) {
    Raster r(w, h, ch);
    std::fill(r.pixels.begin(), r.pixels.end(), v);
    return r;
}

TEST(Resample, FlatStaysExactlyFlat) {
    for (int ch : {1, 3}) {
        for (auto [w, h] : {std::pair{97, 13}, {1, 1}, {640, 480}, {3, 700}}) {
            const Raster out = resize_lanczos3(filled(1280, 720, ch, 77), w, h);
            ASSERT_EQ(out.width, w);
            ASSERT_EQ(out.height, h);
            ASSERT_EQ(out.channels, ch);
            for (std::uint8_t v : out.pixels) {
                ASSERT_EQ(v, 77);
            }
        }
    }
}

TEST(Resample, SameSizeIsACopy) {
    Raster r(5, 4, 3);
    for (std::size_t i = 0; i < r.pixels.size(); ++i) {
        r.pixels[i] = static_cast<std::uint8_t>(i * 7);
    }
    EXPECT_EQ(resize_lanczos3(r, 5, 4).pixels, r.pixels);
}

TEST(Resample, ExtremeRatiosStayInBounds) {
    // A 100x shrink (601 taps a side) and a 1-pixel-wide source.
    const Raster a = resize_lanczos3(filled(5000, 300, 3, 200), 50, 3);
    EXPECT_EQ(a.width, 50);
    EXPECT_EQ(a.pixels[0], 200);
    const Raster b = resize_lanczos3(filled(1, 900, 1, 9), 1, 10);
    EXPECT_EQ(b.height, 10);
    EXPECT_EQ(b.pixels[9], 9);
}

TEST(Resample, SharpEdgeRingsLittleAndClampsToBytes) {
    // Black | white halves: Lanczos overshoots at the edge; the output must clamp, not wrap.
    Raster r(400, 4, 1);
    for (int y = 0; y < 4; ++y) {
        for (int x = 0; x < 400; ++x) {
            r.row(y)[x] = x < 200 ? 0 : 255;
        }
    }
    const Raster out = resize_lanczos3(r, 130, 2);
    EXPECT_EQ(out.row(0)[0], 0);
    EXPECT_EQ(out.row(0)[129], 255);
    for (int x = 1; x < 130; ++x) {
        EXPECT_GE(out.row(1)[x] + 12, out.row(1)[x - 1]) << x; // rises, up to small ripples
    }
}

} // namespace
