// thumbnail-maker's naming and command line: unique output names, bad arguments, bad sources.
#include <filesystem>

#include "thumbnail_maker/tool/sources.hpp"
#include "tool_fixture.hpp"

using namespace tool_test;
using thumbnail_maker::Source;

TEST(ToolNames, StemOfPathsAndUrls) {
    EXPECT_EQ(thumbnail_maker::stem_of("photos/Sunset.JPG"), "Sunset");
    EXPECT_EQ(thumbnail_maker::stem_of("http://h/a/b/cat.jpeg?size=large#top"), "cat");
    EXPECT_EQ(thumbnail_maker::stem_of("s3://bucket/dir/my photo (1).png"), "my_photo__1_");
    EXPECT_EQ(thumbnail_maker::stem_of("http://host/"), "host");
    EXPECT_EQ(thumbnail_maker::stem_of(".hidden.jpg"), "image.hidden");
    EXPECT_EQ(thumbnail_maker::stem_of("archive.tar.gz"), "archive.tar");
}

TEST(ToolNames, RepeatedStemsBecomeUnique) {
    std::vector<Source> sources(4);
    sources[0].stem = "x";
    sources[1].stem = "x";
    sources[2].stem = "x-2"; // a later source already called x-2 keeps its name
    sources[3].stem = "x";
    thumbnail_maker::make_stems_unique(sources);
    EXPECT_EQ(sources[0].stem, "x");
    EXPECT_EQ(sources[1].stem, "x-3");
    EXPECT_EQ(sources[2].stem, "x-2");
    EXPECT_EQ(sources[3].stem, "x-4");
}

TEST(ToolNames, ImageExtensions) {
    EXPECT_TRUE(thumbnail_maker::has_image_extension("a.JPG"));
    EXPECT_TRUE(thumbnail_maker::has_image_extension("a.webp"));
    EXPECT_FALSE(thumbnail_maker::has_image_extension("a.txt"));
    EXPECT_FALSE(thumbnail_maker::has_image_extension("jpg"));
}

TEST(ToolCli, SameNamesFromTwoPlacesKeepBoth) {
    TempDir out;
    TempDir other;
    std::filesystem::copy_file(images_dir() + "/gray.jpg", other.path() + "/landscape.jpg");
    const ToolRun run =
        run_tool({images_dir() + "/landscape.jpg", other.path(), "-o", out.path(), "-s", "64"});
    ASSERT_EQ(run.status, 0) << run.out << run.err;
    check_output(out.path() + "/landscape_64.jpg", 64, 43);   // 1200 x 800
    check_output(out.path() + "/landscape-2_64.jpg", 64, 43); // the gray 300 x 200
}

TEST(ToolCli, BadArgumentsAreUsageErrors) {
    TempDir out;
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {images_dir(), "-o", out.path(), "--mode", "fibers"},
             {images_dir(), "-o", out.path(), "--sizes", "0"},
             {images_dir(), "-o", out.path(), "--sizes", "64,abc"},
             {images_dir(), "-o", out.path(), "--quality", "101"},
             {images_dir(), "-o", out.path(), "--format", "gif"},
             {images_dir(), "-o", out.path(), "--workers", "0"},
             {"ftp://example.com/a.jpg", "-o", out.path()},
             {images_dir(), "-o", "ftp://example.com/out"},
             {"-i", out.path() + "/no-such-list.txt", "-o", out.path()}}) {
        const ToolRun run = run_tool(args);
        EXPECT_NE(run.status, 0) << args[args.size() - 1];
        EXPECT_NE(run.status, 1) << "a usage error, not an image's failure";
        EXPECT_FALSE(run.err.empty());
    }
    EXPECT_TRUE(list_dir(out.path()).empty());
}

TEST(ToolCli, OutputThatIsAFileIsRefused) {
    TempDir out;
    write_file(out.path() + "/file", "x");
    const ToolRun run = run_tool({images_dir(), "-o", out.path() + "/file"});
    EXPECT_EQ(run.status, 2) << run.out << run.err;
    EXPECT_NE(run.err.find("output"), std::string::npos) << run.err;
}

TEST(ToolCli, ReportThatCannotBeWrittenIsAnError) {
    TempDir out;
    const ToolRun run = run_tool({images_dir() + "/gray.jpg", "-o", out.path(), "--report",
                                  out.path() + "/no-such-folder/report.json"});
    EXPECT_EQ(run.status, 2) << run.out << run.err;
    EXPECT_NE(run.err.find("cannot write the report"), std::string::npos) << run.err;
    // The thumbnails themselves were made, and no temporary report is left.
    EXPECT_EQ(list_dir(out.path()),
              (std::vector<std::string>{"gray_1024.jpg", "gray_256.jpg", "gray_64.jpg"}));
}
