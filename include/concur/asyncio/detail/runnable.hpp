// What the event loop runs: an intrusive FIFO of runnables, so that scheduling a task or a
// callback allocates nothing.
#pragma once

namespace concur::asyncio::detail {

/// An entry of the loop's ready queue: a task to step, or a callback to call. A function
/// pointer rather than a virtual call keeps it 16 bytes and lets a task be one without a
/// second vtable.
struct Runnable {
    Runnable* next_ready = nullptr;
    void (*run)(Runnable* self) = nullptr;
};

/// The loop's ready queue: FIFO, single-threaded (the loop's thread only).
class ReadyQueue {
public:
    [[nodiscard]] bool empty() const noexcept { return head_ == nullptr; }

    void push(Runnable* r) noexcept {
        r->next_ready = nullptr;
        if (tail_ == nullptr) {
            head_ = r;
        } else {
            tail_->next_ready = r;
        }
        tail_ = r;
    }

    Runnable* pop() noexcept {
        Runnable* r = head_;
        if (r != nullptr) {
            head_ = r->next_ready;
            if (head_ == nullptr) {
                tail_ = nullptr;
            }
        }
        return r;
    }

    /// The newest entry: the end of the batch a loop iteration runs.
    [[nodiscard]] Runnable* back() const noexcept { return tail_; }

private:
    Runnable* head_ = nullptr;
    Runnable* tail_ = nullptr;
};

} // namespace concur::asyncio::detail
