// make_thumbnails on synthetic images: sizes, aspect, formats, colour.
#include <cmath>
#include <cstdlib>
#include <thread>

#include <gtest/gtest.h>

#include "samples.hpp"
#include "thumbnail_maker/image/thumbnails.hpp"

namespace {

using namespace thumbnail_maker::image;
using samples::Rgb;

const ThumbnailOptions three{.widths = {64, 256, 1024}};

// Every output decodes to the size it claims, in the format asked.
void expect_decodes(const std::vector<Thumbnail>& thumbs, Format format) {
    for (const Thumbnail& t : thumbs) {
        EXPECT_EQ(detect_format(t.bytes), format);
        const samples::Pixels p = samples::decode(t.bytes);
        EXPECT_EQ(p.width, t.width);
        EXPECT_EQ(p.height, t.height);
    }
}

void expect_near(Rgb got, Rgb want, int tolerance) {
    EXPECT_NEAR(got.r, want.r, tolerance);
    EXPECT_NEAR(got.g, want.g, tolerance);
    EXPECT_NEAR(got.b, want.b, tolerance);
}

TEST(MakeThumbnails, LargeJpegGivesEachWidthWithItsAspect) {
    const std::string jpeg = samples::encode_jpeg(samples::gradient(4000, 3000));
    const auto thumbs = make_thumbnails(jpeg, three);
    ASSERT_EQ(thumbs.size(), 3u);
    EXPECT_EQ(thumbs[0].width, 64);
    EXPECT_EQ(thumbs[0].height, 48);
    EXPECT_EQ(thumbs[1].width, 256);
    EXPECT_EQ(thumbs[1].height, 192);
    EXPECT_EQ(thumbs[2].width, 1024);
    EXPECT_EQ(thumbs[2].height, 768);
    expect_decodes(thumbs, Format::jpeg);
}

TEST(MakeThumbnails, KeepsTheOrderOfTheWidthsAsked) {
    const std::string jpeg = samples::encode_jpeg(samples::gradient(800, 600));
    const auto thumbs = make_thumbnails(jpeg, {.widths = {100, 400, 50, 400}});
    ASSERT_EQ(thumbs.size(), 4u);
    EXPECT_EQ(thumbs[0].width, 100);
    EXPECT_EQ(thumbs[1].width, 400);
    EXPECT_EQ(thumbs[2].width, 50);
    EXPECT_EQ(thumbs[3].width, 400);
    EXPECT_EQ(thumbs[3].height, 300);
    expect_decodes(thumbs, Format::jpeg);
}

TEST(MakeThumbnails, OddSizeRoundsTheHeightAndNeverUpscales) {
    const std::string jpeg = samples::encode_jpeg(samples::gradient(333, 777));
    const auto thumbs = make_thumbnails(jpeg, three);
    ASSERT_EQ(thumbs.size(), 3u);
    EXPECT_EQ(thumbs[0].width, 64);
    EXPECT_EQ(thumbs[0].height, 149); // 777 * 64 / 333 = 149.3
    EXPECT_EQ(thumbs[1].width, 256);
    EXPECT_EQ(thumbs[1].height, 597); // 597.3
    EXPECT_EQ(thumbs[2].width, 333);  // 1024 > 333: the image's own size
    EXPECT_EQ(thumbs[2].height, 777);
    expect_decodes(thumbs, Format::jpeg);
}

TEST(MakeThumbnails, OnePixelImage) {
    const std::string jpeg = samples::encode_jpeg(samples::flat(1, 1, {10, 200, 30}));
    const auto thumbs = make_thumbnails(jpeg, three);
    for (const Thumbnail& t : thumbs) {
        EXPECT_EQ(t.width, 1);
        EXPECT_EQ(t.height, 1);
    }
    expect_decodes(thumbs, Format::jpeg);
}

TEST(MakeThumbnails, VeryWideImageKeepsAtLeastOneRow) {
    const std::string png = samples::encode_png(samples::gradient(3000, 2));
    const auto thumbs = make_thumbnails(png, {.widths = {64}});
    EXPECT_EQ(thumbs[0].width, 64);
    EXPECT_EQ(thumbs[0].height, 1);
    expect_decodes(thumbs, Format::jpeg);
}

TEST(MakeThumbnails, ProgressiveJpeg) {
    const std::string jpeg =
        samples::encode_jpeg(samples::gradient(2000, 1500), {.progressive = true});
    const auto thumbs = make_thumbnails(jpeg, three);
    EXPECT_EQ(thumbs[2].width, 1024);
    EXPECT_EQ(thumbs[2].height, 768);
    expect_decodes(thumbs, Format::jpeg);
}

TEST(MakeThumbnails, FlatColourIsKeptInEveryFormat) {
    const Rgb colour{200, 100, 50};
    const std::string jpeg = samples::encode_jpeg(samples::flat(640, 480, colour));
    for (Format f : {Format::jpeg, Format::png, Format::webp}) {
        SCOPED_TRACE(std::string(format_name(f)));
        const auto thumbs = make_thumbnails(jpeg, {.widths = {64, 300}, .format = f});
        expect_decodes(thumbs, f);
        for (const Thumbnail& t : thumbs) {
            expect_near(samples::decode(t.bytes).mean(), colour, 4);
        }
    }
}

TEST(MakeThumbnails, GradientSurvivesTheResize) {
    // Left to right, red rises: the thumbnail's columns keep that order and range.
    const std::string png = samples::encode_png(samples::gradient(1000, 500));
    const auto thumbs = make_thumbnails(png, {.widths = {100}, .format = Format::png});
    const samples::Pixels p = samples::decode(thumbs[0].bytes);
    EXPECT_LT(p.rgb(0, 25).r, 10);
    EXPECT_GT(p.rgb(99, 25).r, 245);
    for (int x = 1; x < 100; ++x) {
        EXPECT_GE(p.rgb(x, 25).r + 1, p.rgb(x - 1, 25).r) << x;
    }
}

TEST(MakeThumbnails, GrayJpegStaysGray) {
    const std::string jpeg = samples::encode_jpeg(samples::gradient(500, 400, 1));
    for (Format f : {Format::jpeg, Format::png}) {
        const auto thumbs = make_thumbnails(jpeg, {.widths = {100}, .format = f});
        const samples::Pixels p = samples::decode(thumbs[0].bytes);
        EXPECT_EQ(p.channels, 1) << format_name(f);
        EXPECT_EQ(p.width, 100);
        EXPECT_EQ(p.height, 80);
    }
    // WebP has no gray: it becomes RGB with equal channels.
    const auto thumbs = make_thumbnails(jpeg, {.widths = {100}, .format = Format::webp});
    const Rgb c = samples::decode(thumbs[0].bytes).mean();
    EXPECT_NEAR(c.r, c.g, 3);
    EXPECT_NEAR(c.g, c.b, 3);
}

TEST(MakeThumbnails, CmykJpegBecomesRgb) {
    const Rgb colour{200, 100, 50};
    const std::string jpeg = samples::encode_jpeg(samples::flat(300, 200, colour), {.cmyk = true});
    const auto thumbs = make_thumbnails(jpeg, {.widths = {60}, .format = Format::png});
    const samples::Pixels p = samples::decode(thumbs[0].bytes);
    EXPECT_EQ(p.channels, 3);
    expect_near(p.mean(), colour, 4);
}

TEST(MakeThumbnails, PngInputsGrayRgbAndAlpha) {
    const auto gray = make_thumbnails(samples::encode_png(samples::gradient(400, 300, 1)),
                                      {.widths = {200}, .format = Format::png});
    EXPECT_EQ(samples::decode(gray[0].bytes).channels, 1);
    expect_decodes(gray, Format::png);

    const Rgb colour{30, 60, 220};
    const auto rgb = make_thumbnails(samples::encode_png(samples::flat(400, 300, colour)),
                                     {.widths = {200, 50}});
    EXPECT_EQ(rgb[0].height, 150);
    expect_decodes(rgb, Format::jpeg);
    expect_near(samples::decode(rgb[1].bytes).mean(), colour, 4);

    // Half-transparent red over white comes out pink: libpng composites in linear light, so
    // half of the way is 187 in sRGB, not 127.
    samples::Pixels rgba = samples::flat(400, 300, {255, 0, 0}, 4);
    for (std::size_t i = 3; i < rgba.data.size(); i += 4) {
        rgba.data[i] = 128;
    }
    const auto pink = make_thumbnails(samples::encode_png(rgba), {.widths = {100}});
    expect_near(samples::decode(pink[0].bytes).mean(), {255, 187, 187}, 6);
}

TEST(MakeThumbnails, WebpInputsLossyLosslessAndAlpha) {
    const Rgb colour{120, 200, 80};
    for (bool lossless : {false, true}) {
        const auto thumbs =
            make_thumbnails(samples::encode_webp(samples::flat(640, 360, colour), lossless), three);
        EXPECT_EQ(thumbs[1].width, 256);
        EXPECT_EQ(thumbs[1].height, 144);
        EXPECT_EQ(thumbs[2].width, 640);
        expect_decodes(thumbs, Format::jpeg);
        expect_near(samples::decode(thumbs[0].bytes).mean(), colour, 5);
    }
    samples::Pixels clear = samples::flat(200, 100, {0, 0, 0}, 4);
    for (std::size_t i = 3; i < clear.data.size(); i += 4) {
        clear.data[i] = 0;
    }
    const auto white = make_thumbnails(samples::encode_webp(clear, true), {.widths = {50}});
    expect_near(samples::decode(white[0].bytes).mean(), {255, 255, 255}, 3);
}

TEST(MakeThumbnails, EveryOutputFormatFromEveryInputFormat) {
    const samples::Pixels pixels = samples::gradient(900, 600);
    for (const std::string& input : {samples::encode_jpeg(pixels), samples::encode_png(pixels),
                                     samples::encode_webp(pixels)}) {
        for (Format f : {Format::jpeg, Format::png, Format::webp}) {
            const auto thumbs = make_thumbnails(input, {.widths = {64, 256}, .format = f});
            EXPECT_EQ(thumbs[1].height, 171); // 600 * 256 / 900 = 170.7
            expect_decodes(thumbs, f);
        }
    }
}

TEST(MakeThumbnails, QualityChangesTheJpegSize) {
    const std::string jpeg = samples::encode_jpeg(samples::gradient(1200, 900));
    const auto low = make_thumbnails(jpeg, {.widths = {512}, .quality = 20});
    const auto high = make_thumbnails(jpeg, {.widths = {512}, .quality = 98});
    EXPECT_LT(low[0].bytes.size(), high[0].bytes.size());
}

TEST(MakeThumbnails, CallsOnSeveralThreadsShareNothing) {
    // The pipeline runs one image per worker; under TSan this shows there is no shared state.
    const std::string jpeg = samples::encode_jpeg(samples::gradient(1600, 1200));
    const std::string png = samples::encode_png(samples::gradient(700, 500));
    auto input = [&](std::size_t i) -> const std::string& { return i < 2 ? jpeg : png; };
    auto options = [](std::size_t i) {
        return ThumbnailOptions{.widths = {64, 256},
                                .format = i % 2 == 0 ? Format::jpeg : Format::webp};
    };
    std::vector<std::vector<Thumbnail>> results(4);
    {
        std::vector<std::jthread> threads;
        for (std::size_t i = 0; i < results.size(); ++i) {
            threads.emplace_back([&, i] { results[i] = make_thumbnails(input(i), options(i)); });
        }
    }
    for (std::size_t i = 0; i < results.size(); ++i) {
        ASSERT_EQ(results[i].size(), 2u);
        expect_decodes(results[i], options(i).format);
        // Deterministic: the same bytes as a call on this thread alone.
        EXPECT_EQ(results[i][1].bytes, make_thumbnails(input(i), options(i))[1].bytes);
    }
}

TEST(DetectFormat, NamesAndExtensions) {
    EXPECT_EQ(format_name(Format::jpeg), "jpeg");
    EXPECT_EQ(format_extension(Format::jpeg), "jpg");
    EXPECT_EQ(format_extension(Format::png), "png");
    EXPECT_EQ(format_extension(Format::webp), "webp");
    EXPECT_EQ(detect_format(samples::encode_png(samples::gradient(2, 2))), Format::png);
}

} // namespace
