// What the tests of the thumbnail-maker program share: a folder of test images made once per
// test program (synthetic pixels encoded straight with the codec libraries), an nginx serving
// it (and a WebDAV folder to upload to, and a slow copy of it), temp folders, and a way to run
// the program with a deadline, an early Ctrl-C or a file size limit.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nginx_server.hpp"

namespace tool_test {

/// A test image: its file name and its size once oriented.
struct Image {
    std::string name;
    int width = 0;
    int height = 0;
};

/// The good images (JPEG baseline, progressive, Exif-rotated and gray; PNG with alpha; WebP)
/// in images_dir(), made on first use.
const std::vector<Image>& images();
const std::string& images_dir();
/// Bad inputs in bad_dir(): corrupt.jpg (noise), truncated.jpg (half a JPEG), empty.png.
const std::string& bad_dir();

/// The test program's nginx: images_dir() at /images/, the same after a delay at
/// /slow/images/ (NginxOptions::delay_ms = kSlowMs), and a WebDAV folder at /dav/.
concur_test::NginxServer& nginx();
inline constexpr int kSlowMs = 1500;

/// A temp folder removed with everything in it.
class TempDir {
public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    std::string path_;
};

struct RunOptions {
    /// Send SIGINT once this file exists (polled), as a user's Ctrl-C.
    std::optional<std::string> interrupt_when_exists = std::nullopt;
    /// RLIMIT_FSIZE for the program: writes past it fail with EFBIG, as on a full disk.
    long file_size_limit = 0;
    /// Run the program with this folder made a tmpfs of `full_disk_bytes` (a mount namespace
    /// of its own, by unshare(1)); what it wrote there is copied to `full_disk_copy` after.
    std::string full_disk_at = {};
    long full_disk_bytes = 0;
    std::string full_disk_copy = {};
    std::vector<std::pair<std::string, std::string>> env = {};
};

struct ToolRun {
    int status = -1; // the exit status; -1 if it did not exit normally
    std::string out;
    std::string err;
};

/// Runs thumbnail-maker with `args` (no shell), --no-progress added; kills it and fails the
/// test if it has not ended within 45 s.
ToolRun run_tool(const std::vector<std::string>& args, const RunOptions& options = {});

/// The expected size of a thumbnail `w` wide of a `W` x `H` image: never upscaled.
/// Whether this machine lets the tests mount a small tmpfs in a namespace of their own.
bool can_mount_tmpfs();

std::pair<int, int> expected_size(int W, int H, int w);

/// Checks that `path` decodes as a `width` x `height` image; returns false (with a test
/// failure) if not.
bool check_output(const std::string& path, int width, int height);

/// The names in `dir` (not recursive), sorted.
std::vector<std::string> list_dir(const std::string& dir);
/// Names in `dir` that look like leftovers: hidden files (our temporaries) and *.tmp.
std::vector<std::string> temporaries_in(const std::string& dir);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& data);

} // namespace tool_test
