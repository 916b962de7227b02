// EXIF orientation: the stored image has red top-left and green top-right; each orientation
// must put them where a viewer shows them, and swap the sides for 5..8.
#include <gtest/gtest.h>

#include "samples.hpp"
#include "thumbnail_maker/image/exif.hpp"
#include "thumbnail_maker/image/thumbnails.hpp"

namespace {

using namespace thumbnail_maker::image;

std::span<const std::uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

enum Corner { TL, TR, BL, BR };

samples::Rgb corner_mean(const samples::Pixels& p, Corner c) {
    // The centre of the corner's quadrant, away from the blurred edges.
    const int x = (c == TL || c == BL) ? p.width / 4 : 3 * p.width / 4;
    const int y = (c == TL || c == TR) ? p.height / 4 : 3 * p.height / 4;
    const int rx = std::max(1, p.width / 16), ry = std::max(1, p.height / 16);
    return p.mean(x - rx, y - ry, x + rx, y + ry);
}

struct Case {
    int orientation;
    Corner red, green;
};

// Where the stored top-left (red) and top-right (green) are shown, per orientation.
const Case cases[] = {{1, TL, TR}, {2, TR, TL}, {3, BR, BL}, {4, BL, BR},
                      {5, TL, BL}, {6, TR, BR}, {7, BR, TR}, {8, BL, TL}};

class Orientation : public ::testing::TestWithParam<bool> {};

TEST_P(Orientation, CornersEndUpWhereTheViewerShowsThem) {
    const bool big_endian = GetParam();
    const samples::Pixels stored = samples::corners(400, 200);
    for (const Case& c : cases) {
        SCOPED_TRACE("orientation " + std::to_string(c.orientation));
        const std::string jpeg =
            samples::encode_jpeg(stored, {.orientation = c.orientation, .big_endian = big_endian});
        const auto thumbs = make_thumbnails(jpeg, {.widths = {100, 1000}, .format = Format::png});
        const bool swapped = c.orientation >= 5;
        EXPECT_EQ(thumbs[0].width, 100);
        EXPECT_EQ(thumbs[0].height, swapped ? 200 : 50);
        EXPECT_EQ(thumbs[1].width, swapped ? 200 : 400); // never upscaled, oriented width
        EXPECT_EQ(thumbs[1].height, swapped ? 400 : 200);
        for (const Thumbnail& t : thumbs) {
            const samples::Pixels p = samples::decode(t.bytes);
            ASSERT_EQ(p.width, t.width);
            for (Corner k : {TL, TR, BL, BR}) {
                const samples::Rgb m = corner_mean(p, k);
                EXPECT_EQ(m.r > 128, k == c.red) << "corner " << k << " r=" << m.r;
                EXPECT_EQ(m.g > 128, k == c.green) << "corner " << k << " g=" << m.g;
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(ByteOrder, Orientation, ::testing::Bool(),
                         [](const auto& p) { return p.param ? "MM" : "II"; });

TEST(ContainerExif, PngAndWebpChunksAreApplied) {
    const samples::Pixels stored = samples::corners(400, 200);
    const std::string png = samples::encode_png(stored);
    const std::string webp = samples::encode_webp(stored, true);
    for (const Case& c : {cases[2], cases[5], cases[7]}) {
        SCOPED_TRACE("orientation " + std::to_string(c.orientation));
        for (const std::string& input : {samples::with_png_exif(png, c.orientation),
                                         samples::with_webp_exif(webp, 400, 200, c.orientation)}) {
            const auto thumbs = make_thumbnails(input, {.widths = {100}, .format = Format::png});
            EXPECT_EQ(thumbs[0].height, c.orientation >= 5 ? 200 : 50);
            const samples::Pixels p = samples::decode(thumbs[0].bytes);
            EXPECT_GT(corner_mean(p, c.red).r, 128);
            EXPECT_GT(corner_mean(p, c.green).g, 128);
        }
    }
}

TEST(ContainerExif, EveryTruncationIsSafe) {
    // Cut anywhere, the chunk walks stay in bounds (ASan watches) and find 6 or nothing.
    const samples::Pixels pixels = samples::gradient(20, 10);
    const std::string png = samples::with_png_exif(samples::encode_png(pixels), 6);
    const std::string webp = samples::with_webp_exif(samples::encode_webp(pixels), 20, 10, 6);
    EXPECT_EQ(png_orientation(bytes(png)), 6);
    EXPECT_EQ(webp_orientation(bytes(webp)), 6);
    for (std::size_t n = 0; n < png.size(); ++n) {
        const int o = png_orientation(bytes(png).first(n));
        EXPECT_TRUE(o == 1 || o == 6) << n;
    }
    for (std::size_t n = 0; n < webp.size(); ++n) {
        const int o = webp_orientation(bytes(webp).first(n));
        EXPECT_TRUE(o == 1 || o == 6) << n;
    }
    EXPECT_EQ(png_orientation(bytes(samples::encode_png(pixels))), 1);
}

TEST(OrientedShrinkOnLoad, UsesTheOrientedWidth) {
    // Stored 4000x1000, shown 1000x4000: 500 wide needs the stored height >= 500, so the
    // decoder may shrink by 2 only, and the result must still be sharp and the right size.
    const std::string jpeg =
        samples::encode_jpeg(samples::gradient(4000, 1000), {.orientation = 6});
    const auto thumbs = make_thumbnails(jpeg, {.widths = {500, 64}});
    EXPECT_EQ(thumbs[0].width, 500);
    EXPECT_EQ(thumbs[0].height, 2000);
    EXPECT_EQ(thumbs[1].width, 64);
    EXPECT_EQ(thumbs[1].height, 256);
}

TEST(ExifOrientation, ReadsBothByteOrders) {
    for (int o = 1; o <= 8; ++o) {
        EXPECT_EQ(exif_orientation(bytes(samples::exif_app1(o, true))), o);
        EXPECT_EQ(exif_orientation(bytes(samples::exif_app1(o, false))), o);
    }
}

TEST(ExifOrientation, AnythingMalformedMeansOne) {
    EXPECT_EQ(exif_orientation({}), 1);
    EXPECT_EQ(exif_orientation(bytes("http://ns.adobe.com/xap/1.0/")), 1); // XMP, not Exif
    EXPECT_EQ(exif_orientation(bytes(samples::exif_app1(0, true))), 1);
    EXPECT_EQ(exif_orientation(bytes(samples::exif_app1(9, false))), 1);
    std::string s = samples::exif_app1(6, true);
    for (std::size_t n = 0; n < s.size() - 6; ++n) { // every cut before the value's end
        const std::string cut = s.substr(0, n);
        EXPECT_EQ(exif_orientation(bytes(cut)), 1) << n;
    }
    s[6] = 'X'; // neither MM nor II
    EXPECT_EQ(exif_orientation(bytes(s)), 1);
    s = samples::exif_app1(6, true);
    s[6 + 4 + 3] = 100; // IFD0 offset past the end
    EXPECT_EQ(exif_orientation(bytes(s)), 1);
}

} // namespace
