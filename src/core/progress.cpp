#include "concur/progress/bar.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace concur::progress {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kBarWidth = 25;

std::string clock_text(double seconds) {
    const auto s = static_cast<long>(seconds);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
    return buf;
}

} // namespace

Bar::Bar(TqdmOptions options)
    : options_(std::move(options)),
      dynamic_(options_.dynamic.value_or(options_.file != nullptr &&
                                         ::isatty(::fileno(options_.file)) == 1)),
      start_(Clock::now()), last_draw_(start_) {
    if (options_.disable || options_.file == nullptr) {
        closed_ = true;
        return;
    }
    std::lock_guard lock(mutex_);
    if (dynamic_) {
        draw_locked(false);
    }
}

void Bar::update(std::size_t n) {
    std::lock_guard lock(mutex_);
    n_ += n;
    if (closed_) {
        return;
    }
    const auto since = Clock::now() - last_draw_;
    const auto interval = dynamic_ ? options_.mininterval : options_.line_interval;
    if (since >= interval) {
        draw_locked(false);
    }
}

void Bar::set_description(std::string desc) {
    std::lock_guard lock(mutex_);
    options_.desc = std::move(desc);
}

void Bar::write(const std::string& line) {
    std::lock_guard lock(mutex_);
    if (options_.file == nullptr || options_.disable) {
        return;
    }
    if (dynamic_ && !closed_) {
        std::fprintf(options_.file, "\r\033[K%s\n", line.c_str());
        draw_locked(false);
    } else {
        std::fprintf(options_.file, "%s\n", line.c_str());
    }
    std::fflush(options_.file);
}

void Bar::close() {
    std::lock_guard lock(mutex_);
    if (closed_) {
        return;
    }
    draw_locked(true);
    closed_ = true;
}

std::size_t Bar::n() const {
    std::lock_guard lock(mutex_);
    return n_;
}

std::string Bar::format() const {
    std::lock_guard lock(mutex_);
    return format_locked();
}

std::string Bar::format_locked() const {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(n_) / elapsed : 0.0;
    std::string out = options_.desc.empty() ? std::string() : options_.desc + ": ";
    char buf[128];
    if (options_.total && *options_.total > 0) {
        const std::size_t total = *options_.total;
        const double frac = std::min(1.0, static_cast<double>(n_) / static_cast<double>(total));
        std::snprintf(buf, sizeof buf, "%3d%%|", static_cast<int>(frac * 100.0));
        out += buf;
        // Eighths of a cell, as tqdm draws them.
        const int eighths = static_cast<int>(frac * kBarWidth * 8);
        static const char* const partial[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
        int cells = 0;
        for (; cells < eighths / 8; ++cells) {
            out += "█";
        }
        if (cells < kBarWidth && eighths % 8 != 0) {
            out += partial[eighths % 8];
            ++cells;
        }
        out.append(static_cast<std::size_t>(kBarWidth - cells), ' ');
        const double remaining =
            rate > 0 ? static_cast<double>(total - std::min(total, n_)) / rate : 0.0;
        std::snprintf(buf, sizeof buf, "| %zu/%zu [%s<%s, %.1f%s/s]", n_, total,
                      clock_text(elapsed).c_str(), clock_text(remaining).c_str(), rate,
                      options_.unit.c_str());
    } else {
        std::snprintf(buf, sizeof buf, "%zu%s [%s, %.1f%s/s]", n_, options_.unit.c_str(),
                      clock_text(elapsed).c_str(), rate, options_.unit.c_str());
    }
    out += buf;
    return out;
}

void Bar::draw_locked(bool final) {
    last_draw_ = Clock::now();
    const std::string text = format_locked();
    if (dynamic_) {
        if (final && !options_.leave) {
            std::fprintf(options_.file, "\r\033[K");
        } else {
            std::fprintf(options_.file, "\r%s\033[K%s", text.c_str(), final ? "\n" : "");
        }
    } else {
        std::fprintf(options_.file, "%s\n", text.c_str());
    }
    std::fflush(options_.file);
}

} // namespace concur::progress
