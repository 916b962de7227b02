#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "thumbnail_maker/tool/run.hpp"

namespace thumbnail_maker {

namespace {

struct Totals {
    std::size_t ok = 0;
    std::size_t failed = 0;
    std::size_t bytes_in = 0;
    std::size_t bytes_out = 0;
    std::size_t files_out = 0;
};

Totals totals_of(const RunResult& result) {
    Totals t;
    for (const ImageResult& image : result.images) {
        ++(image.ok ? t.ok : t.failed);
        t.bytes_in += image.bytes_in;
        for (const OutputFile& out : image.outputs) {
            t.bytes_out += out.bytes;
            ++t.files_out;
        }
    }
    return t;
}

double per_second(std::size_t n, double seconds) {
    return seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
}

} // namespace

RunResult run(const Options& options, const std::vector<Source>& sources) {
    if (options.thumbnails.widths.empty()) {
        throw std::invalid_argument("no sizes to make");
    }
    if (options.workers <= 0 || options.downloads <= 0) {
        throw std::invalid_argument("--workers and --downloads must be positive");
    }
    const auto t0 = std::chrono::steady_clock::now();
    RunResult result;
    if (options.mode == "sequential") {
        result = run_sequential(options, sources);
    } else if (options.mode == "threads") {
        result = run_threads(options, sources);
    } else if (options.mode == "asyncio") {
        result = run_asyncio(options, sources);
    } else {
        throw std::invalid_argument("unknown mode '" + options.mode +
                                    "': sequential, threads or asyncio");
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
}

int print_summary(const Options& options, const RunResult& result) {
    const Totals t = totals_of(result);
    for (const ImageResult& image : result.images) {
        if (!image.ok) {
            std::fprintf(stderr, "*** Error for %s: %s\n", image.source.c_str(),
                         image.error.c_str());
        }
    }
    const std::size_t n = result.images.size();
    std::printf("%zu image%s: %zu done, %zu failed%s\n", n, n == 1 ? "" : "s", t.ok, t.failed,
                result.interrupted ? " (interrupted: the rest not started)" : "");
    std::printf("%.1f MB in, %.1f MB out (%zu files in %s)\n",
                static_cast<double>(t.bytes_in) / 1e6, static_cast<double>(t.bytes_out) / 1e6,
                t.files_out, options.output.c_str());
    std::printf("%.2f s, %.1f images/s (%s mode, %d workers, %d downloads)\n", result.seconds,
                per_second(t.ok, result.seconds), options.mode.c_str(), options.workers,
                options.downloads);
    std::fflush(stdout);
    if (result.interrupted) {
        return 130;
    }
    return t.failed > 0 ? 1 : 0;
}

void write_report(const std::string& path, const Options& options, const RunResult& result) {
    const Totals t = totals_of(result);
    nlohmann::ordered_json images = nlohmann::ordered_json::array();
    for (const ImageResult& image : result.images) {
        nlohmann::ordered_json outputs = nlohmann::ordered_json::array();
        for (const OutputFile& out : image.outputs) {
            outputs.push_back({{"width", out.width},
                               {"height", out.height},
                               {"bytes", out.bytes},
                               {"location", out.location}});
        }
        images.push_back({{"source", image.source},
                          {"ok", image.ok},
                          {"error", image.ok ? nlohmann::ordered_json(nullptr)
                                             : nlohmann::ordered_json(image.error)},
                          {"bytes_in", image.bytes_in},
                          {"outputs", outputs},
                          {"seconds", image.seconds}});
    }
    const nlohmann::ordered_json report = {
        {"summary",
         {{"images", result.images.size()},
          {"ok", t.ok},
          {"failed", t.failed},
          {"interrupted", result.interrupted},
          {"bytes_in", t.bytes_in},
          {"bytes_out", t.bytes_out},
          {"files_out", t.files_out},
          {"seconds", result.seconds},
          {"images_per_sec", per_second(t.ok, result.seconds)},
          {"mode", options.mode},
          {"workers", options.workers},
          {"downloads", options.downloads},
          {"widths", options.thumbnails.widths},
          {"format", image::format_name(options.thumbnails.format)},
          {"quality", options.thumbnails.quality},
          {"output", options.output}}},
        {"images", images}};
    const std::string tmp = path + "." + std::to_string(::getpid()) + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << report.dump(2) << '\n';
        out.close();
        if (!out) {
            std::filesystem::remove(tmp);
            throw std::runtime_error("cannot write the report " + path);
        }
    }
    std::filesystem::rename(tmp, path);
}

} // namespace thumbnail_maker
