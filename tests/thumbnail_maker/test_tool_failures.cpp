// thumbnail-maker's failure list, in each mode: a corrupt, truncated or empty image, a missing
// file, a 404, a slow server, a dead server, a full disk and Ctrl-C. Each failure is reported
// for its image, the others are made, the exit status says so, and no partial file is left.
#include <filesystem>
#include <map>
#include <string>

#include "tool_fixture.hpp"

using namespace tool_test;

namespace {

class ToolFailure : public testing::TestWithParam<const char*> {
protected:
    std::vector<std::string> args(std::vector<std::string> more) const {
        more.insert(more.end(), {"--mode", GetParam(), "--workers", "2", "--downloads", "3"});
        return more;
    }
};

// The run failed for exactly the sources `bad` (each named in an error line with `why`), the
// good image landscape.jpg was made, and nothing else is in `dir`.
void check_one_failure(const ToolRun& run, const std::string& dir, const std::string& bad,
                       const std::string& why) {
    EXPECT_EQ(run.status, 1) << run.out << run.err;
    EXPECT_NE(run.out.find("2 images: 1 done, 1 failed"), std::string::npos) << run.out;
    const auto line = run.err.find("*** Error for " + bad + ": ");
    ASSERT_NE(line, std::string::npos) << run.err;
    const std::string message = run.err.substr(line, run.err.find('\n', line) - line);
    EXPECT_NE(message.find(why), std::string::npos) << message;
    EXPECT_EQ(list_dir(dir), (std::vector<std::string>{"landscape_1024.jpg", "landscape_256.jpg",
                                                       "landscape_64.jpg"}));
}

} // namespace

TEST_P(ToolFailure, CorruptImage) {
    TempDir out;
    const std::string bad = bad_dir() + "/corrupt.jpg";
    const ToolRun run = run_tool(args({images_dir() + "/landscape.jpg", bad, "-o", out.path()}));
    check_one_failure(run, out.path(), bad, "JPEG");
}

TEST_P(ToolFailure, TruncatedImage) {
    TempDir out;
    const std::string bad = nginx().base() + "/bad/truncated.jpg";
    const ToolRun run =
        run_tool(args({nginx().base() + "/images/landscape.jpg", bad, "-o", out.path()}));
    check_one_failure(run, out.path(), bad, "Premature end of JPEG file");
}

TEST_P(ToolFailure, EmptyFile) {
    TempDir out;
    const std::string bad = bad_dir() + "/empty.png";
    const ToolRun run = run_tool(args({images_dir() + "/landscape.jpg", bad, "-o", out.path()}));
    check_one_failure(run, out.path(), bad, "empty");
}

TEST_P(ToolFailure, MissingFile) {
    TempDir out;
    const std::string bad = images_dir() + "/no-such-photo.jpg";
    const ToolRun run = run_tool(args({images_dir() + "/landscape.jpg", bad, "-o", out.path()}));
    check_one_failure(run, out.path(), bad, "No such file or directory");
}

TEST_P(ToolFailure, NotFound) {
    TempDir out;
    const std::string bad = nginx().base() + "/images/no-such-photo.jpg";
    const ToolRun run =
        run_tool(args({nginx().base() + "/images/landscape.jpg", bad, "-o", out.path()}));
    check_one_failure(run, out.path(), bad, "404");
}

TEST_P(ToolFailure, SlowServer) {
    TempDir out;
    // /slow/ answers after 1.5 s; the run allows 0.5 s per transfer.
    const std::string bad = nginx().base() + "/slow/images/rotated.jpg";
    const ToolRun run = run_tool(args(
        {nginx().base() + "/images/landscape.jpg", bad, "-o", out.path(), "--timeout", "0.5"}));
    check_one_failure(run, out.path(), bad, "imeout");
}

TEST_P(ToolFailure, DeadServer) {
    TempDir out;
    const std::string bad =
        "http://127.0.0.1:" + std::to_string(concur_test::free_port()) + "/images/rotated.jpg";
    const ToolRun run =
        run_tool(args({nginx().base() + "/images/landscape.jpg", bad, "-o", out.path()}));
    check_one_failure(run, out.path(), bad, "onnect");
}

