// Measures the image core on a folder of JPEGs, one image after another on one core:
//   thumbnail_image_bench DIR [REPEAT]
// Prints images/s (also on two threads) of: the decode-only limit (libjpeg-turbo at the smallest
// M/8 keeping the width
// >= 1024, nothing else) in its variants, make_thumbnails (64, 256, 1024, JPEG q85), the time
// split of decode / resize / encode, and the quality of the smaller widths made from the previous
// result ("chain", what make_thumbnails does) and from the decoded image ("direct"), as PSNR
// against a reference made from the full-size decode.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "image/codecs.hpp"
#include "image/orientation.hpp"
#include "image/resample.hpp"
#include "image/thumbnails.hpp"

namespace img = thumbnail_maker::image;
using Clock = std::chrono::steady_clock;

namespace {

const std::vector<int> widths = {1024, 256, 64};

std::vector<std::string> load(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> paths;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        std::string ext = e.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (ext == ".jpg" || ext == ".jpeg") {
            paths.push_back(e.path());
        }
    }
    std::sort(paths.begin(), paths.end());
    std::vector<std::string> files;
    for (const auto& p : paths) {
        std::ifstream in(p, std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        files.push_back(s.str());
    }
    return files;
}

// Best of `repeat` runs of fn over all files, in seconds, on `threads` threads that take the
// next file from a shared counter (1: this thread alone).
double best(int repeat, const std::vector<std::string>& files,
            const std::function<void(const std::string&)>& fn, int threads = 1) {
    double best_s = 1e9;
    for (int r = 0; r < repeat; ++r) {
        std::atomic<std::size_t> next{0}; // relaxed suffices: each index is handed out once
        auto work = [&] {
            for (std::size_t i;
                 (i = next.fetch_add(1, std::memory_order_relaxed)) < files.size();) {
                fn(files[i]);
            }
        };
        const auto t0 = Clock::now();
        {
            std::vector<std::jthread> pool;
            for (int t = 1; t < threads; ++t) {
                pool.emplace_back(work);
            }
            work();
        }
        best_s = std::min(best_s, std::chrono::duration<double>(Clock::now() - t0).count());
    }
    return best_s;
}

void report(const char* what, std::size_t n, double s) {
    std::printf("%-44s %6.3f s  %6.1f images/s\n", what, s, static_cast<double>(n) / s);
}

double psnr(const img::Raster& a, const img::Raster& b) {
    double se = 0;
    for (std::size_t i = 0; i < a.pixels.size(); ++i) {
        const double d = double(a.pixels[i]) - double(b.pixels[i]);
        se += d * d;
    }
    const double mse = se / static_cast<double>(a.pixels.size());
    return mse == 0 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

int height_for(const img::Decoded& d, int w) {
    const bool swap = img::swaps_axes(d.orientation);
    const double fw = swap ? d.full_height : d.full_width, fh = swap ? d.full_width : d.full_height;
    return std::max(1, static_cast<int>(std::lround(fh * w / fw)));
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR [REPEAT]\n", argv[0]);
        return 2;
    }
    const int repeat = argc > 2 ? std::atoi(argv[2]) : 3;
    const auto files = load(argv[1]);
    std::size_t bytes = 0;
    for (const auto& f : files) {
        bytes += f.size();
    }
    std::printf("%zu JPEGs, %.1f MB, best of %d, one thread unless said\n", files.size(),
                double(bytes) / 1e6, repeat);
    const std::size_t n = files.size();

    for (auto [name, opts] :
         {std::pair{"decode at M/8 >= 1024 (ISLOW, fancy)",
                    img::JpegDecodeOptions{.min_width = 1024}},
          std::pair{"decode at M/8 >= 1024 (IFAST, fancy)",
                    img::JpegDecodeOptions{.min_width = 1024, .fast_dct = true}},
          std::pair{"decode at M/8 >= 1024 (ISLOW, no fancy)",
                    img::JpegDecodeOptions{.min_width = 1024, .fancy_upsampling = false}}}) {
        report(name, n,
               best(repeat, files, [&](const std::string& f) { img::decode_jpeg(f, opts); }));
    }

    const img::ThumbnailOptions options{.widths = {64, 256, 1024}};
    report("make_thumbnails 64,256,1024 JPEG q85", n,
           best(repeat, files, [&](const std::string& f) { img::make_thumbnails(f, options); }));
    // Two threads: what two cores can do at most, beside the 2-core figures.
    report("2 threads: decode at M/8 >= 1024 (ISLOW)", n,
           best(
               repeat, files,
               [&](const std::string& f) { img::decode_jpeg(f, {.min_width = 1024}); }, 2));
    report("2 threads: make_thumbnails", n,
           best(
               repeat, files, [&](const std::string& f) { img::make_thumbnails(f, options); }, 2));

    // The split, and the quality of chain vs direct, once over the set.
    double t_decode = 0, t_resize = 0, t_encode = 0, t_direct = 0;
    double psnr_chain[3] = {}, psnr_direct[3] = {};
    for (const auto& f : files) {
        auto t0 = Clock::now();
        img::Decoded d = img::decode_jpeg(f, {.min_width = 1024});
        img::Raster src = img::apply_orientation(std::move(d.raster), d.orientation);
        auto t1 = Clock::now();
        std::vector<img::Raster> chain;
        for (int w : widths) {
            chain.push_back(
                img::resize_lanczos3(chain.empty() ? src : chain.back(), w, height_for(d, w)));
        }
        auto t2 = Clock::now();
        for (const auto& r : chain) {
            img::encode_jpeg(r, 85);
        }
        auto t3 = Clock::now();
        std::vector<img::Raster> direct;
        for (int w : widths) {
            direct.push_back(img::resize_lanczos3(src, w, height_for(d, w)));
        }
        auto t4 = Clock::now();
        t_decode += std::chrono::duration<double>(t1 - t0).count();
        t_resize += std::chrono::duration<double>(t2 - t1).count();
        t_encode += std::chrono::duration<double>(t3 - t2).count();
        t_direct += std::chrono::duration<double>(t4 - t3).count();
        // Reference: full-size decode, each width straight from it.
        img::Decoded full = img::decode_jpeg(f, {});
        img::Raster fsrc = img::apply_orientation(std::move(full.raster), full.orientation);
        for (std::size_t i = 0; i < widths.size(); ++i) {
            const img::Raster ref = img::resize_lanczos3(fsrc, widths[i], height_for(d, widths[i]));
            psnr_chain[i] += psnr(chain[i], ref) / double(n);
            psnr_direct[i] += psnr(direct[i], ref) / double(n);
        }
    }
    std::printf("split: decode+orient %.3f s, resize (chain) %.3f s, encode %.3f s; "
                "resize (direct) %.3f s\n",
                t_decode, t_resize, t_encode, t_direct);
    for (std::size_t i = 0; i < widths.size(); ++i) {
        std::printf(
            "width %4d: mean PSNR vs full-decode reference: chain %.2f dB, direct %.2f dB\n",
            widths[i], psnr_chain[i], psnr_direct[i]);
    }
}
