#include "concur/asyncio/detail/future_core.hpp"

#include <cstdio>

#include "concur/asyncio/events.hpp"
#include "concur/core/exceptions.hpp"

namespace concur::asyncio::detail {

namespace {

constexpr std::uintptr_t kIndexed = 1;

/// An indexed waiter that had to join a list (the future has several waiters).
struct IndexedNode final : Waiter {
    IndexedNode(IndexedWaiter* w, std::uint32_t i) noexcept : waiter(w), index(i) {
        owned_by_future = true;
    }
    void on_done(FutureCore& future) noexcept override {
        waiter->on_done_at(index, future);
        delete this;
    }
    IndexedWaiter* waiter;
    std::uint32_t index;
};

/// Drops waiters that will never be told: nodes the future owns go with it.
void drop(Waiter* w) noexcept {
    while (w != nullptr) {
        Waiter* next = w->next;
        w->registered = false;
        if (w->owned_by_future) {
            delete w;
        }
        w = next;
    }
}

} // namespace

FutureCore::~FutureCore() {
    // Callbacks that never ran go with the future; awaiters learn it is gone.
    if ((waiters_ & kIndexed) == 0) {
        drop(reinterpret_cast<Waiter*>(waiters_));
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

void FutureCore::add_waiter(Waiter* waiter) {
    if ((waiters_ & kIndexed) != 0) {
        make_list();
    }
    // Appended, so that waiters are told in the order they came (Python's callback order).
    waiter->next = nullptr;
    waiter->registered = true;
    Waiter** link = reinterpret_cast<Waiter**>(&waiters_);
    while (*link != nullptr) {
        link = &(*link)->next;
    }
    *link = waiter;
}

void FutureCore::remove_waiter(Waiter* waiter) noexcept {
    if ((waiters_ & kIndexed) != 0) {
        return;
    }
    for (Waiter** link = reinterpret_cast<Waiter**>(&waiters_); *link != nullptr;
         link = &(*link)->next) {
        if (*link == waiter) {
            *link = waiter->next;
            waiter->registered = false;
            return;
        }
    }
}

void FutureCore::add_waiter(IndexedWaiter* waiter, std::uint32_t index) {
    if (waiters_ == 0) {
        waiters_ = reinterpret_cast<std::uintptr_t>(waiter) | kIndexed;
        waiter_index_ = index;
        return;
    }
    add_waiter(new IndexedNode(waiter, index));
}

void FutureCore::remove_waiter(IndexedWaiter* waiter) noexcept {
    if ((waiters_ & kIndexed) != 0) {
        if (reinterpret_cast<IndexedWaiter*>(waiters_ & ~kIndexed) == waiter) {
            waiters_ = 0;
        }
        return;
    }
    for (Waiter** link = reinterpret_cast<Waiter**>(&waiters_); *link != nullptr;) {
        auto* node = dynamic_cast<IndexedNode*>(*link);
        if (node != nullptr && node->waiter == waiter) {
            *link = node->next;
            delete node;
        } else {
            link = &(*link)->next;
        }
    }
}

void FutureCore::make_list() {
    auto* first =
        new IndexedNode(reinterpret_cast<IndexedWaiter*>(waiters_ & ~kIndexed), waiter_index_);
    first->next = nullptr;
    first->registered = true;
    waiters_ = reinterpret_cast<std::uintptr_t>(static_cast<Waiter*>(first));
}

void FutureCore::notify_done() noexcept {
    const std::uintptr_t waiters = waiters_;
    waiters_ = 0;
    if ((waiters & kIndexed) != 0) {
        if (loop_ != nullptr) {
            reinterpret_cast<IndexedWaiter*>(waiters & ~kIndexed)->on_done_at(waiter_index_, *this);
        }
        return;
    }
    Waiter* w = reinterpret_cast<Waiter*>(waiters);
    if (loop_ == nullptr) {
        drop(w); // the loop is gone: nobody runs what a waiter would do
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
