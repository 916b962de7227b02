// Helpers shared by the futures tests: the generous timeout, an exception type of their own,
// futures made in each state, and the common test helpers under the names the tests use.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <concur/futures/future.hpp>
#include <concur/futures/thread_pool_executor.hpp>
#include <concur/threading/event.hpp>

#include "common/sleeping_on.hpp"
#include "common/spawn.hpp"
#include "common/wait_helpers.hpp"
#include "common/watchdog.hpp"

namespace concur::futures {
/// GoogleTest prints a future as its repr.
template <class T>
void PrintTo(const Future<T>& f, std::ostream* os) {
    *os << f.repr();
}
} // namespace concur::futures

namespace futures_test {

using namespace std::chrono_literals;
using concur_test::Background;
using concur_test::eventually;
using concur_test::in_futex;
using concur_test::Seconds;
using concur_test::time_of;
using concur_test::Watchdog;

/// How long something that should happen promptly may take before a test calls it a failure:
/// generous, so that a loaded machine (or a sanitizer) never fails a correct implementation.
/// Every blocking call in the tests takes it (or a shorter timeout the test is about).
inline constexpr auto kLong = 10s;

/// An exception type of the tests' own, to check that result() rethrows the call's type.
struct TaskError : std::exception {
    explicit TaskError(int c) : code(c) {}
    [[nodiscard]] const char* what() const noexcept override { return "task error"; }
    int code;
};

using Fs = std::vector<concur::futures::Future<int>>;

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Futures made by hand in each state, for the functions that take a collection of them.
inline concur::futures::Future<int> successful(int value = 42) {
    concur::futures::Future<int> f;
    f.set_result(value);
    return f;
}

inline concur::futures::Future<int> failed() {
    concur::futures::Future<int> f;
    f.set_exception(std::runtime_error("failed"));
    return f;
}

inline concur::futures::Future<int> cancelled() {
    concur::futures::Future<int> f;
    f.cancel();
    return f;
}

inline concur::futures::Future<int> running() {
    concur::futures::Future<int> f;
    f.set_running_or_notify_cancel();
    return f;
}

/// A call that holds one of a pool's workers until release() (or for kLong at most): for tests
/// about a running call, or about the calls queued behind it. The call shares its events by
/// ownership, so that they outlive it whatever becomes of the test.
class BusyWorker {
public:
    explicit BusyWorker(concur::futures::ThreadPoolExecutor& ex)
        : call_(ex.submit([events = events_] {
              events->started.set();
              return events->release.wait(kLong);
          })) {}

    /// Whether the call has started running, within kLong.
    [[nodiscard]] bool started() const { return events_->started.wait(kLong); }

    void release() const { events_->release.set(); }

    /// The call's future; its result is true if release() came in time.
    [[nodiscard]] concur::futures::Future<bool>& call() { return call_; }

private:
    struct Events {
        concur::threading::Event started;
        concur::threading::Event release;
    };
    std::shared_ptr<Events> events_ = std::make_shared<Events>(); // before call_, which uses it
    concur::futures::Future<bool> call_;
};

/// Submits `n` calls to `ex`, the i-th returning i; their futures in submission order.
inline std::vector<concur::futures::Future<int>>
submit_identities(concur::futures::ThreadPoolExecutor& ex, int n) {
    std::vector<concur::futures::Future<int>> fs;
    for (int i = 0; i < n; ++i) {
        fs.push_back(ex.submit([i] { return i; }));
    }
    return fs;
}

} // namespace futures_test
