#include "concur/asyncio/detail/future_core.hpp"

#include <cstdio>

#include "concur/asyncio/events.hpp"
#include "concur/core/exceptions.hpp"

namespace concur::asyncio::detail {

FutureCore::~FutureCore() {
    // Callbacks that never ran go with the future; awaiters learn it is gone.
    for (Waiter* w = waiters_; w != nullptr;) {
        Waiter* next = w->next;
        w->registered = false;
        if (w->owned_by_future) {
            delete w;
        }
        w = next;
    }
}

bool FutureCore::cancel(const std::string* message) {
    log_traceback_ = false;
    if (state_ != State::kPending) {
        return false;
    }
    state_ = State::kCancelled;
    if (message != nullptr) {
        extras().cancel_message = *message;
    }
    notify_done();
    return true;
}

std::exception_ptr FutureCore::cancelled_error() const {
    if (has_exception_ && exception_) {
        return exception_; // a task's own CancelledError, as its coroutine raised it
    }
    const std::string* message = cancel_message();
    return std::make_exception_ptr(CancelledError(message != nullptr ? *message : ""));
}

void FutureCore::add_waiter(Waiter* waiter) noexcept {
    // Appended, so that waiters are told in the order they came (Python's callback order).
    waiter->next = nullptr;
    waiter->registered = true;
    Waiter** link = &waiters_;
    while (*link != nullptr) {
        link = &(*link)->next;
    }
    *link = waiter;
}

void FutureCore::remove_waiter(Waiter* waiter) noexcept {
    for (Waiter** link = &waiters_; *link != nullptr; link = &(*link)->next) {
        if (*link == waiter) {
            *link = waiter->next;
            waiter->registered = false;
            return;
        }
    }
}

void FutureCore::notify_done() noexcept {
    Waiter* w = waiters_;
    waiters_ = nullptr;
    if (loop_ == nullptr) {
        return;
    }
    // Each waiter is told once; a waiter may remove others (never itself twice) while we walk,
    // so the list is detached first.
    while (w != nullptr) {
        Waiter* next = w->next;
        w->registered = false;
        w->on_done(*this);
        w = next;
    }
}

void FutureCore::report_unretrieved(const char* what, const std::exception_ptr& exc) noexcept {
    if (loop_ == nullptr || !EventLoop::alive(loop_)) {
        return; // its loop is gone: nobody to report to
    }
    try {
        loop_->call_exception_handler({what, exc, repr()});
    } catch (...) {
        // Reporting must never take the process down.
    }
}

std::string FutureCore::repr() const {
    switch (state_) {
    case State::kPending:
        return "<Future pending>";
    case State::kCancelled:
        return "<Future cancelled>";
    case State::kFinished:
        return has_exception_ ? "<Future finished exception>" : "<Future finished result>";
    }
    return "<Future>";
}

} // namespace concur::asyncio::detail