TEST_P(ToolFailure, UploadRefused) {
    // The server has no WebDAV at /images/: each PUT is refused (405), the image fails whole.
    const ToolRun run =
        run_tool(args({images_dir() + "/landscape.jpg", "-o", nginx().base() + "/images/uploads"}));
    EXPECT_EQ(run.status, 1) << run.out << run.err;
    EXPECT_NE(run.err.find("405"), std::string::npos) << run.err;
}

// What is in `dir` is complete: all three sizes of an image or none, no temporaries.
// Returns the number of images there.
std::size_t check_whole_images(const std::string& dir) {
    EXPECT_TRUE(temporaries_in(dir).empty());
    std::map<std::string, int> per_stem;
    for (const std::string& name : list_dir(dir)) {
        ++per_stem[name.substr(0, name.rfind('_'))];
    }
    for (const auto& [stem, n] : per_stem) {
        EXPECT_EQ(n, 3) << stem;
    }
    return per_stem.size();
}

TEST_P(ToolFailure, FullDisk) {
    if (!can_mount_tmpfs()) {
        GTEST_SKIP() << "unshare -Urm cannot mount a tmpfs here; FileSizeLimit covers the path";
    }
    TempDir out;
    TempDir copy;
    // A 96 KiB file system: some images' thumbnails fit, then writes fail with ENOSPC.
    const ToolRun run = run_tool(
        args({images_dir(), "-o", out.path()}),
        {.full_disk_at = out.path(), .full_disk_bytes = 96 * 1024, .full_disk_copy = copy.path()});
    EXPECT_EQ(run.status, 1) << run.out << run.err;
    EXPECT_NE(run.err.find("No space left on device"), std::string::npos) << run.err;
    EXPECT_LT(check_whole_images(copy.path()), images().size()) << "the disk never filled";
}

TEST(ToolFailures, FileSizeLimit) {
    TempDir out;
    // Files may not grow past 8 KiB: each image's 64 px thumbnail fits, its 1024 px one does
    // not (EFBIG, as a quota). Sequential mode: the process pool's shared memory is a file too.
    const ToolRun run = run_tool({images_dir(), "-o", out.path(), "--mode", "sequential"},
                                 {.file_size_limit = 8192});
    EXPECT_EQ(run.status, 1) << run.out << run.err;
    EXPECT_NE(run.err.find("File too large"), std::string::npos) << run.err;
    EXPECT_LT(check_whole_images(out.path()), images().size()) << "the size limit stopped nothing";
}

TEST_P(ToolFailure, CtrlCStopsCleanly) {
    TempDir out;
    TempDir lists;
    // One image at once, then many slow ones: Ctrl-C once the first is stored.
    std::string list = nginx().base() + "/images/landscape.jpg\n";
    for (int i = 0; i < 12; ++i) {
        list += nginx().base() + "/slow/images/rotated.jpg?copy=" + std::to_string(i) + "\n";
    }
    write_file(lists.path() + "/urls.txt", list);
    const ToolRun run = run_tool(args({"-i", lists.path() + "/urls.txt", "-o", out.path()}),
                                 {.interrupt_when_exists = out.path() + "/landscape_1024.jpg"});
    EXPECT_EQ(run.status, 130) << run.out << run.err;
    EXPECT_NE(run.out.find("interrupted"), std::string::npos) << run.out;
    EXPECT_TRUE(temporaries_in(out.path()).empty());
    // Whatever was stored is whole, and the run did not go on to the end.
    const std::vector<std::string> names = list_dir(out.path());
    EXPECT_LT(names.size(), 3U * 13U);
    for (const std::string& name : names) {
        const int w = std::stoi(name.substr(name.rfind('_') + 1));
        const auto [width, height] = name.starts_with("landscape") ? expected_size(1200, 800, w)
                                                                   : expected_size(900, 600, w);
        check_output(out.path() + "/" + name, width, height);
    }
}

INSTANTIATE_TEST_SUITE_P(Modes, ToolFailure, testing::Values("sequential", "threads", "asyncio"));
