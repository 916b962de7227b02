// The state shared by asyncio::Future<T> and Task<T>: status, callbacks, ownership.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "concur/core/slot_pool.hpp"

namespace concur::asyncio {
class EventLoop;
}

namespace concur::asyncio::detail {

class FutureCore;

/// What a task is suspended on, so that Task::cancel() can reach it: a future, another task,
/// a sleep's timer, a lock's queue of waiters. cancel_suspension() arranges for the task to
/// wake with CancelledError and returns true, or returns false if it can no longer do so.
class Suspension {
public:
    virtual bool cancel_suspension(const std::string* message) = 0;

protected:
    ~Suspension() = default;
};

/// Told when a future is done. Internal waiters (a task awaiting the future, gather's
/// bookkeeping) are told at once, in the order they were added; user callbacks are scheduled
/// on the loop, as Python's are.
struct Waiter {
    Waiter* next = nullptr;
    /// A done-callback node the future owns (and deletes if it never completes); awaiters are
    /// owned by the awaiting frame.
    bool owned_by_future = false;
    /// In a future's list; cleared when told, or when the future goes first.
    bool registered = false;
    virtual void on_done(FutureCore& future) noexcept = 0;
    virtual ~Waiter() = default;
};

/// Told when any of many futures is done, with the index it registered under: a waiter on many
/// futures at once (gather's) that needs no node per future, the future keeping the pair.
class IndexedWaiter {
public:
    virtual void on_done_at(std::uint32_t index, FutureCore& future) noexcept = 0;

protected:
    ~IndexedWaiter() = default;
};

/// The type-independent part of a future's state. Loop-bound: used from the loop's thread only,
/// so nothing here is atomic.
class FutureCore : public Suspension, public SlotAllocated {
public:
    enum class State : std::uint8_t { kPending, kCancelled, kFinished };

    explicit FutureCore(EventLoop* loop) noexcept : loop_(loop) {}
    FutureCore(const FutureCore&) = delete;
    FutureCore& operator=(const FutureCore&) = delete;

    void retain() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) {
            destroy();
        }
    }

    [[nodiscard]] EventLoop* loop() const noexcept { return loop_; }
    /// The loop closed with this future pending: it will never complete.
    void orphan() noexcept { loop_ = nullptr; }
    [[nodiscard]] State state() const noexcept { return state_; }
    [[nodiscard]] bool done() const noexcept { return state_ != State::kPending; }
    [[nodiscard]] bool cancelled() const noexcept { return state_ == State::kCancelled; }
    [[nodiscard]] bool has_exception() const noexcept { return has_exception_; }

    /// Python's Future.cancel(msg): false if already done; otherwise cancels, tells waiters,
    /// schedules callbacks, and returns true. A Task overrides it (it cancels what it awaits).
    virtual bool cancel(const std::string* message);

    /// Waiting on a future: cancelling the waiting task cancels the future.
    bool cancel_suspension(const std::string* message) override { return cancel(message); }

    /// The CancelledError a cancelled future raises, with its message.
    [[nodiscard]] std::exception_ptr cancelled_error() const;

    /// Adds a waiter; it is told when the future is done (the caller checks done() first).
    void add_waiter(Waiter* waiter);
    /// Removes a waiter that has not been told; no-op otherwise.
    void remove_waiter(Waiter* waiter) noexcept;
    /// Adds an indexed waiter, told in turn with the others. The first is kept in the future
    /// itself; more (another gather of the same future) take a node each.
    void add_waiter(IndexedWaiter* waiter, std::uint32_t index);
    /// Removes every registration of `waiter` not yet told.
    void remove_waiter(IndexedWaiter* waiter) noexcept;

    /// The exception has been looked at: no "exception was never retrieved" report.
    void mark_retrieved() noexcept { log_traceback_ = false; }

    /// The stored exception (has_exception()), marked as retrieved.
    [[nodiscard]] const std::exception_ptr& take_exception() noexcept {
        log_traceback_ = false;
        return exception_;
    }

    /// The message given to cancel(), if any.
    [[nodiscard]] const std::string* cancel_message() const noexcept {
        return extras_ && extras_->cancel_message ? &*extras_->cancel_message : nullptr;
    }

    /// Python's repr: "<Future pending>", "<Task finished name='Task-1'>"...
    [[nodiscard]] virtual std::string repr() const;

protected:
    virtual ~FutureCore();

    /// Frees the state when the last owner lets go.
    virtual void destroy() noexcept = 0;

    /// After the state has turned done: tells waiters and schedules callbacks.
    void notify_done() noexcept;

    /// Reports an exception nobody retrieved, as Python's "exception was never retrieved".
    void report_unretrieved(const char* what, const std::exception_ptr& exc) noexcept;

    /// What few futures need, kept out of line so that a task's frame stays small.
    struct Extras {
        std::optional<std::string> cancel_message;
        std::optional<std::string> name;         // a task's, when set
        std::uint32_t num_cancels_requested = 0; // a task's
    };
    Extras& extras() {
        if (!extras_) {
            extras_ = std::make_unique<Extras>();
        }
        return *extras_;
    }
    EventLoop* loop_;
    // The waiters (future_core.cpp's alone): a list of Waiter nodes, or, tagged by the low bit,
    // one IndexedWaiter with its index in waiter_index_.
    std::uintptr_t waiters_ = 0;
    std::exception_ptr exception_; // valid when has_exception_
    std::unique_ptr<Extras> extras_;
    std::uint32_t refs_ = 1;
    std::uint32_t task_id_ = 0; // a task's number, for its name "Task-N"
    std::uint32_t waiter_index_ = 0;
    State state_ = State::kPending;
    // One byte of flags: every byte of a task's state counts against its frame's slot.
    bool has_exception_ : 1 = false;
    bool log_traceback_ : 1 = false;
    bool has_value_ : 1 = false;   // the typed part holds a constructed value
    bool is_task_ : 1 = false;     // a coroutine's promise that create_task() made a task
    bool must_cancel_ : 1 = false; // a task owes a CancelledError at its next resumption
    bool started_ : 1 = false;     // a task has had its first step

private:
    /// An indexed waiter alone in waiters_ becomes a node of the list, so that others can follow.
    void make_list();
};

} // namespace concur::asyncio::detail
