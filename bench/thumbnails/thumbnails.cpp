// Workload "thumbnails" (../shared/peers/README.md): the photos of ../shared/data/photos served
// by a private nginx on 127.0.0.1, each made into widths 64, 256 and 1024 (aspect kept, JPEG
// q85) and saved, by the `thumbnail-maker` tool run as a child process on a list of their URLs,
// as a user would run it. Timed: the tool's whole run, wall clock, from spawn to exit (process
// start, its pool's start, every download, resize and file write). Then every output is
// checked (outside the timed part): 3 files per photo named <stem>_<w>.jpg, nothing else, each
// a JPEG that decodes without a warning, w wide and within 1 px of H*w/W high.
// Variants: concur-sequential, concur-threads and concur-asyncio (2 resize workers, 8
// downloads, as the peers' pools). peak_rss_mb is wait4's ru_maxrss of the tool: the largest
// peak of the tool and its reaped descendants (its pool's worker processes), not their sum;
// cpu_seconds is the user+system time of all of them.
//
// The limit, measured in the same run: libjpeg-turbo alone decoding every photo (preloaded in
// memory) at the smallest M/8 scale keeping the width >= 1024, pixels discarded, on 2 threads
// taking photos from a shared index (decode-limit-2threads) and on 1 (decode-limit-1thread).
//
//   thumbnails [--repeat 3] [--impl NAME] [--photos DIR] [--limit N] [--tool PATH]
// The outputs go to a temp dir in $TMPDIR (default /tmp), as the Python peers'.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common.hpp"
#include "nginx_server.hpp"
#include "thumbnails/jpeg.hpp"

extern char** environ;

namespace fs = std::filesystem;
using bench_thumbnails::Size;

namespace {

const std::vector<int> kWidths = {64, 256, 1024};
constexpr int kQuality = 85;
constexpr int kWorkers = 2;
constexpr int kDownloads = 8;
constexpr int kLimitWidth = 1024; // the largest width: the decode scale must keep it

struct Photo {
    std::string name; // file name, also its URL path below /photos/
    std::string stem;
    std::string data;
    Size size;
};

// The run's state, set before bench::main forks the measured children.
struct Setup {
    std::string tool;
    std::string base; // nginx's
    std::vector<Photo> photos;
    double input_mp = 0;
    long input_bytes = 0;
};
Setup g_setup;

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string widths_json() {
    std::string s = "[";
    for (std::size_t i = 0; i < kWidths.size(); ++i) {
        s += (i > 0 ? "," : "") + std::to_string(kWidths[i]);
    }
    return s + "]";
}

std::string fixed(double x, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, x);
    return buf;
}

// The members every line shares with the peers'.
std::string input_json(double seconds) {
    return "\"input_mp\":" + fixed(g_setup.input_mp, 2) +
           ",\"mp_per_sec\":" + fixed(seconds > 0 ? g_setup.input_mp / seconds : 0, 2) +
           ",\"input_bytes\":" + std::to_string(g_setup.input_bytes);
}

fs::path temp_dir() {
    const char* tmpdir = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp") +
                       "/concur-thumbs-bench-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed in " + tmpl);
    }
    return tmpl;
}

struct Checked {
    long bad = 0;
    long files = 0;
    long bytes = 0;
};

// Every expected output present, whole and of the right size; any other file is bad too.
Checked check_outputs(const fs::path& out) {
    Checked c;
    long expected_found = 0;
    for (const Photo& p : g_setup.photos) {
        for (const int w : kWidths) {
            const fs::path f = out / (p.stem + "_" + std::to_string(w) + ".jpg");
            std::error_code ec;
            if (!fs::is_regular_file(f, ec)) {
                ++c.bad;
                continue;
            }
            ++expected_found;
            const auto got = bench_thumbnails::decode_jpeg(read_file(f), 1 << 30);
            const double want_h = double(p.size.height) * w / double(p.size.width);
            if (!got || got->width != w || std::abs(got->height - want_h) > 1.0) {
                ++c.bad;
            }
        }
    }
    for (const auto& e : fs::recursive_directory_iterator(out)) {
        if (e.is_regular_file()) {
            ++c.files;
            c.bytes += static_cast<long>(e.file_size());
        }
    }
    c.bad += c.files - expected_found; // leftovers: temp names, strays
    return c;
}

