#include "concur/asyncio/gather.hpp"

#include "concur/core/exceptions.hpp"

namespace concur::asyncio::detail {

GatherCore::GatherCore(std::size_t size, bool return_exceptions)
    : remaining_(size), return_exceptions_(return_exceptions) {}

void GatherCore::attach(std::size_t index, FutureCore* child) {
    // One loop for all (Python's gather checks it); recorded now, since a child done already
    // may be released by deliver() below.
    if (loop_ == nullptr) {
        loop_ = child->loop();
    } else if (child->loop() != loop_) {
        throw ValueError("futures are tied to different event loops");
    }
    ++attached_;
    if (child->done()) {
        on_done_at(static_cast<std::uint32_t>(index), *child);
    } else {
        child->add_waiter(this, static_cast<std::uint32_t>(index));
    }
}

namespace {
/// Marks a child's exception retrieved when it comes: a gather that has already raised, or
/// gone, has taken responsibility for its children's errors (Python's callback stays attached
/// and calls exception() on each).
struct RetrieveWhenDone final : Waiter {
    RetrieveWhenDone() { owned_by_future = true; }
    void on_done(FutureCore& child) noexcept override {
        child.mark_retrieved();
        delete this;
    }
};
} // namespace

void GatherCore::detach() noexcept {
    // A child not done still holds this gather (done ones told it and forgot it).
    for (std::size_t i = 0; i < attached_; ++i) {
        FutureCore* c = child(i);
        if (c != nullptr && !c->done()) {
            c->remove_waiter(static_cast<IndexedWaiter*>(this));
            if (error_) {
                c->add_waiter(new RetrieveWhenDone());
            }
        }
    }
}

bool GatherCore::ready() const noexcept {
    return remaining_ == 0 || error_ != nullptr;
}

void GatherCore::suspend(std::coroutine_handle<> h) {
    PromiseBase& t = task_for_await("await gather()");
    if (loop_ != nullptr && loop_ != t.loop()) {
        throw ValueError("futures are tied to different event loops");
    }
    task_ = &t;
    t.suspend_on(h, this);
}

void GatherCore::wake() noexcept {
    if (!woken_ && task_ != nullptr) {
        woken_ = true;
        task_->wake();
    }
}

void GatherCore::on_done_at(std::uint32_t index, FutureCore& child) noexcept {
    --remaining_;
    if (error_) {
        child.mark_retrieved(); // the gather raised already: later failures are its business
    }
    if (cancel_requested_) {
        if (remaining_ == 0) {
            wake();
        }
        return;
    }
    if (!return_exceptions_ && !error_ && (child.cancelled() || child.has_exception())) {
        // The first failure goes to the awaiting task at once; the other children run on.
        error_ = child.cancelled() ? child.cancelled_error() : child.take_exception();
        wake();
        return;
    }
    deliver(index, child); // may release the child: nothing of it is touched after
    if (remaining_ == 0) {
        wake();
    }
}

bool GatherCore::cancel_suspension(const std::string* message) {
    if (woken_) {
        return false;
    }
    bool any = false;
    for (std::size_t i = 0; i < attached_; ++i) {
        // A child not done is still referenced: cancel it.
        FutureCore* c = child(i);
        if (c != nullptr && !c->done()) {
            any = c->cancel(message) || any;
        }
    }
    if (!any) {
        return false;
    }
    // The gather ends cancelled once every child is done (Python's _GatheringFuture).
    cancel_requested_ = true;
    if (message != nullptr) {
        error_ = std::make_exception_ptr(CancelledError(*message));
    } else {
        error_ = std::make_exception_ptr(CancelledError());
    }
    if (remaining_ == 0) {
        wake();
    }
    return true;
}

void GatherCore::check() {
    if (task_ != nullptr) {
        task_->resume_from_suspension();
    }
    if (error_) {
        std::rethrow_exception(error_);
    }
}

} // namespace concur::asyncio::detail
