// multiprocessing.pool.AsyncResult: the eventual result of apply_async() or map_async().
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "concur/core/exceptions.hpp"
#include "concur/core/timeout.hpp"

namespace concur::multiprocessing {

namespace detail {

/// The shared state of an AsyncResult: a value or an exception, set once.
template <class T>
class ResultState {
public:
    using Callback = std::function<void(T&)>;
    using ErrorCallback = std::function<void(std::exception_ptr)>;

    ResultState(Callback callback, ErrorCallback error_callback)
        : callback_(std::move(callback)), error_callback_(std::move(error_callback)) {}

    /// Stores the value (the first outcome wins), runs the callback, wakes waiters.
    void set_value(T value) noexcept {
        {
            std::lock_guard lock(mutex_);
            if (claimed_) {
                return;
            }
            claimed_ = true;
            value_.emplace(std::move(value));
        }
        if (callback_) {
            try {
                callback_(*value_);
            } catch (...) { // Python logs and carries on; the result stands
            }
        }
        publish();
    }

    void set_exception(std::exception_ptr error) noexcept {
        {
            std::lock_guard lock(mutex_);
            if (claimed_) {
                return;
            }
            claimed_ = true;
            error_ = std::move(error);
        }
        if (error_callback_) {
            try {
                error_callback_(error_);
            } catch (...) {
            }
        }
        publish();
    }

    bool wait(const Deadline& deadline) {
        std::unique_lock lock(mutex_);
        while (!done_) {
            if (const Timeout left = deadline.remaining()) {
                if (changed_.wait_for(lock, *left) == std::cv_status::timeout) {
                    return done_;
                }
            } else {
                changed_.wait(lock);
            }
        }
        return true;
    }

    [[nodiscard]] bool done() const {
        std::lock_guard lock(mutex_);
        return done_;
    }

    // Valid once done.
    T& value() { return *value_; }
    [[nodiscard]] const std::exception_ptr& error() const { return error_; }

private:
    void publish() noexcept {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        changed_.notify_all();
    }

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool claimed_ = false; // an outcome was stored: later ones are ignored
    bool done_ = false;
    std::optional<T> value_;
    std::exception_ptr error_;
    Callback callback_;
    ErrorCallback error_callback_;
};

} // namespace detail

/// The result of Pool::apply_async() and Pool::map_async() (Python's AsyncResult). Copies share
/// one result. T is std::monostate for calls returning nothing.
template <class T>
class AsyncResult {
public:
    explicit AsyncResult(std::shared_ptr<detail::ResultState<T>> state)
        : state_(std::move(state)) {}

    /// The result when it arrives, waiting at most `timeout`; rethrows the call's exception;
    /// TimeoutError if it has not arrived in time.
    T& get(Timeout timeout = std::nullopt) const {
        if (!state_->wait(Deadline::after(timeout))) {
            throw TimeoutError();
        }
        if (state_->error()) {
            std::rethrow_exception(state_->error());
        }
        return state_->value();
    }

    /// Waits until the result is available, at most `timeout`.
    void wait(Timeout timeout = std::nullopt) const { state_->wait(Deadline::after(timeout)); }

    /// Whether the call has completed.
    [[nodiscard]] bool ready() const { return state_->done(); }

    /// Whether the call completed without raising; ValueError if it is not ready.
    [[nodiscard]] bool successful() const {
        if (!state_->done()) {
            throw ValueError("AsyncResult is not ready");
        }
        return !state_->error();
    }

private:
    std::shared_ptr<detail::ResultState<T>> state_;
};

} // namespace concur::multiprocessing