// The tool's last lines, to say why a run failed.
void show_log_tail(const fs::path& log) {
    std::vector<std::string> lines;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    const std::size_t from = lines.size() > 15 ? lines.size() - 15 : 0;
    std::fprintf(stderr, "thumbnails: the tool's last output:\n");
    for (std::size_t i = from; i < lines.size(); ++i) {
        std::fprintf(stderr, "  %s\n", lines[i].c_str());
    }
}

bench::Run run_tool(const std::string& mode) {
    const fs::path dir = temp_dir();
    const fs::path list = dir / "urls.txt";
    const fs::path out = dir / "out";
    const fs::path log = dir / "tool.log";
    fs::create_directory(out);
    {
        std::ofstream urls(list);
        for (const Photo& p : g_setup.photos) {
            urls << g_setup.base << "/photos/" << p.name << "\n";
        }
    }
    std::string sizes;
    for (const int w : kWidths) {
        sizes += (sizes.empty() ? "" : ",") + std::to_string(w);
    }
    std::vector<std::string> args = {g_setup.tool,
                                     "-i",
                                     list.string(),
                                     "-o",
                                     out.string(),
                                     "--sizes",
                                     sizes,
                                     "--format",
                                     "jpeg",
                                     "--quality",
                                     std::to_string(kQuality),
                                     "--no-progress",
                                     "--mode",
                                     mode};
    if (mode != "sequential") {
        args.insert(args.end(), {"--workers", std::to_string(kWorkers), "--downloads",
                                 std::to_string(kDownloads)});
    }
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);

    const double t0 = bench::now_seconds();
    pid_t pid = -1;
    const int spawned =
        posix_spawn(&pid, g_setup.tool.c_str(), &actions, nullptr, argv.data(), environ);
    int status = 0;
    rusage usage{};
    if (spawned == 0) {
        while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
        }
    }
    const double seconds = bench::now_seconds() - t0;
    posix_spawn_file_actions_destroy(&actions);

    const Checked c = check_outputs(out);
    const bool exited_ok = spawned == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    const bool ok = exited_ok && c.bad == 0;
    if (!ok) {
        const std::string how = spawned != 0 ? "could not start " + g_setup.tool
                                : WIFEXITED(status)
                                    ? "exit status " + std::to_string(WEXITSTATUS(status))
                                    : std::string("killed by a signal");
        std::fprintf(stderr, "thumbnails: --mode %s: %s, %ld bad outputs\n", mode.c_str(),
                     how.c_str(), c.bad);
        if (spawned == 0) {
            show_log_tail(log);
        }
    }
    std::error_code ec;
    fs::remove_all(dir, ec);

    const double cpu = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    std::string extra =
        input_json(seconds) + ",\"output_files\":" + std::to_string(c.files) +
        ",\"output_bytes\":" + std::to_string(c.bytes) +
        ",\"bad_outputs\":" + std::to_string(c.bad) + ",\"widths\":" + widths_json() +
        ",\"quality\":" + std::to_string(kQuality) + ",\"http\":true,\"mode\":\"" + mode + "\"";
    if (mode != "sequential") {
        extra += ",\"workers\":" + std::to_string(kWorkers) +
                 ",\"download_workers\":" + std::to_string(kDownloads);
    }
    // wait4 folds the reaped workers into the tool's figures: CPU summed, peak RSS the largest.
    extra += ",\"rss_of\":\"the largest of the tool and its workers\"";
    extra += ",\"cpu_seconds\":" + fixed(cpu, 3) + ",\"exit_status\":" +
             std::to_string(spawned == 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return {static_cast<long>(g_setup.photos.size()), seconds, ok, extra,
            static_cast<double>(usage.ru_maxrss) / 1024.0};
}

