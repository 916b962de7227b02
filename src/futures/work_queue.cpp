#include "work_queue.hpp"

#include <sched.h>

namespace concur::futures::detail {

WorkQueue::WorkQueue() {
    Chunk* first = new_chunk();
    tail_chunk_ = first;
    head_chunk_ = first;
}

WorkQueue::~WorkQueue() {
    // The pool drains the queue before it goes: only chunks are left to free.
    for (Chunk* c = head_chunk_; c != nullptr;) {
        Chunk* next = c->next.load(std::memory_order_relaxed);
        delete c;
        c = next;
    }
    delete spare_.load(std::memory_order_relaxed);
}

WorkQueue::Chunk* WorkQueue::new_chunk() noexcept {
    Chunk* chunk = spare_.exchange(nullptr, std::memory_order_acquire);
    if (chunk == nullptr) {
        return new Chunk(); // value-initialised: every slot null
    }
    for (auto& slot : chunk->slots) {
        slot.store(nullptr, std::memory_order_relaxed);
    }
    chunk->next.store(nullptr, std::memory_order_relaxed);
    return chunk;
}

void WorkQueue::recycle(Chunk* chunk) noexcept {
    // Keep one chunk for the producers' next; release: they see it fully consumed.
    delete spare_.exchange(chunk, std::memory_order_acq_rel);
}

void WorkQueue::yield() noexcept {
    sched_yield();
}

} // namespace concur::futures::detail
