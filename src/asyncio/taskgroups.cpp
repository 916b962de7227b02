#include "concur/asyncio/taskgroups.hpp"

#include <coroutine>

namespace concur::asyncio {

using detail::FutureCore;
using detail::PromiseBase;

struct TaskGroup::Child final : detail::Waiter {
    TaskGroup* group = nullptr;
    FutureCore* task = nullptr; // a reference is held while the child is in the group
    Child* prev = nullptr;
    Child* next_child = nullptr;
    void on_done(FutureCore& /*task*/) noexcept override { group->on_task_done(this); }
};

/// Suspends the parent until no child is left; the parent's cancellation wakes it with
/// CancelledError (Python's `await self._on_completed_fut`).
class TaskGroup::AllDone final : public detail::Suspension {
public:
    explicit AllDone(TaskGroup& group) noexcept : group_(group) {}
    [[nodiscard]] bool await_ready() const noexcept { return group_.children_ == nullptr; }
    void await_suspend(std::coroutine_handle<> h) {
        task_ = &detail::task_for_await("leave a TaskGroup");
        task_->suspend_on(h, this);
        group_.exit_waiter_ = task_;
    }
    void await_resume() {
        group_.exit_waiter_ = nullptr;
        if (task_ != nullptr) {
            task_->resume_from_suspension();
            if (cancelled_) {
                const std::string* message = task_->cancel_message();
                throw CancelledError(message != nullptr ? *message : "");
            }
        }
    }
    bool cancel_suspension(const std::string* /*message*/) override {
        if (group_.exit_waiter_ == nullptr) {
            return false; // already woken
        }
        group_.exit_waiter_ = nullptr;
        cancelled_ = true;
        task_->wake();
        return true;
    }

private:
    TaskGroup& group_;
    PromiseBase* task_ = nullptr;
    bool cancelled_ = false;
};

TaskGroup::~TaskGroup() {
    // Only when the parent's frame is destroyed with children left (a loop closed under it).
    while (Child* c = children_) {
        children_ = c->next_child;
        if (c->registered) {
            c->task->remove_waiter(c);
        }
        c->task->release();
        delete c;
    }
}

void TaskGroup::enter() {
    if (entered_) {
        throw RuntimeError("TaskGroup has already been entered");
    }
    parent_ = current_task();
    if (!parent_) {
        throw RuntimeError("TaskGroup cannot determine the parent task");
    }
    entered_ = true;
}

void TaskGroup::check_can_create() const {
    if (!entered_) {
        throw RuntimeError("TaskGroup has not been entered");
    }
    if (exiting_ && children_ == nullptr) {
        throw RuntimeError("TaskGroup is finished");
    }
    if (aborting_) {
        throw RuntimeError("TaskGroup is shutting down");
    }
}

void TaskGroup::add_child(FutureCore* task) {
    auto* child = new Child();
    child->group = this;
    child->task = task;
    task->retain();
    if (task->done()) {
        child->next_child = nullptr;
        on_task_done(child); // as Python's shortcut for a task already done
        return;
    }
    child->next_child = children_;
    if (children_ != nullptr) {
        children_->prev = child;
    }
    children_ = child;
    task->add_waiter(child);
}

void TaskGroup::on_task_done(Child* child) noexcept {
    if (child->prev != nullptr || children_ == child) {
        if (child->prev != nullptr) {
            child->prev->next_child = child->next_child;
        } else {
            children_ = child->next_child;
        }
        if (child->next_child != nullptr) {
            child->next_child->prev = child->prev;
        }
    }
    FutureCore* task = child->task;
    delete child;
    if (children_ == nullptr && exit_waiter_ != nullptr) {
        PromiseBase* waiter = exit_waiter_;
        exit_waiter_ = nullptr;
        waiter->wake();
    }
    if (!task->cancelled() && task->has_exception()) {
        errors_.push_back(task->take_exception());
        if (parent_.done()) {
            task->loop()->call_exception_handler(
                {"Task has errored out but its parent task is already completed",
                 errors_.back(),
                 {},
                 parent_.repr()});
        } else if (!aborting_ && !parent_cancel_requested_) {
            // Abort whatever the body is doing: cancel it, remembering that we did, so that
            // leaving the group can undo that cancellation (Python's _parent_cancel_requested).
            abort();
            parent_cancel_requested_ = true;
            parent_.cancel();
        }
    }
    task->release();
}

void TaskGroup::abort() noexcept {
    aborting_ = true;
    for (Child* c = children_; c != nullptr; c = c->next_child) {
        if (!c->task->done()) {
            c->task->cancel(nullptr);
        }
    }
}

Coroutine<void> TaskGroup::exit(std::exception_ptr exc) {
    exiting_ = true;
    bool exc_is_cancel = false;
    if (exc) {
        try {
            std::rethrow_exception(exc);
        } catch (const CancelledError&) {
            exc_is_cancel = true;
        } catch (...) {
        }
    }
    std::exception_ptr propagate_cancel = exc_is_cancel ? exc : nullptr;
    if (parent_cancel_requested_ && parent_.uncancel() == 0) {
        propagate_cancel = nullptr; // the cancellation was ours, and is used up
    }
    if (exc && !aborting_) {
        abort(); // the body failed, or the parent is being cancelled
    }
    while (children_ != nullptr) {
        try {
            co_await AllDone(*this);
        } catch (const CancelledError&) {
            if (!aborting_) {
                propagate_cancel = std::current_exception();
                abort();
            }
        }
    }
    if (propagate_cancel && errors_.empty()) {
        std::rethrow_exception(propagate_cancel);
    }
    if (exc && !exc_is_cancel) {
        errors_.push_back(exc);
    }
    if (!errors_.empty()) {
        std::vector<std::exception_ptr> errors = std::move(errors_);
        errors_.clear();
        throw ExceptionGroup("unhandled errors in a TaskGroup", std::move(errors));
    }
}

} // namespace concur::asyncio
