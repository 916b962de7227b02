// Helpers shared by the tests of the asyncio runtime core (loop, tasks, futures, cancellation,
// gather, sleep): a loop on a ManualClock whose exception handler records what reaches it.
#pragma once

#include <chrono>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "concur/asyncio.hpp"
#include "concur/core/traceback.hpp"

namespace concur_test {

/// Records every context that reaches a loop's exception handler.
struct HandlerLog {
    std::vector<concur::asyncio::ExceptionContext> contexts;

    void install(concur::asyncio::EventLoop& loop) {
        loop.set_exception_handler(
            [this](concur::asyncio::EventLoop&, const concur::asyncio::ExceptionContext& c) {
                contexts.push_back(c);
            });
    }
    /// How many contexts carry exactly this message.
    [[nodiscard]] std::size_t count(std::string_view message) const {
        std::size_t n = 0;
        for (const auto& c : contexts) {
            n += c.message == message ? 1 : 0;
        }
        return n;
    }
};

/// A ManualClock loop whose exception handler records; the test fails if anything it did not
/// expect (and clear) reached the handler, up to and including the loop's close().
class ManualLoopTest : public ::testing::Test {
protected:
    void SetUp() override { errors.install(*loop); }
    void TearDown() override {
        loop->close();
        for (const auto& c : errors.contexts) {
            ADD_FAILURE() << "unexpected report: " << c.message << " "
                          << concur::format_exception(c.exception) << " " << c.task << c.future;
        }
    }

    /// The loop's time elapsed since the test began (exact: the clock moves only by timers).
    [[nodiscard]] double elapsed() const { return loop->time() - start; }

    HandlerLog errors;
    concur::asyncio::testing::ManualClock* clock = nullptr;
    std::unique_ptr<concur::asyncio::EventLoop> loop =
        concur::asyncio::testing::manual_loop(&clock);
    double start = loop->time();
};

/// Sets a flag when destroyed: shows that a coroutine frame (or a callback) was destroyed.
struct DestroyFlag {
    explicit DestroyFlag(bool* f) noexcept : flag(f) {}
    DestroyFlag(DestroyFlag&& other) noexcept : flag(std::exchange(other.flag, nullptr)) {}
    DestroyFlag(const DestroyFlag&) = delete;
    DestroyFlag& operator=(const DestroyFlag&) = delete;
    DestroyFlag& operator=(DestroyFlag&&) = delete;
    ~DestroyFlag() {
        if (flag != nullptr) {
            *flag = true;
        }
    }
    bool* flag;
};

/// An exception type of the tests' own, with a payload, to check that types survive.
class AppError : public std::runtime_error {
public:
    AppError(const std::string& what, int c) : std::runtime_error(what), code(c) {}
    int code;
};

/// The message of the CancelledError in `e` ("" if it is none).
inline std::string cancelled_message(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const concur::CancelledError& c) {
        return c.what();
    } catch (...) {
        return "<not a CancelledError>";
    }
}

/// True if `e` holds a CancelledError.
inline bool is_cancelled_error(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const concur::CancelledError&) {
        return true;
    } catch (...) {
        return false;
    }
}

} // namespace concur_test
