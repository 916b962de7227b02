#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include "samples.hpp"
#include "tool_fixture.hpp"

namespace tool_test {

namespace {

std::string make_temp_dir(const char* what) {
    std::string tmpl = std::string("/tmp/concur-thumbs-") + what + "-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    return tmpl;
}

// The images folders, made once and removed at exit.
struct Folders {
    std::string good = make_temp_dir("images");
    std::string bad = make_temp_dir("bad");
    std::vector<Image> list;

    Folders() {
        using samples::encode_jpeg;
        write_file(good + "/landscape.jpg", encode_jpeg(samples::gradient(1200, 800)));
        list.push_back({"landscape.jpg", 1200, 800});
        // Stored 600 x 900, Exif orientation 6 (rotate 90 degrees): shown 900 x 600.
        write_file(good + "/rotated.jpg",
                   encode_jpeg(samples::gradient(600, 900), {.orientation = 6}));
        list.push_back({"rotated.jpg", 900, 600});
        write_file(good + "/progressive.jpg",
                   encode_jpeg(samples::gradient(1100, 700), {.progressive = true}));
        list.push_back({"progressive.jpg", 1100, 700});
        write_file(good + "/gray.jpg", encode_jpeg(samples::gradient(300, 200, 1)));
        list.push_back({"gray.jpg", 300, 200});
        write_file(good + "/drawing.png", samples::encode_png(samples::gradient(500, 500, 4)));
        list.push_back({"drawing.png", 500, 500});
        write_file(good + "/photo.webp", samples::encode_webp(samples::gradient(700, 350)));
        list.push_back({"photo.webp", 700, 350});

        std::mt19937 rng(7);
        std::string noise(20000, '\0');
        for (char& c : noise) {
            c = static_cast<char>(rng());
        }
        write_file(bad + "/corrupt.jpg", noise);
        const std::string jpeg = encode_jpeg(samples::gradient(800, 600));
        write_file(bad + "/truncated.jpg", jpeg.substr(0, jpeg.size() / 2));
        write_file(bad + "/empty.png", "");
    }
    ~Folders() {
        std::error_code ec;
        std::filesystem::remove_all(good, ec);
        std::filesystem::remove_all(bad, ec);
    }
};

Folders& folders() {
    static Folders f;
    return f;
}

} // namespace

const std::vector<Image>& images() {
    return folders().list;
}
const std::string& images_dir() {
    return folders().good;
}
const std::string& bad_dir() {
    return folders().bad;
}

concur_test::NginxServer& nginx() {
    static std::unique_ptr<concur_test::NginxServer> server =
        std::make_unique<concur_test::NginxServer>(
            concur_test::NginxOptions{.delay_ms = kSlowMs,
                                      .access_log = false,
                                      .folders = {{"/images/", images_dir()}, {"/bad/", bad_dir()}},
                                      .dav = true});
    return *server;
}

TempDir::TempDir() : path_(make_temp_dir("out")) {}
TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

ToolRun run_tool(const std::vector<std::string>& args, const RunOptions& options) {
    TempDir logs;
    const std::string out_path = logs.path() + "/out";
    const std::string err_path = logs.path() + "/err";
    std::vector<std::string> argv_strings;
    if (!options.full_disk_at.empty()) {
        // The program's own mount namespace with a small tmpfs on the output folder; its files
        // are copied out afterwards, since the mount vanishes with the namespace.
        argv_strings = {"/usr/bin/unshare",
                        "-Urm",
                        "/bin/sh",
                        "-c",
                        "mount -t tmpfs -o size=" + std::to_string(options.full_disk_bytes) +
                            " tmpfs \"$0\" || exit 99; \"$@\"; s=$?; cp -a \"$0\"/. \"" +
                            options.full_disk_copy + "\"/; exit $s",
                        options.full_disk_at};
    }
    argv_strings.emplace_back(CONCUR_THUMBNAIL_MAKER);
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    argv_strings.emplace_back("--no-progress");
    std::vector<char*> argv;
    for (std::string& s : argv_strings) {
        argv.push_back(s.data());
    }
    argv.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid < 0) {
        ADD_FAILURE() << "fork failed";
        return {};
    }
    if (pid == 0) {
        const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(out, 1);
        ::dup2(err, 2);
        if (options.file_size_limit > 0) {
            // A write past the limit then fails with EFBIG instead of killing by SIGXFSZ.
            ::signal(SIGXFSZ, SIG_IGN);
            const rlimit limit{static_cast<rlim_t>(options.file_size_limit),
                               static_cast<rlim_t>(options.file_size_limit)};
            ::setrlimit(RLIMIT_FSIZE, &limit);
        }
        ::setenv("LSAN_OPTIONS", "suppressions=" CONCUR_HTTP_LSAN_SUPP, 1);
        for (const auto& [name, value] : options.env) {
            ::setenv(name.c_str(), value.c_str(), 1);
        }
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(45);
    bool interrupted = false;
    int raw = 0;
    for (;;) {
        if (::waitpid(pid, &raw, WNOHANG) == pid) {
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &raw, 0);
            ADD_FAILURE() << "thumbnail-maker did not finish within 45 s";
            break;
        }
        if (options.interrupt_when_exists && !interrupted &&
            std::filesystem::exists(*options.interrupt_when_exists)) {
            ::kill(pid, SIGINT);
            interrupted = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ToolRun run;
    run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    run.out = read_file(out_path);
    run.err = read_file(err_path);
    return run;
}

bool can_mount_tmpfs() {
    TempDir dir;
    const std::string cmd =
        "/usr/bin/unshare -Urm /bin/sh -c 'mount -t tmpfs -o size=65536 tmpfs " + dir.path() +
        "' >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
}

std::pair<int, int> expected_size(int W, int H, int w) {
    const int width = std::min(w, W);
    const int height = std::max(
        1, static_cast<int>(std::lround(static_cast<double>(H) * width / static_cast<double>(W))));
    return {width, height};
}

bool check_output(const std::string& path, int width, int height) {
    if (!std::filesystem::exists(path)) {
        ADD_FAILURE() << path << " is missing";
        return false;
    }
    const samples::Pixels p = samples::decode(read_file(path));
    EXPECT_EQ(p.width, width) << path;
    EXPECT_EQ(p.height, height) << path;
    return p.width == width && p.height == height;
}

std::vector<std::string> list_dir(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<std::string> temporaries_in(const std::string& dir) {
    std::vector<std::string> out;
    for (const std::string& name : list_dir(dir)) {
        if (name.front() == '.' || name.ends_with(".tmp")) {
            out.push_back(name);
        }
    }
    return out;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file(const std::string& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

} // namespace tool_test
