// The waiters of asyncio's locks and queues: CPython keeps a deque of futures, one per waiting
// task; here each is a node in the waiting coroutine's frame, linked into the primitive's list,
// so that waiting allocates nothing.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "concur/asyncio/detail/future_core.hpp"
#include "concur/asyncio/detail/promise.hpp"
#include "concur/asyncio/detail/runnable.hpp"
#include "concur/asyncio/events.hpp"

namespace concur::asyncio::detail {

class WaitList;

/// One waiting task: what a waiter future in CPython's deque is. Pending until the primitive
/// wakes it (set_result()) or the task is cancelled (cancel_suspension(), Python's fut.cancel());
/// either way `resume` (the task, or an awaiter's own step) is scheduled on the task's loop. As
/// in CPython, a node stays in its list, done or cancelled, until its awaiter takes it out.
class WaitNode final : public Suspension {
public:
    enum class State : std::uint8_t { kPending, kDone, kCancelled };

    WaitNode() = default;
    WaitNode(const WaitNode&) = delete;
    WaitNode& operator=(const WaitNode&) = delete;
    ~WaitNode() { unlink(); }

    [[nodiscard]] bool done() const noexcept { return state_ != State::kPending; }
    [[nodiscard]] bool cancelled() const noexcept { return state_ == State::kCancelled; }
    /// The list the node is in, or null.
    [[nodiscard]] WaitList* list() const noexcept { return list_; }
    /// The primitive was destroyed while this node was in one of its lists: it must not be
    /// touched again (see WaitList::~WaitList).
    [[nodiscard]] bool orphaned() const noexcept { return orphaned_; }

    /// Python's fut.set_result(): marks the waiter done and schedules its resumption. Only on
    /// a pending node.
    void set_result() noexcept {
        state_ = State::kDone;
        if (EventLoop* loop = task->loop()) { // null: the loop was closed, the task kept alive
            loop->schedule(resume);
        }
    }

    /// Task::cancel() reaches the waiter here (Python's fut.cancel()): a pending node becomes
    /// cancelled and its resumption is scheduled. False once done or cancelled: the task then
    /// owes a CancelledError (must_cancel), which its awaiter raises when it resumes.
    bool cancel_suspension(const std::string* /*message*/) override;

    /// Takes the node out of its list, if it is in one.
    void unlink() noexcept;

    /// Makes a node that is in no list pending again, for a new wait (CPython's new future).
    void reset() noexcept { state_ = State::kPending; }

    /// The waiting task, set by the awaiter before the node goes into a list.
    PromiseBase* task = nullptr;
    /// What to schedule when the node is done or cancelled: the task itself, or a Runnable of
    /// the awaiter that decides, at the task's turn, whether the task resumes or waits again.
    Runnable* resume = nullptr;

private:
    friend class WaitList;
    WaitNode* prev_ = nullptr;
    WaitNode* next_ = nullptr;
    WaitList* list_ = nullptr;
    State state_ = State::kPending;
    bool orphaned_ = false;
};

/// A FIFO of WaitNodes (CPython's collections.deque of futures), intrusive and doubly linked:
/// appending, removing any node and popping the first are O(1). It counts its cancelled
/// nodes, so that CPython's `all(w.cancelled() for w in waiters)` is O(1) too. Loop-bound:
/// nothing is atomic.
class WaitList {
public:
    WaitList() = default;
    WaitList(const WaitList&) = delete;
    WaitList& operator=(const WaitList&) = delete;
    /// A primitive destroyed while tasks wait on it (its owner let it go, or asyncio.run's
    /// teardown cancels tasks after the frame holding it has ended): the nodes are detached and
    /// marked orphaned, so that their tasks, when cancelled, do not touch freed memory.
    ~WaitList();

