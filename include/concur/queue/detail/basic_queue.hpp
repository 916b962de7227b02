// The blocking logic shared by Queue, LifoQueue and PriorityQueue (CPython's queue.Queue), over
// a storage policy that fixes the order items come out in (CPython's _qsize/_put/_get hooks).
#pragma once

#include <algorithm>
#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <type_traits>
#include <utility>

#include "concur/core/exceptions.hpp"
#include "concur/core/timeout.hpp"
#include "concur/queue/detail/wait.hpp"
#include "concur/queue/exceptions.hpp"

namespace concur::queue::detail {

/// What BasicQueue asks of its storage, always with the queue's mutex held: size(), put(item)
/// (copying or moving it in), get() (removing and returning the next item), and drain()
/// (removing every item at once, returned in a container so that they are destroyed later,
/// outside the lock).
template <class S, class T>
concept QueueStorage = requires(S& s, const S& cs, T&& item) {
    { cs.size() } -> std::convertible_to<std::size_t>;
    s.put(std::move(item));
    { s.get() } -> std::same_as<T>;
    { s.drain().size() } -> std::convertible_to<std::size_t>;
};

/// A queue with CPython's queue.Queue semantics: bounded or not, put/get with block and
/// timeout, task_done/join accounting and 3.13's shutdown. One mutex guards everything; three
/// condition variables share it, as in CPython. Every wait uses an absolute deadline taken
/// once per call, so spurious wake-ups and retries never extend a timeout.
template <class T, QueueStorage<T> Storage>
class BasicQueue {
    static_assert(std::is_move_constructible_v<T>,
                  "a queue's item type must be movable: get() moves the item out");

public:
    BasicQueue(const BasicQueue&) = delete;
    BasicQueue& operator=(const BasicQueue&) = delete;

    /// Puts `item` into the queue. With `block` and no timeout, waits as long as needed for a
    /// free slot; with a timeout, waits at most that long and then throws Full; without
    /// `block`, throws Full at once if there is no free slot (the timeout is ignored). Throws
    /// ShutDown if the queue is shut down, also while waiting. The item is copied in only on
    /// success.
    void put(const T& item, bool block = true,
             Timeout timeout = std::nullopt) requires std::copy_constructible<T> {
        put_item(item, block, timeout);
    }

    /// As above, moving `item` in; it is moved from only on success, so a put that throws Full
    /// or ShutDown leaves the caller's item as it was.
    void put(T&& item, bool block = true, Timeout timeout = std::nullopt) {
        put_item(std::move(item), block, timeout);
    }

    /// put(item, false): puts the item if a slot is free at once, else throws Full.
    void put_nowait(const T& item) requires std::copy_constructible<T> {
        put_item(item, false, std::nullopt);
    }
    void put_nowait(T&& item) { put_item(std::move(item), false, std::nullopt); }

    /// Removes and returns an item. With `block` and no timeout, waits as long as needed for
    /// one; with a timeout, waits at most that long and then throws Empty; without `block`,
    /// throws Empty at once if the queue is empty (the timeout is ignored). Throws ShutDown if
    /// the queue is shut down and empty, also while waiting.
    T get(bool block = true, Timeout timeout = std::nullopt) {
        std::unique_lock lock(mutex_);
        if (is_shutdown_ && storage_.size() == 0) {
            throw ShutDown();
        }
        if (!block) {
            if (storage_.size() == 0) {
                throw Empty();
            }
        } else {
            check_timeout(timeout);
            const Deadline deadline = Deadline::after(timeout);
            while (storage_.size() == 0) {
                if (deadline.expired()) {
                    throw Empty();
                }
                wait_until(not_empty_, lock, deadline);
                if (is_shutdown_ && storage_.size() == 0) {
                    throw ShutDown();
                }
            }
        }
        T item = storage_.get();
        not_full_.notify_one();
        return item;
    }

    /// get(false): returns an item if one is there at once, else throws Empty.
    T get_nowait() { return get(false); }

    /// The number of items in the queue: approximate, since other threads may change it at once.
    [[nodiscard]] std::size_t qsize() const {
        std::lock_guard lock(mutex_);
        return storage_.size();
    }

    /// True if the queue is empty (approximate, as qsize()).
    [[nodiscard]] bool empty() const { return qsize() == 0; }

    /// True if the queue is bounded and holds maxsize() items (approximate, as qsize()).
    [[nodiscard]] bool full() const { return maxsize_ > 0 && qsize() >= maxsize_; }

