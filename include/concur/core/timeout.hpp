// Timeouts as Python takes them: a number of seconds, or none for "wait forever".
#pragma once

#include <chrono>
#include <optional>

namespace concur {

/// The monotonic clock every timeout is measured on (Python's time.monotonic).
using Clock = std::chrono::steady_clock;

/// A timeout: any std::chrono duration (1s, 250ms, 0.5s...), or std::nullopt to wait forever.
using Timeout = std::optional<std::chrono::duration<double>>;

/// The largest timeout a blocking call honours as a real deadline, in seconds; longer ones wait
/// forever (Python's threading.TIMEOUT_MAX).
inline constexpr double TIMEOUT_MAX = 1e9;

/// An absolute point on Clock by which a blocking call gives up, or never. Computed once at the
/// start of a call so that spurious wake-ups and retries do not extend the wait.
class Deadline {
public:
    /// A deadline that never passes.
    constexpr Deadline() = default;

    /// The deadline `timeout` from now: never for std::nullopt or beyond TIMEOUT_MAX, already
    /// passed for zero or a negative timeout. Throws ValueError for NaN.
    static Deadline after(Timeout timeout);

    /// The deadline at `when`.
    static Deadline at(Clock::time_point when) {
        Deadline d;
        d.when_ = when;
        d.never_ = false;
        return d;
    }

    [[nodiscard]] bool is_never() const { return never_; }
    [[nodiscard]] Clock::time_point when() const { return when_; }

    /// True once the deadline has passed.
    [[nodiscard]] bool expired() const { return !never_ && Clock::now() >= when_; }

    /// Time left (zero once passed), or std::nullopt for never.
    [[nodiscard]] Timeout remaining() const;

private:
    Clock::time_point when_{};
    bool never_ = true;
};

} // namespace concur
