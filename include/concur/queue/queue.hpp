// queue.Queue: a first-in, first-out queue for passing items between threads.
#pragma once

#include <cstddef>
#include <deque>
#include <utility>

#include "concur/queue/detail/basic_queue.hpp"

namespace concur::queue {

namespace detail {

/// FIFO storage (CPython's Queue._init/_put/_get on a deque).
template <class T>
class FifoStorage {
public:
    [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }

    template <class U>
    void put(U&& item) {
        items_.push_back(std::forward<U>(item));
    }

    T get() {
        T item = std::move(items_.front());
        items_.pop_front();
        return item;
    }

    std::deque<T> drain() { return std::exchange(items_, {}); }

private:
    std::deque<T> items_;
};

} // namespace detail

/// A multi-producer, multi-consumer FIFO queue (Python's queue.Queue): items come out in the
/// order they were put. See detail::BasicQueue for the operations: put, get, put_nowait,
/// get_nowait, qsize, empty, full, maxsize, task_done, join, shutdown.
template <class T>
class Queue : public detail::BasicQueue<T, detail::FifoStorage<T>> {
public:
    /// A queue holding at most `maxsize` items; 0 means unbounded. Python also treats a negative
    /// maxsize as unbounded; here maxsize is unsigned.
    explicit Queue(std::size_t maxsize = 0)
        : detail::BasicQueue<T, detail::FifoStorage<T>>(maxsize) {}
};

} // namespace concur::queue
