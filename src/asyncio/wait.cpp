#include "concur/asyncio/wait.hpp"

namespace concur::asyncio::detail {

WaitCore::WaitCore(std::vector<FutureCore*> children, std::optional<double> timeout,
                   ReturnWhen when)
    : children_(std::move(children)), nodes_(new Node[children_.size()]), timeout_(timeout),
      return_when_(when) {
    timeout_runnable_.owner = this;
    timeout_runnable_.run = &WaitCore::on_timeout;
    for (std::size_t i = 0; i < children_.size(); ++i) {
        nodes_[i].owner = this;
        FutureCore* child = children_[i];
        if (child->done()) {
            ++done_;
            raised_ = raised_ || (!child->cancelled() && child->has_exception());
        } else {
            child->add_waiter(&nodes_[i]);
        }
    }
}

WaitCore::~WaitCore() {
    for (std::size_t i = 0; i < children_.size(); ++i) {
        if (nodes_[i].registered) {
            children_[i]->remove_waiter(&nodes_[i]);
        }
    }
    if (timer_.scheduled() && task_ != nullptr && task_->loop() != nullptr) {
        task_->loop()->remove_timer(&timer_);
    }
}

bool WaitCore::ready() const noexcept {
    if (done_ == children_.size()) {
        return true;
    }
    switch (return_when_) {
    case ReturnWhen::kFirstCompleted:
        return done_ > 0;
    case ReturnWhen::kFirstException:
        return raised_;
    case ReturnWhen::kAllCompleted:
        return false;
    }
    return false;
}

void WaitCore::suspend(std::coroutine_handle<> h) {
    task_ = &task_for_await("await wait()");
    task_->suspend_on(h, this);
    if (timeout_) {
        EventLoop* loop = task_->loop();
        timer_.when = loop->time() + *timeout_;
        timer_.target = &timeout_runnable_;
        loop->add_timer(&timer_);
    }
}

void WaitCore::wake() noexcept {
    if (woken_ || task_ == nullptr) {
        return;
    }
    woken_ = true;
    if (timer_.scheduled()) {
        task_->loop()->remove_timer(&timer_);
    }
    task_->wake();
}

void WaitCore::child_done(FutureCore& child) noexcept {
    ++done_;
    raised_ = raised_ || (!child.cancelled() && child.has_exception());
    if (ready()) {
        wake();
    }
}

void WaitCore::on_timeout(Runnable* self) {
    static_cast<Timeout*>(self)->owner->wake();
}

bool WaitCore::cancel_suspension(const std::string* /*message*/) {
    if (woken_) {
        return false;
    }
    cancelled_ = true;
    wake();
    return true;
}

void WaitCore::resume() {
    if (task_ != nullptr) {
        task_->resume_from_suspension();
        if (cancelled_) {
            const std::string* message = task_->cancel_message();
            throw CancelledError(message != nullptr ? *message : "");
        }
    }
}

} // namespace concur::asyncio::detail
