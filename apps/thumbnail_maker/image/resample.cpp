// The resampler runs vertically first, one output row at a time: the vertical taps sum whole
// input rows into one float row (a contiguous multiply-add the compiler vectorises), then the
// horizontal taps read that row. No intermediate image, one row of floats in cache.
#include "resample.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

namespace thumbnail_maker::image {

namespace {

double lanczos3(double x) {
    x = std::abs(x);
    if (x >= 3.0) {
        return 0.0;
    }
    if (x < 1e-9) {
        return 1.0;
    }
    const double px = std::numbers::pi * x;
    return 3.0 * std::sin(px) * std::sin(px / 3.0) / (px * px);
}

// The filter along one axis: for output i, weights[i * stride .. + count[i]] apply to inputs
// first[i], first[i] + 1, ...; the weights of each output sum to 1.
struct Taps {
    int stride = 0;
    std::vector<int> first;
    std::vector<int> count;
    std::vector<float> weights;
};

Taps make_taps(int in, int out) {
    const double scale = static_cast<double>(in) / out;
    const double widen = std::max(scale, 1.0);
    const double support = 3.0 * widen;
    Taps t;
    t.stride = static_cast<int>(std::ceil(support)) * 2 + 1;
    const auto n = static_cast<std::size_t>(out);
    t.first.resize(n);
    t.count.resize(n);
    t.weights.assign(n * static_cast<std::size_t>(t.stride), 0.0f);
    for (int i = 0; i < out; ++i) {
        const double center = (i + 0.5) * scale; // pixel centres map to pixel centres
        const int lo = std::max(0, static_cast<int>(center - support + 0.5));
        const int hi = std::min(in, static_cast<int>(center + support + 0.5));
        float* w = &t.weights[static_cast<std::size_t>(i) * static_cast<std::size_t>(t.stride)];
        const int cnt = std::min(hi - lo, t.stride); // hi - lo <= stride: a safety net
        double sum = 0.0;
        for (int j = 0; j < cnt; ++j) {
            const double v = lanczos3((lo + j + 0.5 - center) / widen);
            w[j] = static_cast<float>(v);
            sum += v;
        }
        for (int j = 0; j < cnt; ++j) { // normalised, so that flat stays exactly flat
            w[j] = sum != 0.0 ? static_cast<float>(w[j] / sum) : 1.0f / static_cast<float>(cnt);
        }
        t.first[static_cast<std::size_t>(i)] = lo;
        t.count[static_cast<std::size_t>(i)] = cnt;
    }
    return t;
}

// Rounds to the nearest byte, clamping the filter's over- and undershoot (not std::lrint: a
// libm call per sample, it showed in profiles).
std::uint8_t to_byte(float v) {
    return static_cast<std::uint8_t>(std::clamp(v, 0.0f, 255.0f) + 0.5f);
}

// One output row from the float row `acc` (input width, CH samples per pixel).
template <int CH>
void horizontal(const float* acc, const Taps& tx, std::uint8_t* out, int width) {
    for (int x = 0; x < width; ++x) {
        const auto xi = static_cast<std::size_t>(x);
        const float* w = &tx.weights[xi * static_cast<std::size_t>(tx.stride)];
        const float* p = acc + static_cast<std::ptrdiff_t>(tx.first[xi]) * CH;
        float sum[CH] = {};
        const int n = tx.count[xi];
        for (int j = 0; j < n; ++j) {
            for (int c = 0; c < CH; ++c) {
                sum[c] += w[j] * p[j * CH + c];
            }
        }
        for (int c = 0; c < CH; ++c) {
            out[x * CH + c] = to_byte(sum[c]);
        }
    }
}

// RGB: one pixel is one 4-float vector (R, G, B and the next pixel's R, ignored), so each tap
// is one vector multiply-add instead of three scalar ones. Needs one float of padding after acc.
using Float4 = float __attribute__((vector_size(16)));

template <>
void horizontal<3>(const float* acc, const Taps& tx, std::uint8_t* out, int width) {
    for (int x = 0; x < width; ++x) {
        const auto xi = static_cast<std::size_t>(x);
        const float* w = &tx.weights[xi * static_cast<std::size_t>(tx.stride)];
        const float* p = acc + static_cast<std::ptrdiff_t>(tx.first[xi]) * 3;
        // Two sums, even and odd taps, so that the additions do not wait on each other.
        Float4 even = {0, 0, 0, 0}, odd = {0, 0, 0, 0};
        const int n = tx.count[xi];
        int j = 0;
        for (; j + 1 < n; j += 2) {
            Float4 a, b;
            std::memcpy(&a, p + 3 * j, sizeof a); // unaligned loads
            std::memcpy(&b, p + 3 * j + 3, sizeof b);
            even += w[j] * a;
            odd += w[j + 1] * b;
        }
        if (j < n) {
            Float4 a;
            std::memcpy(&a, p + 3 * j, sizeof a);
            even += w[j] * a;
        }
        const Float4 sum = even + odd;
        out[3 * x] = to_byte(sum[0]);
        out[3 * x + 1] = to_byte(sum[1]);
        out[3 * x + 2] = to_byte(sum[2]);
    }
}

// The vertical taps of one output row: acc[i] = sum of w[k] * row(first + k)[i] (n >= 1).
// Two taps per pass halve the loads and stores of acc.
[[gnu::always_inline]] inline void vertical_body(const Raster& image, int first, const float* w,
                                                 int n, float* acc, std::size_t len) {
    const std::uint8_t* s0 = image.row(first);
    for (std::size_t i = 0; i < len; ++i) {
        acc[i] = w[0] * static_cast<float>(s0[i]);
    }
    int k = 1;
    for (; k + 1 < n; k += 2) {
        const std::uint8_t* a = image.row(first + k);
        const std::uint8_t* b = image.row(first + k + 1);
        const float wa = w[k], wb = w[k + 1];
        for (std::size_t i = 0; i < len; ++i) {
            acc[i] += wa * static_cast<float>(a[i]) + wb * static_cast<float>(b[i]);
        }
    }
    if (k < n) {
        const std::uint8_t* a = image.row(first + k);
        for (std::size_t i = 0; i < len; ++i) {
            acc[i] += w[k] * static_cast<float>(a[i]);
        }
    }
}

// The widest loop of the resampler, built twice: for the baseline x86-64 and for AVX2, chosen
// at run time. (Not GCC's target_clones: its ifunc resolver runs before ThreadSanitizer is up.)
#if defined(__x86_64__)
[[gnu::target("avx2")]] void vertical_avx2(const Raster& image, int first, const float* w, int n,
                                           float* acc, std::size_t len) {
    vertical_body(image, first, w, n, acc, len);
}
#endif

void vertical(const Raster& image, int first, const float* w, int n, float* acc, std::size_t len) {
#if defined(__x86_64__)
    static const bool avx2 = __builtin_cpu_supports("avx2");
    if (avx2) {
        vertical_avx2(image, first, w, n, acc, len);
        return;
    }
#endif
    vertical_body(image, first, w, n, acc, len);
}

} // namespace

Raster resize_lanczos3(const Raster& image, int width, int height) {
    if (width == image.width && height == image.height) {
        return image;
    }
    const Taps tx = make_taps(image.width, width);
    const Taps ty = make_taps(image.height, height);
    Raster out(width, height, image.channels);
    const std::size_t row = image.row_bytes();
    std::vector<float> acc(row + 1); // + 1: horizontal<3> reads one float past the row
    for (int y = 0; y < height; ++y) {
        const auto yi = static_cast<std::size_t>(y);
        const float* w = &ty.weights[yi * static_cast<std::size_t>(ty.stride)];
        vertical(image, ty.first[yi], w, ty.count[yi], acc.data(), row);
        if (image.channels == 1) {
            horizontal<1>(acc.data(), tx, out.row(y), width);
        } else {
            horizontal<3>(acc.data(), tx, out.row(y), width);
        }
    }
    return out;
}

} // namespace thumbnail_maker::image
