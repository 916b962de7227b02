// thumbnail-maker: makes smaller copies of many images at several widths, keeping the aspect
// ratio (the course's Thumbnail Maker). Downloads and uploads are IO-bound, resizing is
// CPU-bound; each mode shows its concurrency for both:
//
//   thumbnail-maker                                  # the bundled photographs -> out/thumbnails
//   thumbnail-maker photos/ -o thumbs/ --sizes 64,256,1024 --mode threads
//   thumbnail-maker -i urls.txt -o s3://bucket/thumbs --endpoint http://127.0.0.1:4568
//
// Prints a progress bar on a terminal, each failed image with its error, and a summary; exits
// 0 when every image succeeded, 1 when some failed, 2 for bad usage, 130 on Ctrl-C.
#include <CLI/CLI.hpp>

#include <concur/multiprocessing.hpp>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "thumbnail_maker/tool/run.hpp"
#include "thumbnail_maker/tool/sources.hpp"

namespace {

// Reads a list of sources, one per line; blank lines and lines starting with '#' skipped.
void read_list(const std::string& path, std::vector<std::string>& into) {
    std::ifstream in(path);
    if (!in) {
        throw CLI::ValidationError("--input-list", "cannot read " + path);
    }
    std::string line;
    while (std::getline(in, line)) {
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') {
            continue;
        }
        const auto last = line.find_last_not_of(" \t\r");
        into.push_back(line.substr(first, last - first + 1));
    }
}

} // namespace

int main(int argc, char** argv) {
    // Worker processes started by spawn or forkserver run this program: they stop here.
    concur::multiprocessing::freeze_support(argc, argv);

    thumbnail_maker::Options options;
    std::string format = "jpeg";
    std::string input_list;
    bool no_progress = false;
    CLI::App app{"Make thumbnails of many images at several widths (aspect ratio kept)."};
    app.add_option("sources", options.sources,
                   "folders, image files, URLs (http, https, file) or s3://bucket/prefix "
                   "(default: " +
                       std::string(thumbnail_maker::kDefaultSource) + ")");
    app.add_option("-i,--input-list", input_list, "a file of sources, one per line");
    app.add_option("-o,--output", options.output,
                   "a folder, an http(s):// folder to PUT to, or s3://bucket/prefix")
        ->capture_default_str();
    app.add_option("-s,--sizes", options.thumbnails.widths, "widths in pixels")
        ->delimiter(',')
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("-f,--format", format, "output format")
        ->check(CLI::IsMember({"jpeg", "png", "webp"}))
        ->capture_default_str();
    app.add_option("-q,--quality", options.thumbnails.quality, "JPEG and WebP quality")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    app.add_option("-m,--mode", options.mode, "how to run")
        ->check(CLI::IsMember({"sequential", "threads", "asyncio"}))
        ->capture_default_str();
    app.add_option("-w,--workers", options.workers, "resize processes (default: cpu_count())")
        ->check(CLI::PositiveNumber);
    app.add_option("-d,--downloads", options.downloads, "transfers at once (threads, asyncio)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("-t,--timeout", options.timeout, "seconds per transfer")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--endpoint", options.endpoint,
                   "S3 endpoint URL (default: $AWS_ENDPOINT_URL, else AWS)");
    app.add_option("--report", options.report, "write a JSON report of every image here");
    app.add_flag("--no-progress", no_progress, "no progress display");
    CLI11_PARSE(app, argc, argv);

    options.progress = !no_progress;
    options.thumbnails.format = format == "png"    ? thumbnail_maker::image::Format::png
                                : format == "webp" ? thumbnail_maker::image::Format::webp
                                                   : thumbnail_maker::image::Format::jpeg;
    if (options.workers == 0) {
        options.workers = concur::multiprocessing::cpu_count();
    }
    { // a width asked twice would name the same file twice
        std::set<int> seen;
        std::vector<int> widths;
        for (const int w : options.thumbnails.widths) {
            if (seen.insert(w).second) {
                widths.push_back(w);
            }
        }
        options.thumbnails.widths = std::move(widths);
    }
    try {
        if (!input_list.empty()) {
            read_list(input_list, options.sources);
        }
        if (options.sources.empty() && input_list.empty()) {
            if (!std::filesystem::is_directory(thumbnail_maker::kDefaultSource)) {
                std::fprintf(stderr,
                             "thumbnail-maker: no source given, and the default photographs "
                             "(%s, Debian's mate-backgrounds) are not installed: run "
                             "scripts/install-deps.sh, or name a folder\n",
                             thumbnail_maker::kDefaultSource);
                return 2;
            }
            options.sources.emplace_back(thumbnail_maker::kDefaultSource);
        }
        thumbnail_maker::resolve_s3(options);
        const std::vector<thumbnail_maker::Source> sources = thumbnail_maker::list_sources(options);
        const thumbnail_maker::RunResult result = thumbnail_maker::run(options, sources);
        if (!options.report.empty()) {
            thumbnail_maker::write_report(options.report, options, result);
        }
        return thumbnail_maker::print_summary(options, result);
    } catch (const CLI::Error& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "thumbnail-maker: %s\n", e.what());
        return 2;
    }
}
