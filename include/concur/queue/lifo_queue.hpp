// queue.LifoQueue: a last-in, first-out queue (a stack) for passing items between threads.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "concur/queue/detail/basic_queue.hpp"

namespace concur::queue {

namespace detail {

/// LIFO storage (CPython's LifoQueue._init/_put/_get on a list).
template <class T>
class LifoStorage {
public:
    [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }

    template <class U>
    void put(U&& item) {
        items_.push_back(std::forward<U>(item));
    }

    T get() {
        T item = std::move(items_.back());
        items_.pop_back();
        return item;
    }

    std::vector<T> drain() { return std::exchange(items_, {}); }

private:
    std::vector<T> items_;
};

} // namespace detail

/// A multi-producer, multi-consumer LIFO queue (Python's queue.LifoQueue): the item put most
/// recently comes out first. Same operations as Queue.
template <class T>
class LifoQueue : public detail::BasicQueue<T, detail::LifoStorage<T>> {
public:
    /// A queue holding at most `maxsize` items; 0 means unbounded.
    explicit LifoQueue(std::size_t maxsize = 0)
        : detail::BasicQueue<T, detail::LifoStorage<T>>(maxsize) {}
};

} // namespace concur::queue
