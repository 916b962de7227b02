// asyncio's queues (Python's asyncio.queues): Queue, LifoQueue and PriorityQueue for passing
// items between tasks of one loop, with CPython 3.13's fairness, cancellation and shutdown
// rules. Getters and putters wait in FIFO order, each a node in its own coroutine frame; the
// items live in the storage policies of the thread queues (concur/queue).
#pragma once

#include <concepts>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>

#include "concur/asyncio/detail/wait_list.hpp"
#include "concur/asyncio/exceptions.hpp"
#include "concur/asyncio/locks.hpp"
#include "concur/queue/lifo_queue.hpp"
#include "concur/queue/priority_queue.hpp"
#include "concur/queue/queue.hpp"

namespace concur::asyncio {

namespace detail {

template <class Q, bool Put>
class QueueWaiter;

/// The awaitable of join(). Cancel safety: cancellation raises CancelledError; the queue is
/// not affected.
class [[nodiscard]] QueueJoin {
public:
    explicit QueueJoin(Event& finished) noexcept : wait_(finished) {}
    [[nodiscard]] bool await_ready() const noexcept { return wait_.await_ready(); }
    void await_suspend(std::coroutine_handle<> h) { wait_.await_suspend(h); }
    void await_resume() { wait_.await_resume(); }

private:
    EventWait wait_;
};

/// What every queue has whatever its item type: the getters and putters waiting, the count of
/// unfinished tasks and the shutdown flag (CPython's Queue without _queue).
class QueueCore {
public:
    QueueCore(const QueueCore&) = delete;
    QueueCore& operator=(const QueueCore&) = delete;

    /// The bound given at construction; 0 means unbounded.
    [[nodiscard]] std::size_t maxsize() const noexcept { return maxsize_; }

    /// Marks an item taken by get() as processed: join() returns once every item put has been
    /// marked. ValueError "task_done() called too many times" if there is none left to mark.
    void task_done();

    /// Waits until every item put has been gotten and marked done by task_done(). Cancel
    /// safety: see detail::QueueJoin.
    QueueJoin join() noexcept { return QueueJoin(finished_); }

    /// Python's repr: "<Queue at 0x... maxsize=0 _getters[1] tasks=2 shutdown>" (without
    /// Python's `_queue=[...]`: the items need not be printable).
    [[nodiscard]] std::string repr() const;

protected:
    QueueCore(const char* name, std::size_t maxsize) noexcept;
    ~QueueCore() = default;

    // Wakes the first waiter that is still pending; every node passed over (cancelled, or woken
    // now) moves to transit_ until its task takes it out (CPython's _wakeup_next).
    void wakeup_next(WaitList& waiters) noexcept;
    // After an item went in (the rest of CPython's put_nowait).
    void item_put() noexcept;
    // shutdown(): `discarded` items were drained by shutdown(immediate=True).
    void shut_down(bool immediate, std::size_t discarded) noexcept;

    WaitList getters_;
    WaitList putters_;
    WaitList transit_; // woken or cancelled getters and putters whose task has not run yet
    Event finished_;   // set while no task is unfinished
    LoopBound loop_;
    const char* name_;
    std::size_t maxsize_;
    std::size_t unfinished_tasks_ = 0;
    bool is_shutdown_ = false;

private:
    template <class Q, bool Put>
    friend class QueueWaiter;
};

/// A getter or a putter of queue `Q`. Woken or cancelled, it runs step() at its task's turn,
/// which does what CPython's `while self.empty(): ... await getter` loop would: wait again at
/// the back if it still cannot proceed, else let the task resume.
template <class Q, bool Put>
class QueueWaiter : public Runnable {
public:
    QueueWaiter(const QueueWaiter&) = delete;
    QueueWaiter& operator=(const QueueWaiter&) = delete;

    // Neither blocked nor able to block (shut down): no wait, as CPython's loop is skipped.
    [[nodiscard]] bool await_ready() const noexcept { return !blocked() || q_->is_shutdown_; }