bench::Run run_decode_limit(int threads) {
    const auto& photos = g_setup.photos;
    std::atomic<std::size_t> next{0}; // relaxed suffices: each index is handed out once
    std::atomic<long> failed{0};
    auto work = [&] {
        for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < photos.size();) {
            if (!bench_thumbnails::decode_jpeg(photos[i].data, kLimitWidth)) {
                failed.fetch_add(1, std::memory_order_relaxed);
            }
        }
    };
    const double t0 = bench::now_seconds();
    {
        std::vector<std::jthread> pool;
        for (int t = 1; t < threads; ++t) {
            pool.emplace_back(work);
        }
        work();
    }
    const double seconds = bench::now_seconds() - t0;
    const std::string extra = input_json(seconds) + ",\"threads\":" + std::to_string(threads) +
                              ",\"min_width\":" + std::to_string(kLimitWidth) +
                              ",\"decode_failures\":" + std::to_string(failed.load()) +
                              ",\"http\":false";
    return {static_cast<long>(photos.size()), seconds, failed.load() == 0, extra};
}

// Every .jpg/.jpeg of dir, sorted by name, read and measured; the first `limit` (0: all).
std::vector<Photo> load_photos(const fs::path& dir, long limit) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) {
        std::string ext = e.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        if (e.is_regular_file() && (ext == ".jpg" || ext == ".jpeg")) {
            names.push_back(e.path().filename().string());
        }
    }
    std::sort(names.begin(), names.end());
    if (limit > 0 && static_cast<std::size_t>(limit) < names.size()) {
        names.resize(static_cast<std::size_t>(limit));
    }
    std::vector<Photo> photos;
    for (const auto& name : names) {
        Photo p{name, fs::path(name).stem().string(), read_file(dir / name), {}};
        const auto size = bench_thumbnails::jpeg_size(p.data);
        if (!size) {
            throw std::runtime_error("not a JPEG: " + (dir / name).string());
        }
        p.size = *size;
        photos.push_back(std::move(p));
    }
    return photos;
}

} // namespace

int main(int argc, char** argv) {
    const bench::Options options(argc, argv);
    const std::vector<std::pair<std::string, bench::Variant>> variants = {
        {"concur-sequential", [](const bench::Options&) { return run_tool("sequential"); }},
        {"concur-threads", [](const bench::Options&) { return run_tool("threads"); }},
        {"concur-asyncio", [](const bench::Options&) { return run_tool("asyncio"); }},
        {"decode-limit-1thread", [](const bench::Options&) { return run_decode_limit(1); }},
        {"decode-limit-2threads", [](const bench::Options&) { return run_decode_limit(2); }},
    };
    if (options.has("list")) {
        return bench::main(argc, argv, "thumbnails", variants);
    }
    const fs::path photos = options.get("photos", std::string(CONCUR_BENCH_PHOTOS));
    std::error_code ec;
    if (!fs::is_directory(photos, ec)) {
        std::fprintf(stderr,
                     "thumbnails: no photos at %s: the benchmark needs the photo set of "
                     "../shared/data/photos (or --photos DIR, a folder of JPEGs)\n",
                     photos.c_str());
        return 2;
    }
    g_setup.tool = options.get("tool", std::string(CONCUR_BENCH_THUMBNAIL_MAKER));
    g_setup.photos = load_photos(photos, options.get("limit", 0L));
    if (g_setup.photos.empty()) {
        std::fprintf(stderr, "thumbnails: no JPEG in %s\n", photos.c_str());
        return 2;
    }
    for (const Photo& p : g_setup.photos) {
        g_setup.input_mp += double(p.size.width) * double(p.size.height) / 1e6;
        g_setup.input_bytes += static_cast<long>(p.data.size());
    }
    // The tool's stems are the file names' (they are unique and plain in a folder of photos).
    concur_test::NginxServer server(
        {.access_log = false, .folders = {{"/photos/", fs::absolute(photos).string()}}});
    g_setup.base = server.base();
    return bench::main(argc, argv, "thumbnails", variants);
}
