// thumbnail-maker end to end, in each mode: from a folder, from URLs (nginx and file://), to a
// folder and to an HTTP file store (nginx's WebDAV PUT); every output decodes at its size.
#include <nlohmann/json.hpp>

#include <filesystem>

#include "tool_fixture.hpp"

using namespace tool_test;

namespace {

class ToolMode : public testing::TestWithParam<const char*> {
protected:
    std::vector<std::string> args(std::vector<std::string> more) const {
        more.insert(more.end(), {"--mode", GetParam(), "--workers", "2", "--downloads", "3"});
        return more;
    }
};

// Every image's three outputs in `dir`, named <stem>_<w>.<ext>, decode at their sizes.
void check_all_outputs(const std::string& dir, const std::string& ext = "jpg") {
    for (const Image& image : images()) {
        const std::string stem = image.name.substr(0, image.name.rfind('.'));
        for (const int w : {64, 256, 1024}) {
            const auto [width, height] = expected_size(image.width, image.height, w);
            check_output(dir + "/" + stem + "_" + std::to_string(w) + "." + ext, width, height);
        }
    }
    EXPECT_EQ(list_dir(dir).size(), 3 * images().size()) << "extra or missing files";
    EXPECT_TRUE(temporaries_in(dir).empty());
}

} // namespace

TEST_P(ToolMode, FolderToFolder) {
    TempDir out;
    const ToolRun run = run_tool(args({images_dir(), "-o", out.path()}));
    ASSERT_EQ(run.status, 0) << run.out << run.err;
    check_all_outputs(out.path());
    EXPECT_NE(run.out.find("6 images: 6 done, 0 failed"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("images/s (" + std::string(GetParam()) + " mode"), std::string::npos)
        << run.out;
}

TEST_P(ToolMode, UrlListToFolder) {
    TempDir out;
    TempDir lists;
    std::string list = "# comment lines and blank lines are skipped\n\n";
    for (std::size_t i = 0; i < images().size(); ++i) {
        // Half over HTTP, half as file:// URLs.
        list += i % 2 == 0 ? nginx().base() + "/images/" + images()[i].name
                           : "file://" + images_dir() + "/" + images()[i].name;
        list += "\n";
    }
    write_file(lists.path() + "/urls.txt", list);
    const ToolRun run = run_tool(args({"-i", lists.path() + "/urls.txt", "-o", out.path()}));
    ASSERT_EQ(run.status, 0) << run.out << run.err;
    check_all_outputs(out.path());
}

TEST_P(ToolMode, UploadsToAnHttpFileStore) {
    const std::string prefix = std::string("up-") + GetParam();
    const ToolRun run =
        run_tool(args({images_dir(), "-o", nginx().base() + "/dav/" + prefix, "--format", "webp"}));
    ASSERT_EQ(run.status, 0) << run.out << run.err;
    check_all_outputs((nginx().dav_dir() / prefix).string(), "webp");
}

TEST_P(ToolMode, PngOutputsAndOtherSizes) {
    TempDir out;
    const ToolRun run =
        run_tool(args({images_dir(), "-o", out.path(), "--format", "png", "--sizes", "100,40"}));
    ASSERT_EQ(run.status, 0) << run.out << run.err;
    for (const Image& image : images()) {
        const std::string stem = image.name.substr(0, image.name.rfind('.'));
        for (const int w : {100, 40}) {
            const auto [width, height] = expected_size(image.width, image.height, w);
            check_output(out.path() + "/" + stem + "_" + std::to_string(w) + ".png", width, height);
        }
    }
    EXPECT_EQ(list_dir(out.path()).size(), 2 * images().size());
}

TEST_P(ToolMode, ReportDescribesEveryImage) {
    TempDir out;
    TempDir reports;
    const std::string report = reports.path() + "/report.json";
    const ToolRun run = run_tool(
        args({images_dir(), bad_dir() + "/corrupt.jpg", "-o", out.path(), "--report", report}));
    EXPECT_EQ(run.status, 1) << run.out << run.err;
    const nlohmann::json j = nlohmann::json::parse(read_file(report));
    EXPECT_EQ(j["summary"]["images"], images().size() + 1);
    EXPECT_EQ(j["summary"]["ok"], images().size());
    EXPECT_EQ(j["summary"]["failed"], 1);
    EXPECT_EQ(j["summary"]["mode"], GetParam());
    EXPECT_EQ(j["summary"]["files_out"], 3 * images().size());
    std::size_t bytes_out = 0;
    for (const auto& image : j["images"]) {
        const std::string source = image["source"];
        if (source.ends_with("corrupt.jpg")) {
            EXPECT_FALSE(image["ok"]);
            EXPECT_FALSE(std::string(image["error"]).empty());
            EXPECT_TRUE(image["outputs"].empty());
            continue;
        }
        EXPECT_TRUE(image["ok"]) << source;
        EXPECT_EQ(image["bytes_in"], std::filesystem::file_size(source)) << source;
        ASSERT_EQ(image["outputs"].size(), 3U);
        for (const auto& output : image["outputs"]) {
            const std::string location = output["location"];
            EXPECT_EQ(output["bytes"], std::filesystem::file_size(location));
            check_output(location, output["width"], output["height"]);
            bytes_out += output["bytes"].get<std::size_t>();
        }
    }
    EXPECT_EQ(j["summary"]["bytes_out"], bytes_out);
}

INSTANTIATE_TEST_SUITE_P(Modes, ToolMode, testing::Values("sequential", "threads", "asyncio"));
