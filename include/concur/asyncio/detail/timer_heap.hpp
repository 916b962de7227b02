// The loop's timers: a binary min-heap of intrusive nodes. A node lives in whatever waits (a
// sleeping coroutine's frame, a TimerHandle), so a sleep allocates nothing; it knows its place
// in the heap, so cancelling one is O(log n) and leaves no tombstone behind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "concur/asyncio/detail/runnable.hpp"

namespace concur::asyncio::detail {

struct TimerNode {
    double when = 0; // on the loop's clock
    // FIFO among timers due at the same time. 32 bits, as the index, so that a node is 24
    // bytes: it lives in every sleeping frame. (Wrapping after 4e9 timers only reorders ties.)
    std::uint32_t sequence = 0;
    std::uint32_t index = kNotScheduled;
    Runnable* target = nullptr; // scheduled on the ready queue when due

    static constexpr std::uint32_t kNotScheduled = 0xffffffffU;
    /// An owner may park a mark of its own in `index` while the node is not scheduled (a sleep
    /// remembers it was cancelled so): any value from kFirstMark up.
    static constexpr std::uint32_t kFirstMark = 0xfffffff0U;
    [[nodiscard]] bool scheduled() const noexcept { return index < kFirstMark; }
};

class TimerHeap {
public:
    [[nodiscard]] bool empty() const noexcept { return heap_.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return heap_.size(); }
    [[nodiscard]] TimerNode* top() const noexcept { return heap_.front(); }

    void push(TimerNode* node) {
        node->sequence = ++sequence_;
        heap_.push_back(node);
        sift_up(heap_.size() - 1);
    }

    TimerNode* pop() noexcept {
        TimerNode* node = heap_.front();
        remove_at(0);
        return node;
    }

    /// Empties the heap, calling `fn(node)` for each node, which is then unscheduled.
    template <class F>
    void clear(F fn) {
        std::vector<TimerNode*> nodes;
        nodes.swap(heap_);
        for (TimerNode* node : nodes) {
            node->index = TimerNode::kNotScheduled;
            fn(node);
        }
    }

    /// Takes `node` out of the heap; no-op if it is not scheduled.
    void remove(TimerNode* node) noexcept {
        if (node->scheduled()) {
            remove_at(node->index);
        }
    }

private:
    static bool before(const TimerNode* a, const TimerNode* b) noexcept {
        return a->when < b->when ||
               (a->when == b->when && static_cast<std::int32_t>(a->sequence - b->sequence) < 0);
    }

    void place(std::size_t i, TimerNode* node) noexcept {
        heap_[i] = node;
        node->index = static_cast<std::uint32_t>(i);
    }

    void sift_up(std::size_t i) noexcept {
        TimerNode* node = heap_[i];
        while (i > 0) {
            const std::size_t parent = (i - 1) / 2;
            if (!before(node, heap_[parent])) {
                break;
            }
            place(i, heap_[parent]);
            i = parent;
        }
        place(i, node);
    }

    void sift_down(std::size_t i) noexcept {
        TimerNode* node = heap_[i];
        const std::size_t n = heap_.size();
        for (;;) {
            std::size_t child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && before(heap_[child + 1], heap_[child])) {
                ++child;
            }
            if (!before(heap_[child], node)) {
                break;
            }
            place(i, heap_[child]);
            i = child;
        }
        place(i, node);
    }

    void remove_at(std::size_t i) noexcept {
        TimerNode* removed = heap_[i];
        TimerNode* last = heap_.back();
        heap_.pop_back();
        removed->index = TimerNode::kNotScheduled;
        if (last == removed) {
            return;
        }
        place(i, last);
        if (i > 0 && before(last, heap_[(i - 1) / 2])) {
            sift_up(i);
        } else {
            sift_down(i);
        }
    }

    std::vector<TimerNode*> heap_;
    std::uint32_t sequence_ = 0;
};

} // namespace concur::asyncio::detail