    void await_suspend(std::coroutine_handle<> h) {
        PromiseBase& t = task_for_await(Put ? "put into a Queue" : "get from a Queue");
        q_->loop_.bind(t.loop(), *q_);
        h_ = h;
        wait_in(waiters(), node_, t, this, h);
    }

protected:
    explicit QueueWaiter(Q& q) noexcept : q_(&q) { run = &QueueWaiter::step; }
    ~QueueWaiter() = default;

    // The error to raise on resumption, else null: the caller then does get_nowait() or
    // put_nowait(), which raise QueueShutDown when due.
    void check_error() const {
        if (error_) {
            std::rethrow_exception(error_);
        }
    }

    Q* q_;

private:
    [[nodiscard]] bool blocked() const noexcept { return Put ? q_->full() : q_->empty(); }
    [[nodiscard]] WaitList& waiters() const noexcept { return Put ? q_->putters_ : q_->getters_; }

    static void step(Runnable* self) {
        auto& w = *static_cast<QueueWaiter*>(self);
        PromiseBase* const t = w.node_.task;
        try {
            t->resume_from_suspension(); // a cancel() that came after the wake-up
            if (w.node_.cancelled()) {
                std::rethrow_exception(cancelled_error_of(*t));
            }
        } catch (...) {
            w.error_ = std::current_exception();
        }
        if (w.node_.orphaned()) { // the queue is gone
            if (!w.error_) {
                w.error_ = std::make_exception_ptr(QueueShutDown("the queue was destroyed"));
            }
            step_task_now(t);
            return;
        }
        w.node_.unlink(); // from waiters() or transit_
        if (w.error_) {
            // Woken by a get or a put, but cancelled: pass the wake-up to the next in line.
            if (!w.blocked() && !w.node_.cancelled()) {
                w.q_->wakeup_next(w.waiters());
            }
        } else if (w.blocked() && !w.q_->is_shutdown_) {
            // Someone else took the item (or the slot) first: wait again, at the back.
            wait_in(w.waiters(), w.node_, *t, &w, w.h_);
            return;
        }
        step_task_now(t);
    }

    WaitNode node_;
    std::coroutine_handle<> h_;
    std::exception_ptr error_;
};

/// The awaitable of get(). Cancel safety: cancellation raises CancelledError and takes no item;
/// if a put had already woken this getter, the wake-up passes to the next getter.
template <class Q>
class [[nodiscard]] QueueGet final : public QueueWaiter<Q, false> {
public:
    explicit QueueGet(Q& q) noexcept : QueueWaiter<Q, false>(q) {}
    typename Q::value_type await_resume() {
        this->check_error();
        return this->q_->get_nowait();
    }
};

/// The awaitable of put(), holding the item until it goes in. Cancel safety: cancellation
/// raises CancelledError and puts nothing (the item is dropped with the awaitable); if a get
/// had already woken this putter, the wake-up passes to the next putter.
template <class Q>
class [[nodiscard]] QueuePut final : public QueueWaiter<Q, true> {
public:
    QueuePut(Q& q, typename Q::value_type item) noexcept(
        std::is_nothrow_move_constructible_v<typename Q::value_type>)
        : QueueWaiter<Q, true>(q), item_(std::move(item)) {}
    void await_resume() {
        this->check_error();
        this->q_->put_nowait(std::move(item_));
    }

private:
    typename Q::value_type item_;
};

/// A queue over a storage policy of concur/queue (FifoStorage, LifoStorage, PriorityStorage):
/// CPython's Queue with its _init/_put/_get hooks.
template <class T, class Storage>
class AsyncQueue : public QueueCore {
    static_assert(std::is_move_constructible_v<T>,
                  "a queue's item type must be movable: get() moves the item out");

public:
    using value_type = T;

    /// The number of items in the queue (exact: tasks of one loop do not run in parallel).
    [[nodiscard]] std::size_t qsize() const noexcept { return storage_.size(); }
    /// True if the queue holds no item.
    [[nodiscard]] bool empty() const noexcept { return storage_.size() == 0; }
    /// True if the queue is bounded and holds maxsize() items.
    [[nodiscard]] bool full() const noexcept { return maxsize_ > 0 && storage_.size() >= maxsize_; }

