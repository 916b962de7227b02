// queue.PriorityQueue: a queue that hands out its lowest entry first.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

#include "concur/queue/detail/basic_queue.hpp"

namespace concur::queue {

namespace detail {

/// Heap storage (CPython's PriorityQueue._put/_get with heapq): get() returns the smallest
/// item under `Compare`. Compare must not throw, as for std::priority_queue.
template <class T, class Compare>
class PriorityStorage {
public:
    PriorityStorage() = default;
    explicit PriorityStorage(Compare compare) : compare_(std::move(compare)) {}

    [[nodiscard]] std::size_t size() const noexcept { return heap_.size(); }

    template <class U>
    void put(U&& item) {
        heap_.push_back(std::forward<U>(item));
        std::push_heap(heap_.begin(), heap_.end(), after());
    }

    T get() {
        std::pop_heap(heap_.begin(), heap_.end(), after());
        T item = std::move(heap_.back());
        heap_.pop_back();
        return item;
    }

    std::vector<T> drain() { return std::exchange(heap_, {}); }

private:
    // The std heap algorithms keep the greatest element at the front; ordering by "comes after"
    // keeps the smallest there instead, as heapq does.
    auto after() {
        return [this](const T& a, const T& b) { return compare_(b, a); };
    }

    std::vector<T> heap_;
    [[no_unique_address]] Compare compare_{};
};

} // namespace detail

/// A multi-producer, multi-consumer priority queue (Python's queue.PriorityQueue): get()
/// returns the lowest entry under `Compare` (std::less: the smallest first, as heapq). Entries
/// are typically pairs or tuples `(priority, data)`; equal entries come out in no set order.
/// Same operations as Queue.
template <class T, class Compare = std::less<T>>
class PriorityQueue : public detail::BasicQueue<T, detail::PriorityStorage<T, Compare>> {
    using Base = detail::BasicQueue<T, detail::PriorityStorage<T, Compare>>;

public:
    /// A queue holding at most `maxsize` items (0: unbounded), ordered by `compare`.
    explicit PriorityQueue(std::size_t maxsize = 0, Compare compare = Compare())
        : Base(maxsize, detail::PriorityStorage<T, Compare>(std::move(compare))) {}
};

} // namespace concur::queue
