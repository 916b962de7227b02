// The thread pool's queue of calls: unbounded, FIFO, intrusive (the link is in each future, so
// a push allocates nothing). Producers never wait for each other: a push is one atomic exchange
// (Vyukov's multi-producer queue). Consumers take turns through a try-lock, held for a few
// instructions.
#pragma once

#include <atomic>

#include "concur/futures/detail/future_state.hpp"

namespace concur::futures::detail {

class WorkQueue {
public:
    WorkQueue() : head_(&stub_), tail_(&stub_) {}
    WorkQueue(const WorkQueue&) = delete;
    WorkQueue& operator=(const WorkQueue&) = delete;

    /// Appends `item`; true if the queue was empty. Any thread; never blocks.
    bool push(QueueLink* item) noexcept {
        item->next.store(nullptr, std::memory_order_relaxed);
        // seq_cst: the pool's wake-up protocol needs this exchange ordered before the push's
        // following load of the sleeper count (Dekker's pattern with the parking worker).
        QueueLink* prev = tail_.exchange(item, std::memory_order_seq_cst);
        // Release: the consumer that follows `next` sees the item's contents.
        prev->next.store(item, std::memory_order_release);
        // The stub is at the tail exactly when every item has been handed out.
        return prev == &stub_;
    }

    /// True if the queue may hold an item (exact when no push or pop is in flight).
    [[nodiscard]] bool maybe_nonempty() const noexcept {
        return tail_.load(std::memory_order_seq_cst) != &stub_;
    }

    /// A cheaper check for a consumer waiting on an empty queue: the push that ends emptiness
    /// links the stub to its item, so polling the stub leaves the producers' line alone.
    /// (While the queue holds items it may also say true; it says false only when empty.)
    [[nodiscard]] bool poll() const noexcept {
        return stub_.next.load(std::memory_order_acquire) != nullptr;
    }

    enum class Pop { kItem, kEmpty, kBusy, kLast };

    /// Takes the oldest item into `item` (kItem); kEmpty when there is none; kBusy when another
    /// consumer holds the turn or a producer is between its two steps (retry after a pause).
    /// Unless `take_last`, leaves the newest item where it is (kLast): see the worker loop.
    Pop try_pop(FutureStateBase*& item, bool take_last = true) noexcept {
        // Test before test-and-set: waiting consumers read the lock's line instead of stealing
        // it from the one consumer at work.
        if (consumer_lock_.load(std::memory_order_relaxed) ||
            consumer_lock_.exchange(true, std::memory_order_acquire)) {
            return Pop::kBusy;
        }
        const Pop result = pop_locked(item, take_last);
        consumer_lock_.store(false, std::memory_order_release);
        return result;
    }

private:
    Pop pop_locked(FutureStateBase*& item, bool take_last) noexcept {
        QueueLink* head = head_;
        QueueLink* next = head->next.load(std::memory_order_acquire);
        if (head == &stub_) {
            if (next == nullptr) {
                // Empty, unless a producer has swung the tail and is about to link the stub.
                return tail_.load(std::memory_order_acquire) == &stub_ ? Pop::kEmpty : Pop::kBusy;
            }
            head_ = next;
            head = next;
            next = next->next.load(std::memory_order_acquire);
        }
        if (next == nullptr) {
            if (!take_last) {
                return Pop::kLast;
            }
            if (head != tail_.load(std::memory_order_acquire)) {
                return Pop::kBusy; // a producer has swung the tail but not linked it yet
            }
            // `head` is the last item: make the stub the tail in its place, so that it can be
            // handed out. A compare-exchange, not a push: a push racing with a push of the stub
            // would leave the stub behind that push's item, tail == stub with the item still
            // queued; maybe_nonempty() would then say empty (to the worker's hand-off and to
            // park()) while that push, having found the queue non-empty, woke nobody, and the
            // item waited for a busy worker with idle ones asleep. seq_cst, as a push's exchange.
            stub_.next.store(nullptr, std::memory_order_relaxed);
            QueueLink* expected = head;
            if (!tail_.compare_exchange_strong(expected, &stub_, std::memory_order_seq_cst,
                                               std::memory_order_relaxed)) {
                // A push came between: its link to `head` is on the way. The stub is not in the
                // list, so nobody else writes its link: make poll() say "items" again.
                stub_.next.store(head, std::memory_order_relaxed);
                return Pop::kBusy;
            }
            head_ = &stub_;
            item = static_cast<FutureStateBase*>(head);
            return Pop::kItem;
        }
        head_ = next;
        item = static_cast<FutureStateBase*>(head);
        return Pop::kItem;
    }

    // Consumer side, guarded by consumer_lock_.
    alignas(64) QueueLink* head_;
    std::atomic<bool> consumer_lock_{false};
    // The stub is linked by a producer whenever the queue goes from empty to non-empty: apart
    // from both ends, so those writes disturb neither.
    alignas(64) QueueLink stub_;
    // Producer side, on its own cache line so that pushes and pops do not slow each other.
    alignas(64) std::atomic<QueueLink*> tail_;
};

} // namespace concur::futures::detail