    [[nodiscard]] bool empty() const noexcept { return head_ == nullptr; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] std::size_t cancelled_count() const noexcept { return cancelled_; }
    /// CPython's `all(w.cancelled() for w in waiters)` (true when empty).
    [[nodiscard]] bool all_cancelled() const noexcept { return cancelled_ == size_; }
    [[nodiscard]] WaitNode* front() const noexcept { return head_; }
    [[nodiscard]] static WaitNode* next(const WaitNode* node) noexcept { return node->next_; }

    /// Appends a node that is in no list.
    void push_back(WaitNode* node) noexcept {
        node->list_ = this;
        node->prev_ = tail_;
        node->next_ = nullptr;
        if (tail_ != nullptr) {
            tail_->next_ = node;
        } else {
            head_ = node;
        }
        tail_ = node;
        ++size_;
        if (node->cancelled()) {
            ++cancelled_;
        }
    }

    /// Removes and returns the first node (CPython's popleft()), or null.
    WaitNode* pop_front() noexcept {
        WaitNode* node = head_;
        if (node != nullptr) {
            remove(node);
        }
        return node;
    }

    /// Removes a node of this list.
    void remove(WaitNode* node) noexcept {
        if (node->prev_ != nullptr) {
            node->prev_->next_ = node->next_;
        } else {
            head_ = node->next_;
        }
        if (node->next_ != nullptr) {
            node->next_->prev_ = node->prev_;
        } else {
            tail_ = node->prev_;
        }
        node->prev_ = node->next_ = nullptr;
        node->list_ = nullptr;
        --size_;
        if (node->cancelled()) {
            --cancelled_;
        }
    }

private:
    friend class WaitNode;
    WaitNode* head_ = nullptr;
    WaitNode* tail_ = nullptr;
    std::size_t size_ = 0;
    std::size_t cancelled_ = 0;
};

inline void WaitNode::unlink() noexcept {
    if (list_ != nullptr) {
        list_->remove(this);
    }
}

inline bool WaitNode::cancel_suspension(const std::string* /*message*/) {
    if (state_ != State::kPending) {
        return false;
    }
    state_ = State::kCancelled;
    if (list_ != nullptr) {
        ++list_->cancelled_;
    }
    task->loop()->schedule(resume);
    return true;
}

/// Steps `task` now, from an awaiter's Runnable running at the task's turn in the ready queue:
/// as if the loop had run the task there. Nothing of the awaiter may be touched afterwards (the
/// task may have finished and freed its frame).
inline void step_task_now(PromiseBase* task) {
    Runnable* r = task;
    r->run(r);
}

/// The CancelledError a cancelled waiter raises, with the task's cancel() message.
[[nodiscard]] std::exception_ptr cancelled_error_of(const PromiseBase& task);

/// What `await fut` does when the task resumes: raises the CancelledError the task owes (a
/// cancel() that came after the waiter was woken: must_cancel), or the cancelled waiter's.
inline void raise_if_cancelled(PromiseBase& task, const WaitNode& node) {
    task.resume_from_suspension();
    if (node.cancelled()) {
        std::rethrow_exception(cancelled_error_of(task));
    }
}

/// Makes `task` wait on `node` in `list`, resuming `h` when woken or cancelled.
inline void wait_in(WaitList& list, WaitNode& node, PromiseBase& task, Runnable* resume,
                    std::coroutine_handle<> h) noexcept {
    node.task = &task;
    node.resume = resume;
    node.reset();
    list.push_back(&node);
    task.suspend_on(h, &node);
}

/// Python's mixins._LoopBoundMixin: a primitive binds to the loop of the first task that waits
/// on it; waiting from another loop is a RuntimeError.
class LoopBound {
public:
    /// Binds to `loop` on first use; RuntimeError "<repr> is bound to a different event loop"
    /// if already bound to another.
    template <class Owner>
    void bind(EventLoop* loop, const Owner& owner) {
        if (loop_ == nullptr) {
            loop_ = loop;
        } else if (loop_ != loop) {
            throw_different_loop(owner.repr());
        }
    }

private:
    [[noreturn]] static void throw_different_loop(const std::string& repr);
    EventLoop* loop_ = nullptr;
};

} // namespace concur::asyncio::detail
