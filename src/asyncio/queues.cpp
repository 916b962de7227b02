// The type-independent part of asyncio's queues, following CPython 3.13's asyncio/queues.py.
#include "concur/asyncio/queues.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "concur/core/exceptions.hpp"

namespace concur::asyncio::detail {

QueueCore::QueueCore(const char* name, std::size_t maxsize) noexcept
    : name_(name), maxsize_(maxsize) {
    finished_.set(); // no unfinished task yet: join() returns at once
}

void QueueCore::task_done() {
    if (unfinished_tasks_ == 0) {
        throw ValueError("task_done() called too many times");
    }
    if (--unfinished_tasks_ == 0) {
        finished_.set();
    }
}

void QueueCore::wakeup_next(WaitList& waiters) noexcept {
    while (WaitNode* w = waiters.pop_front()) {
        transit_.push_back(w);
        if (!w->done()) {
            w->set_result();
            break;
        }
    }
}

void QueueCore::item_put() noexcept {
    ++unfinished_tasks_;
    finished_.clear();
    wakeup_next(getters_);
}

void QueueCore::shut_down(bool immediate, std::size_t discarded) noexcept {
    is_shutdown_ = true;
    if (immediate) {
        // One task done per discarded item, never below zero: task_done() may already have
        // been called for items still in the queue.
        unfinished_tasks_ -= std::min(discarded, unfinished_tasks_);
        if (unfinished_tasks_ == 0) {
            finished_.set(); // releases join()
        }
    }
    // Every getter and putter wakes to see the shutdown (getters drain what is left first).
    for (WaitList* waiters : {&getters_, &putters_}) {
        while (WaitNode* w = waiters->pop_front()) {
            transit_.push_back(w);
            if (!w->done()) {
                w->set_result();
            }
        }
    }
}

std::string QueueCore::repr() const {
    char address[32];
    std::snprintf(address, sizeof address, "%#jx",
                  static_cast<std::uintmax_t>(reinterpret_cast<std::uintptr_t>(this)));
    std::string r =
        std::string("<") + name_ + " at " + address + " maxsize=" + std::to_string(maxsize_);
    if (!getters_.empty()) {
        r += " _getters[" + std::to_string(getters_.size()) + "]";
    }
    if (!putters_.empty()) {
        r += " _putters[" + std::to_string(putters_.size()) + "]";
    }
    if (unfinished_tasks_ > 0) {
        r += " tasks=" + std::to_string(unfinished_tasks_);
    }
    if (is_shutdown_) {
        r += " shutdown";
    }
    return r + ">";
}

} // namespace concur::asyncio::detail
