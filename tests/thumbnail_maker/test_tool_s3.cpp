// thumbnail-maker with an S3-compatible store (s3rver on 127.0.0.1), in each mode: a bucket
// prefix as the source, a bucket prefix as the output; and its failures.
#include <memory>

#include "s3_server.hpp"
#include "samples.hpp"
#include "thumbnail_maker/tool/s3.hpp"
#include "tool_fixture.hpp"

using namespace tool_test;
namespace s3 = thumbnail_maker::s3;

namespace {

// One s3rver for the test program, holding the test images under photos/ and a file that is
// not an image, and a second bucket left empty.
concur_test::S3Server& store() {
    static std::unique_ptr<concur_test::S3Server> server = [] {
        auto s = std::make_unique<concur_test::S3Server>(
            std::vector<std::string>{"test-bucket", "empty-bucket"});
        for (const Image& image : images()) {
            s->put_file("photos/" + image.name, images_dir() + "/" + image.name);
        }
        s->put("photos/notes.txt", "not an image");
        s->put("elsewhere/landscape.jpg", read_file(images_dir() + "/landscape.jpg"));
        return s;
    }();
    return *server;
}

std::vector<std::pair<std::string, std::string>> aws_env() {
    return {{"AWS_ACCESS_KEY_ID", concur_test::S3Server::kAccessKey},
            {"AWS_SECRET_ACCESS_KEY", concur_test::S3Server::kSecretKey},
            {"AWS_REGION", "us-east-1"}};
}

class ToolS3 : public testing::TestWithParam<const char*> {
protected:
    std::vector<std::string> args(std::vector<std::string> more) const {
        more.insert(more.end(), {"--mode", GetParam(), "--workers", "2", "--downloads", "3",
                                 "--endpoint", store().endpoint()});
        return more;
    }
};

} // namespace

TEST_P(ToolS3, FromABucketPrefix) {
    TempDir out;
    const ToolRun run =
        run_tool(args({"s3://test-bucket/photos/", "-o", out.path()}), {.env = aws_env()});
    ASSERT_EQ(run.status, 0) << run.out << run.err;
    for (const Image& image : images()) {
        const std::string stem = image.name.substr(0, image.name.rfind('.'));
        for (const int w : {64, 256, 1024}) {
            const auto [width, height] = expected_size(image.width, image.height, w);
            check_output(out.path() + "/" + stem + "_" + std::to_string(w) + ".jpg", width, height);
        }
    }
    // Only the images under the prefix: not notes.txt, not elsewhere/.
    EXPECT_EQ(list_dir(out.path()).size(), 3 * images().size());
}

TEST_P(ToolS3, ToABucketPrefix) {
    const std::string prefix = std::string("thumbs-") + GetParam();
    const ToolRun run =
        run_tool(args({images_dir(), "-o", "s3://test-bucket/" + prefix, "--sizes", "64,256"}),
                 {.env = aws_env()});
    ASSERT_EQ(run.status, 0) << run.out << run.err;
    const std::vector<s3::Object> objects =
        s3::list_objects(store().config(), {.bucket = "test-bucket", .prefix = prefix + "/"}, 10);
    EXPECT_EQ(objects.size(), 2 * images().size());
    for (const Image& image : images()) {
        const std::string stem = image.name.substr(0, image.name.rfind('.'));
        for (const int w : {64, 256}) {
            const auto [width, height] = expected_size(image.width, image.height, w);
            const std::string key = prefix + "/" + stem + "_" + std::to_string(w) + ".jpg";
            const samples::Pixels p =
                samples::decode(s3::get_object(store().config(), "test-bucket", key, 10));
            EXPECT_EQ(p.width, width) << key;
            EXPECT_EQ(p.height, height) << key;
        }
    }
}

TEST_P(ToolS3, UploadToAMissingBucketFailsEachImage) {
    const ToolRun run = run_tool(args({images_dir() + "/landscape.jpg", images_dir() + "/gray.jpg",
                                       "-o", "s3://no-such-bucket/thumbs"}),
                                 {.env = aws_env()});
    EXPECT_EQ(run.status, 1) << run.out << run.err;
    EXPECT_NE(run.out.find("2 images: 0 done, 2 failed"), std::string::npos) << run.out;
    EXPECT_NE(run.err.find("NoSuchBucket"), std::string::npos) << run.err;
}

INSTANTIATE_TEST_SUITE_P(Modes, ToolS3, testing::Values("sequential", "threads", "asyncio"));

TEST(ToolS3Errors, MissingCredentialsAreAUsageError) {
    TempDir out;
    const ToolRun run =
        run_tool({"s3://test-bucket/photos/", "-o", out.path(), "--endpoint", store().endpoint()},
                 {.env = {{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", ""}}});
    EXPECT_EQ(run.status, 2) << run.out << run.err;
    EXPECT_NE(run.err.find("AWS_ACCESS_KEY_ID"), std::string::npos) << run.err;
}

TEST(ToolS3Errors, UnknownSourceBucketIsAUsageError) {
    TempDir out;
    const ToolRun run = run_tool(
        {"s3://no-such-bucket/photos/", "-o", out.path(), "--endpoint", store().endpoint()},
        {.env = aws_env()});
    EXPECT_EQ(run.status, 2) << run.out << run.err;
    EXPECT_NE(run.err.find("NoSuchBucket"), std::string::npos) << run.err;
    EXPECT_TRUE(list_dir(out.path()).empty());
}

TEST(ToolS3Errors, EmptyPrefixMakesNothingAndSucceeds) {
    TempDir out;
    const ToolRun run =
        run_tool({"s3://empty-bucket/", "-o", out.path(), "--endpoint", store().endpoint()},
                 {.env = aws_env()});
    EXPECT_EQ(run.status, 0) << run.out << run.err;
    EXPECT_NE(run.out.find("0 images: 0 done, 0 failed"), std::string::npos) << run.out;
}