    /// Puts `item`, waiting (FIFO among putters) while the queue is full. QueueShutDown if the
    /// queue is shut down, also while waiting. Cancel safety: see detail::QueuePut.
    QueuePut<AsyncQueue> put(T item) noexcept(std::is_nothrow_move_constructible_v<T>) {
        return QueuePut<AsyncQueue>(*this, std::move(item));
    }

    /// Puts `item` if a slot is free now, else QueueFull; QueueShutDown once shut down. Wakes
    /// the first waiting getter. The item is copied or moved in only on success.
    void put_nowait(const T& item) requires std::copy_constructible<T> {
        check_put();
        storage_.put(item);
        item_put();
    }
    void put_nowait(T&& item) {
        check_put();
        storage_.put(std::move(item));
        item_put();
    }

    /// Removes and returns an item, waiting (FIFO among getters) while the queue is empty.
    /// QueueShutDown if the queue is shut down and empty, also while waiting. Cancel safety:
    /// see detail::QueueGet.
    QueueGet<AsyncQueue> get() noexcept { return QueueGet<AsyncQueue>(*this); }

    /// Removes and returns an item if there is one, else QueueEmpty (QueueShutDown once shut
    /// down). Wakes the first waiting putter.
    T get_nowait() {
        if (empty()) {
            if (is_shutdown_) {
                throw QueueShutDown();
            }
            throw QueueEmpty();
        }
        T item = storage_.get();
        wakeup_next(putters_);
        return item;
    }

    /// Shuts the queue down (Python 3.13): put() raises QueueShutDown from now on, and so do
    /// the puts waiting; get() drains what is left, then raises it. With `immediate`, the
    /// items left are discarded and marked done (which may release join()), and get() raises
    /// at once. Every waiting getter and putter wakes to check.
    void shutdown(bool immediate = false) {
        if (immediate) {
            auto discarded = storage_.drain(); // destroyed on return, after the bookkeeping
            shut_down(true, discarded.size());
        } else {
            shut_down(false, 0);
        }
    }

protected:
    AsyncQueue(const char* name, std::size_t maxsize, Storage storage = Storage())
        : QueueCore(name, maxsize), storage_(std::move(storage)) {}
    ~AsyncQueue() = default;

private:
    void check_put() const {
        if (is_shutdown_) {
            throw QueueShutDown();
        }
        if (full()) {
            throw QueueFull();
        }
    }

    Storage storage_;
};

} // namespace detail

/// A first-in, first-out queue for tasks of one loop (Python's asyncio.Queue): put() waits
/// while the queue holds `maxsize` items (0: unbounded), get() while it is empty. Not
/// thread-safe, neither copyable nor movable; it must outlive the tasks that wait on it.
template <class T>
class Queue : public detail::AsyncQueue<T, queue::detail::FifoStorage<T>> {
public:
    explicit Queue(std::size_t maxsize = 0)
        : detail::AsyncQueue<T, queue::detail::FifoStorage<T>>("Queue", maxsize) {}
};

/// A last-in, first-out queue (Python's asyncio.LifoQueue): get() returns the newest item.
template <class T>
class LifoQueue : public detail::AsyncQueue<T, queue::detail::LifoStorage<T>> {
public:
    explicit LifoQueue(std::size_t maxsize = 0)
        : detail::AsyncQueue<T, queue::detail::LifoStorage<T>>("LifoQueue", maxsize) {}
};

/// A priority queue (Python's asyncio.PriorityQueue): get() returns the lowest item under
/// `Compare` (std::less: the smallest first, as heapq). Entries are typically pairs
/// `(priority, data)`; equal entries come out in no set order.
template <class T, class Compare = std::less<T>>
class PriorityQueue : public detail::AsyncQueue<T, queue::detail::PriorityStorage<T, Compare>> {
    using Base = detail::AsyncQueue<T, queue::detail::PriorityStorage<T, Compare>>;

public:
    explicit PriorityQueue(std::size_t maxsize = 0, Compare compare = Compare())
        : Base("PriorityQueue", maxsize,
               queue::detail::PriorityStorage<T, Compare>(std::move(compare))) {}
};

} // namespace concur::asyncio
