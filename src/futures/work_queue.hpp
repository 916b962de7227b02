// The thread pool's queue of calls: unbounded, FIFO, and built so that a producer and the
// workers consuming behind it touch as few shared cache lines as possible.
//
// Calls go into chunks of pointer slots. A producer writes only its own new slot (eight share a
// cache line) and a counter the workers read when they run out of work; it never writes into
// an earlier call, as a linked list's producer must. A worker reads slots in order, so it knows
// the next call's address before it needs it and can fetch that call's line while it runs the
// current one. Producers take turns through one small lock, which also closes the queue; so do
// workers, through another.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "concur/core/spin.hpp"
#include "concur/futures/detail/future_state.hpp"

namespace concur::futures::detail {

class WorkQueue {
public:
    enum class Pop { kItem, kEmpty, kBusy, kLast };
    enum class State : std::uint32_t { kOpen, kShutdown, kBroken };

    WorkQueue();
    ~WorkQueue();
    WorkQueue(const WorkQueue&) = delete;
    WorkQueue& operator=(const WorkQueue&) = delete;

    struct PushResult {
        bool accepted; // false: the queue is closed (state() says why) and `item` was not taken
        bool notify;   // the queue had run dry since the last push that said so: wake a worker
    };

    /// Appends `item` unless the queue is closed. Any thread.
    PushResult push(FutureStateBase* item) noexcept {
        lock(producer_lock_);
        if (state_.load(std::memory_order_relaxed) != State::kOpen) {
            unlock(producer_lock_);
            return {false, false};
        }
        if (tail_index_ == kChunkSlots) {
            Chunk* next = new_chunk();
            // The producers' last touch of the full chunk: from here the workers own it.
            tail_chunk_->next.store(next, std::memory_order_release);
            tail_chunk_ = next;
            tail_index_ = 0;
        }
        // Release: a worker that sees the pointer sees the call it points to.
        tail_chunk_->slots[tail_index_++].store(item, std::memory_order_release);
        pushed_.store(pushed_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
        // The unlock is a full barrier (exchange): it orders the push before the load of
        // idle_ below, against a parking worker's store of idle_ before its last look (see
        // mark_idle), so that one of the two always sees the other.
        producer_lock_.exchange(false, std::memory_order_seq_cst);
        const bool notify = idle_.load(std::memory_order_seq_cst) &&
                            idle_.exchange(false, std::memory_order_seq_cst);
        return {true, notify};
    }

    /// Refuses every later push, recording why (a broken pool stays broken). Returns once no
    /// push is in progress.
    void close(State why) noexcept {
        lock(producer_lock_);
        if (state_.load(std::memory_order_relaxed) != State::kBroken) {
            state_.store(why, std::memory_order_release);
        }
        unlock(producer_lock_);
    }

    [[nodiscard]] State state() const noexcept { return state_.load(std::memory_order_acquire); }

    /// Takes the oldest item into `item` (kItem; `was_last` says whether it emptied the queue);
    /// kEmpty when there is none; kBusy when another worker holds the consumers' turn. Unless
    /// `take_last`, leaves the newest item where it is (kLast): see the worker loop.
    Pop try_pop(FutureStateBase*& item, bool take_last, bool& was_last) noexcept {
        // Test before test-and-set: waiting workers read the lock's line instead of taking it
        // from the one at work.
        if (consumer_lock_.load(std::memory_order_relaxed) ||
            consumer_lock_.exchange(true, std::memory_order_acquire)) {
            return Pop::kBusy;
        }
        const Pop result = pop_locked(item, take_last, was_last);
        unlock(consumer_lock_);
        return result;
    }
    Pop try_pop(FutureStateBase*& item) noexcept {
        bool was_last = false;
        return try_pop(item, true, was_last);
    }

    /// True if the queue may hold an item. seq_cst: a parking worker's last look.
    [[nodiscard]] bool maybe_nonempty() const noexcept {
        return pushed_.load(std::memory_order_seq_cst) != popped_.load(std::memory_order_seq_cst);
    }

    /// The same question, cheaper, for a worker polling an empty queue.
    [[nodiscard]] bool poll() const noexcept {
        return pushed_.load(std::memory_order_acquire) != popped_.load(std::memory_order_relaxed);
    }

    /// Tells the next push that the workers may be idle, so that it wakes one. A parking worker
    /// calls it before its last look at the queue (seq_cst, against push's barrier).
    void mark_idle() noexcept {
        // An exchange even when already set: it is the full barrier the Dekker pairing needs,
        // and (unlike a fence) ThreadSanitizer understands it. Only rare paths come here.
        idle_.exchange(true, std::memory_order_seq_cst);
    }

private:
    static constexpr std::size_t kChunkSlots = 1023; // with the link, 8 KiB
    struct Chunk {
        std::atomic<FutureStateBase*> slots[kChunkSlots];
        std::atomic<Chunk*> next;
    };

    static void lock(std::atomic<bool>& flag) noexcept {
        for (int spins = 0;; ++spins) {
            if (!flag.load(std::memory_order_relaxed) &&
                !flag.exchange(true, std::memory_order_acquire)) {
                return;
            }
            if (spins < 64) {
                cpu_relax();
            } else {
                yield(); // the holder may be preempted: let it run
            }
        }
    }
    static void unlock(std::atomic<bool>& flag) noexcept {
        flag.store(false, std::memory_order_release);
    }
    static void yield() noexcept;

    Chunk* new_chunk() noexcept;
    void recycle(Chunk* chunk) noexcept;

    Pop pop_locked(FutureStateBase*& item, bool take_last, bool& was_last) noexcept {
        if (head_index_ == kChunkSlots) {
            Chunk* next = head_chunk_->next.load(std::memory_order_acquire);
            if (next == nullptr) {
                return Pop::kEmpty;
            }
            recycle(head_chunk_);
            head_chunk_ = next;
            head_index_ = 0;
        }
        FutureStateBase* first = head_chunk_->slots[head_index_].load(std::memory_order_acquire);
        if (first == nullptr) {
            return Pop::kEmpty;
        }
        FutureStateBase* second = peek_after_head();
        if (second == nullptr && !take_last) {
            return Pop::kLast;
        }
        ++head_index_;
        popped_.store(popped_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
        if (second != nullptr) {
            // Ask for the next call's line now, so that its trip from the producer's core
            // overlaps with running this one.
            __builtin_prefetch(second, 1);
        }
        was_last = second == nullptr;
        item = first;
        return Pop::kItem;
    }

    FutureStateBase* peek_after_head() const noexcept {
        if (head_index_ + 1 < kChunkSlots) {
            return head_chunk_->slots[head_index_ + 1].load(std::memory_order_acquire);
        }
        Chunk* next = head_chunk_->next.load(std::memory_order_acquire);
        return next != nullptr ? next->slots[0].load(std::memory_order_acquire) : nullptr;
    }

    // Producers' side, guarded by producer_lock_ (pushed_ is also read by workers).
    alignas(64) std::atomic<bool> producer_lock_{false};
    Chunk* tail_chunk_;
    std::size_t tail_index_ = 0;
    std::atomic<std::uint64_t> pushed_{0};
    // Workers' side, guarded by consumer_lock_ (popped_ is also read when polling).
    alignas(64) std::atomic<bool> consumer_lock_{false};
    Chunk* head_chunk_;
    std::size_t head_index_ = 0;
    std::atomic<std::uint64_t> popped_{0};
    // Written rarely, read by every push or every call: lines of their own.
    alignas(64) std::atomic<bool> idle_{true}; // the first push starts a worker
    alignas(64) std::atomic<State> state_{State::kOpen};
    alignas(64) std::atomic<Chunk*> spare_{nullptr}; // one emptied chunk kept for reuse
};

} // namespace concur::futures::detail