    /// The bound given at construction; 0 means unbounded.
    [[nodiscard]] std::size_t maxsize() const noexcept { return maxsize_; }

    /// Tells the queue that the processing of an item taken by get() is complete; join() wakes
    /// when every item put has been marked done. Throws ValueError if called more times than
    /// items were put.
    void task_done() {
        std::lock_guard lock(mutex_);
        if (unfinished_tasks_ == 0) {
            throw ValueError("task_done() called too many times");
        }
        if (--unfinished_tasks_ == 0) {
            all_tasks_done_.notify_all();
        }
    }

    /// Blocks until every item put has been gotten and marked done by task_done(), for at most
    /// `timeout` (Python's join has no timeout). Returns true if all tasks are done, false on
    /// timeout. A negative timeout is a ValueError.
    bool join(Timeout timeout = std::nullopt) {
        check_timeout(timeout);
        std::unique_lock lock(mutex_);
        const Deadline deadline = Deadline::after(timeout);
        while (unfinished_tasks_ != 0) {
            if (deadline.expired()) {
                return false;
            }
            wait_until(all_tasks_done_, lock, deadline);
        }
        return true;
    }

    /// Shuts the queue down: put() throws ShutDown from now on, and so do the puts already
    /// waiting; get() drains what is left, then throws ShutDown. With `immediate`, the items
    /// left are discarded and marked done (which may release join()), and get() throws ShutDown
    /// at once. Calling it again is allowed; immediate may follow a plain shutdown.
    void shutdown(bool immediate = false) {
        std::unique_lock lock(mutex_);
        is_shutdown_ = true;
        if (immediate) {
            auto discarded = storage_.drain();
            // As CPython: one task done per discarded item, but never below zero, since
            // task_done() may already have been called for items still in the queue.
            unfinished_tasks_ -= std::min<std::size_t>(discarded.size(), unfinished_tasks_);
            all_tasks_done_.notify_all();
            notify_shutdown();
            // The items' destructors run after unlocking: they may use this queue.
            lock.unlock();
            return;
        }
        notify_shutdown();
    }

    /// True once shutdown() has been called (Python's is_shutdown attribute).
    [[nodiscard]] bool is_shutdown() const {
        std::lock_guard lock(mutex_);
        return is_shutdown_;
    }

    /// Items put and not yet marked done by task_done() (Python's unfinished_tasks attribute).
    [[nodiscard]] std::size_t unfinished_tasks() const {
        std::lock_guard lock(mutex_);
        return unfinished_tasks_;
    }

protected:
    explicit BasicQueue(std::size_t maxsize, Storage storage = Storage())
        : storage_(std::move(storage)), maxsize_(maxsize) {}
    // Destroying a queue while a thread waits on it is undefined, as for any object.
    ~BasicQueue() = default;

private:
    template <class U>
    void put_item(U&& item, bool block, Timeout timeout) {
        std::unique_lock lock(mutex_);
        if (is_shutdown_) {
            throw ShutDown();
        }
        if (maxsize_ > 0) {
            if (!block) {
                if (storage_.size() >= maxsize_) {
                    throw Full();
                }
            } else {
                // As CPython, the timeout is only checked when it could matter: on a bounded
                // queue, when blocking.
                check_timeout(timeout);
                const Deadline deadline = Deadline::after(timeout);
                while (storage_.size() >= maxsize_) {
                    if (deadline.expired()) {
                        throw Full();
                    }
                    wait_until(not_full_, lock, deadline);
                    if (is_shutdown_) {
                        throw ShutDown();
                    }
                }
            }
        }
        storage_.put(std::forward<U>(item));
        ++unfinished_tasks_;
        // Notified with the mutex held, as CPython: once it is released, a woken getter may
        // destroy the queue.
        not_empty_.notify_one();
    }

    // Every waiter re-checks the shutdown flag: putters throw, getters drain then throw.
    void notify_shutdown() {
        not_empty_.notify_all();
        not_full_.notify_all();
    }

    mutable std::mutex mutex_;
    std::condition_variable not_empty_;      // an item was put, or shutdown
    std::condition_variable not_full_;       // an item was taken, or shutdown
    std::condition_variable all_tasks_done_; // unfinished_tasks_ dropped to zero
    Storage storage_;
    const std::size_t maxsize_;
    std::size_t unfinished_tasks_ = 0;
    bool is_shutdown_ = false;
};

} // namespace concur::queue::detail
