// Waiting in a test without hanging it: polling with a deadline, and timing a call.
#pragma once

#include <chrono>
#include <thread>
#include <utility>

namespace concur_test {

using Seconds = std::chrono::duration<double>;

/// Polls `condition` until it holds or `limit` passes; returns whether it holds. For states
/// that nothing signals, such as "that thread is now blocked". The limit is generous, so that a
/// loaded machine (or a sanitizer) never fails a correct implementation.
template <class F>
bool eventually(F condition, Seconds limit = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    return true;
}

/// The time `fn` takes.
template <class F>
Seconds time_of(F&& fn) {
    const auto start = std::chrono::steady_clock::now();
    std::forward<F>(fn)();
    return std::chrono::steady_clock::now() - start;
}

} // namespace concur_test
