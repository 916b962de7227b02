// Driving an event loop's time by hand: timers fire in no wall time, so tests of timeouts and
// sleeps are fast and exact.
//
//   auto clock = std::make_unique<asyncio::testing::ManualClock>();
//   auto* c = clock.get();
//   asyncio::EventLoop loop({.selector = std::make_unique<asyncio::testing::FakeSelector>(*c),
//                            .clock = std::move(clock)});
#pragma once

#include <memory>

#include "concur/asyncio/events.hpp"
#include "concur/selectors/epoll_selector.hpp"

namespace concur::asyncio::testing {

/// A clock that moves only when told (or when a FakeSelector skips a wait).
class ManualClock final : public Clock {
public:
    explicit ManualClock(double start = 1000.0) noexcept : now_(start) {}
    [[nodiscard]] double time() const override { return now_; }
    /// Moves the clock forward by `seconds`.
    void advance(double seconds) noexcept { now_ += seconds; }

private:
    double now_;
};

/// A selector that, instead of waiting for a timeout, advances a ManualClock by it; file
/// descriptors (the loop's own waker among them) are still watched by a real epoll, and a wait
/// without timeout still blocks there, so call_soon_threadsafe() works as usual.
class FakeSelector final : public selectors::BaseSelector {
public:
    explicit FakeSelector(ManualClock& clock) : clock_(clock) {}

    /// Total simulated seconds skipped so far.
    [[nodiscard]] double skipped() const noexcept { return skipped_; }

protected:
    void do_register(int fd, std::uint32_t events) override { real_.register_(fd, events); }
    void do_modify(int fd, std::uint32_t events) override { real_.modify(fd, events); }
    void do_unregister(int fd) noexcept override {
        try {
            real_.unregister(fd);
        } catch (...) {
        }
    }
    std::size_t do_select(Timeout timeout, std::vector<selectors::Ready>& out) override {
        if (!timeout) {
            return real_.select(std::nullopt, out);
        }
        const std::size_t n = real_.select(std::chrono::duration<double>(0), out);
        if (n == 0 && timeout->count() > 0) {
            clock_.advance(timeout->count());
            skipped_ += timeout->count();
        }
        return n;
    }
    void do_close() noexcept override { real_.close(); }

private:
    ManualClock& clock_;
    selectors::EpollSelector real_;
    double skipped_ = 0;
};

/// A loop on a ManualClock and a FakeSelector.
inline std::unique_ptr<EventLoop> manual_loop(ManualClock** clock_out = nullptr) {
    auto clock = std::make_unique<ManualClock>();
    ManualClock* c = clock.get();
    if (clock_out != nullptr) {
        *clock_out = c;
    }
    return std::make_unique<EventLoop>(EventLoopOptions{
        .selector = std::make_unique<FakeSelector>(*c), .clock = std::move(clock)});
}

} // namespace concur::asyncio::testing
