// queue.SimpleQueue: an unbounded FIFO queue without task accounting or shutdown.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <type_traits>
#include <utility>

#include "concur/core/timeout.hpp"
#include "concur/queue/detail/wait.hpp"
#include "concur/queue/exceptions.hpp"

namespace concur::queue {

/// An unbounded multi-producer, multi-consumer FIFO queue (Python's queue.SimpleQueue):
/// simpler and cheaper than Queue, with no maxsize, task_done, join or shutdown.
template <class T>
class SimpleQueue {
    static_assert(std::is_move_constructible_v<T>,
                  "a queue's item type must be movable: get() moves the item out");

public:
    SimpleQueue() = default;
    SimpleQueue(const SimpleQueue&) = delete;
    SimpleQueue& operator=(const SimpleQueue&) = delete;

    /// Puts `item` into the queue. Never blocks: `block` and `timeout` are ignored, and only
    /// there for compatibility with Queue.put.
    void put(T item, [[maybe_unused]] bool block = true,
             [[maybe_unused]] Timeout timeout = std::nullopt) {
        std::lock_guard lock(mutex_);
        items_.push_back(std::move(item));
        // Notified with the mutex held: once it is released, a woken getter may destroy the
        // queue.
        not_empty_.notify_one();
    }

    /// put(item, false); there for compatibility with Queue.put_nowait.
    void put_nowait(T item) { put(std::move(item), false); }

    /// Removes and returns an item. With `block` and no timeout, waits as long as needed for
    /// one; with a timeout, waits at most that long and then throws Empty; without `block`,
    /// throws Empty at once if the queue is empty (the timeout is ignored). A negative timeout
    /// is a ValueError.
    T get(bool block = true, Timeout timeout = std::nullopt) {
        std::unique_lock lock(mutex_);
        if (!block) {
            if (items_.empty()) {
                throw Empty();
            }
        } else {
            detail::check_timeout(timeout);
            const Deadline deadline = Deadline::after(timeout);
            while (items_.empty()) {
                if (deadline.expired()) {
                    throw Empty();
                }
                detail::wait_until(not_empty_, lock, deadline);
            }
        }
        T item = std::move(items_.front());
        items_.pop_front();
        return item;
    }

    /// get(false): returns an item if one is there at once, else throws Empty.
    T get_nowait() { return get(false); }

    /// The number of items in the queue: approximate, since other threads may change it at once.
    [[nodiscard]] std::size_t qsize() const {
        std::lock_guard lock(mutex_);
        return items_.size();
    }

    /// True if the queue is empty (approximate, as qsize()).
    [[nodiscard]] bool empty() const { return qsize() == 0; }

private:
    mutable std::mutex mutex_;
    std::condition_variable not_empty_;
    std::deque<T> items_;
};

} // namespace concur::queue
