// Every kind of bad input or option is an ImageError that says what is wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "samples.hpp"
#include "thumbnail_maker/image/thumbnails.hpp"

namespace {

using namespace thumbnail_maker::image;
using ::testing::HasSubstr;

const ThumbnailOptions three{.widths = {64, 256, 1024}};

std::string error_of(std::string_view bytes, const ThumbnailOptions& options = three) {
    try {
        make_thumbnails(bytes, options);
    } catch (const ImageError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no ImageError";
    return {};
}

TEST(Errors, ImageErrorIsARuntimeError) {
    EXPECT_THROW(make_thumbnails("", three), std::runtime_error);
}

TEST(Errors, EmptyInput) {
    EXPECT_THAT(error_of(""), HasSubstr("empty"));
}

TEST(Errors, UnknownFormat) {
    EXPECT_THAT(error_of("GIF89a\x01\x00\x01\x00"), HasSubstr("unknown image format"));
    EXPECT_THAT(error_of("hello"), HasSubstr("unknown image format"));
    EXPECT_THAT(error_of("RIFF\0\0\0\0WAVE"), HasSubstr("unknown image format"));
}

TEST(Errors, TruncatedJpegIsAnErrorNotAGreyImage) {
    for (bool progressive : {false, true}) {
        const std::string jpeg =
            samples::encode_jpeg(samples::gradient(1200, 900), {.progressive = progressive});
        for (double keep : {0.02, 0.3, 0.6, 0.95}) {
            const auto n = static_cast<std::size_t>(static_cast<double>(jpeg.size()) * keep);
            SCOPED_TRACE(std::to_string(n) + " of " + std::to_string(jpeg.size()) + " bytes");
            EXPECT_THAT(error_of(jpeg.substr(0, n)), HasSubstr("JPEG"));
        }
        // Only the end-of-image marker missing: still a truncation.
        EXPECT_THAT(error_of(jpeg.substr(0, jpeg.size() - 2)), HasSubstr("JPEG"));
    }
    EXPECT_THAT(error_of("\xFF\xD8\xFF"), HasSubstr("JPEG"));
}

TEST(Errors, CorruptJpeg) {
    const std::string jpeg = samples::encode_jpeg(samples::gradient(800, 600));
    // A marker in the middle of the entropy-coded data.
    std::string marker = jpeg;
    marker[marker.size() / 2] = '\xFF';
    marker[marker.size() / 2 + 1] = '\xD4';
    EXPECT_THAT(error_of(marker), HasSubstr("JPEG"));
    // A broken frame header: SOF0 with a zero width.
    std::string header = jpeg;
    const std::size_t sof = header.find("\xFF\xC0");
    ASSERT_NE(sof, std::string::npos);
    header[sof + 7] = 0;
    header[sof + 8] = 0;
    EXPECT_THAT(error_of(header), HasSubstr("JPEG"));
    // Garbage after a valid start.
    EXPECT_THAT(error_of(std::string("\xFF\xD8\xFF\xE0", 4) + std::string(200, '\x55')),
                HasSubstr("JPEG"));
}

TEST(Errors, TruncatedAndCorruptPng) {
    const std::string png = samples::encode_png(samples::gradient(300, 200));
    EXPECT_THAT(error_of(png.substr(0, png.size() / 2)), HasSubstr("PNG"));
    EXPECT_THAT(error_of(png.substr(0, 20)), HasSubstr("PNG"));
    std::string corrupt = png;
    corrupt[corrupt.size() / 2] ^= 0x5A; // the IDAT checksum no longer matches
    EXPECT_THAT(error_of(corrupt), HasSubstr("PNG"));
}

TEST(Errors, TruncatedAndCorruptWebp) {
    const std::string webp = samples::encode_webp(samples::gradient(300, 200));
    EXPECT_THAT(error_of(webp.substr(0, webp.size() / 2)), HasSubstr("WebP"));
    EXPECT_THAT(error_of(webp.substr(0, 16)), HasSubstr("WebP"));
    std::string corrupt = webp;
    for (std::size_t i = 30; i < 60; ++i) { // the VP8 frame header
        corrupt[i] = '\xFF';
    }
    EXPECT_THAT(error_of(corrupt), HasSubstr("WebP"));
}

TEST(Errors, HugeDimensionsAreRefusedBeforeAllocating) {
    const std::string png = samples::encode_png(samples::gradient(8, 8));
    EXPECT_THAT(error_of(samples::png_claiming(png, 100000, 100000)), HasSubstr("too large"));
    std::string jpeg = samples::encode_jpeg(samples::gradient(8, 8));
    const std::size_t sof = jpeg.find("\xFF\xC0");
    ASSERT_NE(sof, std::string::npos);
    jpeg.replace(sof + 5, 4, "\xEA\x60\xEA\x60"); // height, width: 60000 x 60000
    EXPECT_THAT(error_of(jpeg), HasSubstr("too large"));
}

TEST(Errors, BadOptions) {
    const std::string jpeg = samples::encode_jpeg(samples::gradient(100, 100));
    EXPECT_THAT(error_of(jpeg, {.widths = {64, 0}}), HasSubstr("width must be positive, got 0"));
    EXPECT_THAT(error_of(jpeg, {.widths = {-5}}), HasSubstr("got -5"));
    EXPECT_THAT(error_of(jpeg, {.widths = {}}), HasSubstr("no thumbnail width"));
    EXPECT_THAT(error_of(jpeg, {.widths = {64}, .quality = 0}), HasSubstr("quality"));
    EXPECT_THAT(error_of(jpeg, {.widths = {64}, .quality = 101}), HasSubstr("quality"));
    // Options are checked before the input: a bad width with an empty input names the width.
    EXPECT_THAT(error_of("", {.widths = {0}}), HasSubstr("width"));
}

} // namespace
