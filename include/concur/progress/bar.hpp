// concur::progress::Bar: the display behind tqdm, usable on its own (update() by hand).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>

namespace concur::progress {

/// tqdm's keyword arguments.
struct TqdmOptions {
    /// The number of items expected; std::nullopt: unknown (a count and a rate, no bar).
    std::optional<std::size_t> total = std::nullopt;
    /// Printed before the bar ("desc: 48%|...").
    std::string desc = {};
    /// What an item is called in the rate ("it/s", "flag/s").
    std::string unit = "it";
    /// Where to draw; stderr as tqdm.
    std::FILE* file = stderr;
    /// A bar redrawn in place (true), or plain lines (false); default: a bar when `file` is
    /// a terminal.
    std::optional<bool> dynamic = std::nullopt;
    /// Least time between two redraws of a bar (tqdm's mininterval).
    std::chrono::duration<double> mininterval = std::chrono::milliseconds(100);
    /// Least time between two plain lines.
    std::chrono::duration<double> line_interval = std::chrono::seconds(1);
    /// Keep the final state on screen after close() (tqdm's leave).
    bool leave = true;
    /// Show nothing at all.
    bool disable = false;
};

/// A progress display (tqdm's tqdm without the iterable): update() counts items and redraws
/// when due; close() (or the destructor) draws the final state. Thread-safe.
class Bar {
public:
    explicit Bar(TqdmOptions options = {});
    Bar(const Bar&) = delete;
    Bar& operator=(const Bar&) = delete;
    ~Bar() { close(); }

    /// Counts `n` more items and redraws if it is time.
    void update(std::size_t n = 1);
    /// Replaces the description (tqdm's set_description).
    void set_description(std::string desc);
    /// Prints `line` without breaking the bar (tqdm.write).
    void write(const std::string& line);
    /// Draws the final state; later calls do nothing.
    void close();
    /// Items counted so far.
    [[nodiscard]] std::size_t n() const;
    /// True if drawing as a bar (a terminal), false for plain lines.
    [[nodiscard]] bool dynamic() const noexcept { return dynamic_; }
    /// The text of the current state, without control characters ("desc: 48%|...| 1/2 [...]").
    [[nodiscard]] std::string format() const;

private:
    void draw_locked(bool final);
    [[nodiscard]] std::string format_locked() const;

    TqdmOptions options_;
    bool dynamic_;
    bool closed_ = false;
    std::size_t n_ = 0;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
    mutable std::mutex mutex_;
};

} // namespace concur::progress
