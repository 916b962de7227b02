// Awaiting a futures::Future (a result from a thread or a process) from a task: the bridge
// DESIGN.md calls wrap_future, built into co_await.
#pragma once

#include <coroutine>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "concur/asyncio/detail/future_core.hpp"
#include "concur/asyncio/detail/promise.hpp"
#include "concur/asyncio/events.hpp"
#include "concur/core/exceptions.hpp"
#include "concur/futures/future.hpp"

namespace concur::asyncio::detail {

/// Suspends the task until the concurrent future is done; its completion, in whatever thread,
/// reaches the loop through call_soon_threadsafe. Cancel safety: cancelling the task cancels
/// the concurrent future (if it has not started) and raises CancelledError at once.
template <class T>
class ConcurrentFutureAwaiter final : public Suspension {
    // What the completing thread and the loop share. Its fields are touched on the loop's
    // thread only (the completion hops there first); the shared_ptr's count is atomic.
    struct Shared {
        EventLoop* loop;
        PromiseBase* task;
        bool detached = false; // the awaiter is gone or already woken
    };

public:
    explicit ConcurrentFutureAwaiter(futures::Future<T> f) noexcept : future_(std::move(f)) {}
    ConcurrentFutureAwaiter(const ConcurrentFutureAwaiter&) = delete;
    ConcurrentFutureAwaiter& operator=(const ConcurrentFutureAwaiter&) = delete;
    ~ConcurrentFutureAwaiter() {
        if (shared_) {
            shared_->detached = true;
        }
    }

    [[nodiscard]] bool await_ready() const noexcept { return future_.done(); }

    void await_suspend(std::coroutine_handle<> h) {
        PromiseBase& t = task_for_await("await a concurrent future");
        t.suspend_on(h, this);
        shared_ = std::make_shared<Shared>(Shared{t.loop(), &t});
        future_.add_done_callback([s = shared_](const futures::Future<T>& /*done*/) {
            s->loop->call_soon_threadsafe([s] {
                if (!s->detached) {
                    s->detached = true;
                    s->loop->schedule(s->task);
                }
            });
        });
    }

    bool cancel_suspension(const std::string* /*message*/) override {
        if (shared_->detached) {
            return false;
        }
        shared_->detached = true;
        future_.cancel();
        cancelled_ = true;
        shared_->loop->schedule(shared_->task);
        return true;
    }

    auto await_resume() {
        if (shared_) {
            shared_->task->resume_from_suspension();
            if (cancelled_) {
                const std::string* message = shared_->task->cancel_message();
                throw CancelledError(message != nullptr ? *message : "");
            }
        }
        if constexpr (std::is_void_v<T>) {
            future_.result();
        } else if constexpr (std::is_copy_constructible_v<T>) {
            return T(future_.result());
        } else {
            return T(std::move(future_.result()));
        }
    }

private:
    futures::Future<T> future_;
    std::shared_ptr<Shared> shared_;
    bool cancelled_ = false;
};

} // namespace concur::asyncio::detail
