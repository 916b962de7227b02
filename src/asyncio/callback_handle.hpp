// The state behind Handle and TimerHandle: a callback on the ready queue or in the timer heap.
#pragma once

#include <atomic>
#include <cstdint>

#include "concur/asyncio/detail/runnable.hpp"
#include "concur/asyncio/detail/timer_heap.hpp"
#include "concur/core/unique_function.hpp"

namespace concur::asyncio::detail {

struct CallbackHandle : Runnable {
    explicit CallbackHandle(UniqueFunction<void()> cb, EventLoop* l) noexcept
        : callback(std::move(cb)), loop(l) {
        run = &CallbackHandle::call;
    }

    void retain() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept {
        // acq_rel: Handles may be dropped on other threads than the loop's.
        if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            delete this;
        }
    }

    static void call(Runnable* self);

    UniqueFunction<void()> callback;
    EventLoop* loop;
    TimerNode timer;                    // for call_later / call_at
    std::atomic<std::uint32_t> refs{1}; // the loop's reference, and each Handle's
    std::atomic<bool> cancelled{false};
};

} // namespace concur::asyncio::detail
