// asyncio.wait and asyncio.as_completed.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <deque>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "concur/asyncio/detail/future_core.hpp"
#include "concur/asyncio/detail/promise.hpp"
#include "concur/asyncio/detail/timer_heap.hpp"
#include "concur/asyncio/events.hpp"
#include "concur/asyncio/gather.hpp"
#include "concur/core/exceptions.hpp"
#include "concur/futures/wait.hpp"

namespace concur::asyncio {

using futures::ALL_COMPLETED;
using futures::FIRST_COMPLETED;
using futures::FIRST_EXCEPTION;
using futures::ReturnWhen;

/// What wait() gives: the futures done and those still pending, each in input order.
template <class H>
struct DoneAndPending {
    std::vector<H> done;
    std::vector<H> pending;
};

namespace detail {

/// Counts children down like gather, with a timer; wakes the task once `return_when` holds
/// or the timeout passes. Never cancels the children.
class WaitCore final : public Suspension {
public:
    WaitCore(std::vector<FutureCore*> children, std::optional<double> timeout, ReturnWhen when);
    WaitCore(const WaitCore&) = delete;
    WaitCore& operator=(const WaitCore&) = delete;
    ~WaitCore();
    [[nodiscard]] bool ready() const noexcept;
    void suspend(std::coroutine_handle<> h);
    void resume();
    bool cancel_suspension(const std::string* message) override;

private:
    struct Node final : Waiter {
        WaitCore* owner = nullptr;
        void on_done(FutureCore& child) noexcept override { owner->child_done(child); }
    };
    struct Timeout final : Runnable {
        WaitCore* owner = nullptr;
    };
    void child_done(FutureCore& child) noexcept;
    void wake() noexcept;
    static void on_timeout(Runnable* self);

    std::vector<FutureCore*> children_;
    std::unique_ptr<Node[]> nodes_;
    Timeout timeout_runnable_;
    TimerNode timer_;
    std::optional<double> timeout_;
    PromiseBase* task_ = nullptr;
    std::size_t done_ = 0;
    ReturnWhen return_when_;
    bool raised_ = false;
    bool woken_ = false;
    bool cancelled_ = false;
};

template <class H>
class WaitAwaiter {
public:
    WaitAwaiter(std::vector<H> fs, std::optional<double> timeout, ReturnWhen when)
        : fs_(std::move(fs)), core_(cores(fs_), timeout, when) {}
    [[nodiscard]] bool await_ready() const noexcept { return core_.ready(); }
    void await_suspend(std::coroutine_handle<> h) { core_.suspend(h); }
    DoneAndPending<H> await_resume() {
        core_.resume();
        DoneAndPending<H> out;
        for (H& f : fs_) {
            (f.done() ? out.done : out.pending).push_back(std::move(f));
        }
        return out;
    }

private:
    static std::vector<FutureCore*> cores(const std::vector<H>& fs) {
        std::vector<FutureCore*> out;
        out.reserve(fs.size());
        for (const H& f : fs) {
            out.push_back(f.core());
        }
        return out;
    }
    std::vector<H> fs_;
    WaitCore core_;
};

} // namespace detail

/// Waits until `return_when` holds for the tasks or futures in `fs` (or `timeout` passes) and
/// returns them split into done and pending (Python's asyncio.wait); never cancels them.
/// ValueError if `fs` is empty. Cancel safety: cancelling the waiting task raises
/// CancelledError and leaves the futures running.
template <class H>
requires requires {
    typename detail::awaitable_value_t<H>;
}
auto wait(std::vector<H> fs, std::optional<std::chrono::duration<double>> timeout = std::nullopt,
          ReturnWhen return_when = ALL_COMPLETED) {
    static_assert(!std::is_same_v<H, Coroutine<detail::awaitable_value_t<H>>>,
                  "asyncio::wait() takes tasks or futures, as Python's since 3.11: wrap each "
                  "coroutine with create_task()");
    if (fs.empty()) {
        throw ValueError("Set of Tasks/Futures is empty.");
    }
    std::optional<double> t;
    if (timeout) {
        t = timeout->count();
    }
    return detail::WaitAwaiter<H>(std::move(fs), t, return_when);
}

/// The range as_completed() returns: N awaitables, each giving the result of the next task
/// to finish (or raising its exception); TimeoutError from an awaitable once the timeout,
/// counted from the call, has passed.
template <class H>
class AsCompleted {
    using T = detail::awaitable_value_t<H>;

    struct State {
        struct Node final : detail::Waiter {
            State* state = nullptr;
            std::size_t index = 0;
            void on_done(detail::FutureCore& /*child*/) noexcept override {
                state->done.push_back(index);
                if (state->waiter != nullptr) {
                    detail::PromiseBase* t = state->waiter;
                    state->waiter = nullptr;
                    t->wake();
                }
            }
        };
        std::vector<H> fs;
        std::unique_ptr<Node[]> nodes;
        std::deque<std::size_t> done;
        detail::PromiseBase* waiter = nullptr;
        std::optional<double> deadline;
        ~State() {
            for (std::size_t i = 0; i < fs.size(); ++i) {
                if (nodes[i].registered) {
                    fs[i].core()->remove_waiter(&nodes[i]);
                }
            }
        }
    };

public:
    AsCompleted(std::vector<H> fs, std::optional<double> deadline)
        : state_(std::make_unique<State>()) {
        state_->fs = std::move(fs);
        state_->deadline = deadline;
        state_->nodes.reset(new typename State::Node[state_->fs.size()]);
        for (std::size_t i = 0; i < state_->fs.size(); ++i) {
            state_->nodes[i].state = state_.get();
            state_->nodes[i].index = i;
            if (state_->fs[i].done()) {
                state_->done.push_back(i);
            } else {
                state_->fs[i].core()->add_waiter(&state_->nodes[i]);
            }
        }
    }

    /// One awaitable: the next result to be ready.
    class Next final : public detail::Suspension {
    public:
        explicit Next(State* s) noexcept : s_(s) {}
        [[nodiscard]] bool await_ready() const noexcept { return !s_->done.empty(); }
        void await_suspend(std::coroutine_handle<> h) {
            task_ = &detail::task_for_await("await as_completed()");
            task_->suspend_on(h, this);
            s_->waiter = task_;
            if (s_->deadline) {
                timer_runnable_.next = this;
                timer_runnable_.run = &Next::on_timeout;
                timer_.when = *s_->deadline;
                timer_.target = &timer_runnable_;
                task_->loop()->add_timer(&timer_);
            }
        }
        T await_resume() {
            if (timer_.scheduled()) {
                task_->loop()->remove_timer(&timer_);
            }
            if (task_ != nullptr) {
                s_->waiter = nullptr;
                task_->resume_from_suspension();
                if (cancelled_) {
                    const std::string* message = task_->cancel_message();
                    throw CancelledError(message != nullptr ? *message : "");
                }
            }
            if (s_->done.empty()) {
                throw TimeoutError();
            }
            const std::size_t i = s_->done.front();
            s_->done.pop_front();
            return s_->fs[i].result_for_await();
        }
        bool cancel_suspension(const std::string* /*message*/) override {
            if (s_->waiter != task_) {
                return false;
            }
            s_->waiter = nullptr;
            cancelled_ = true;
            task_->wake();
            return true;
        }
        ~Next() {
            if (timer_.scheduled()) {
                task_->loop()->remove_timer(&timer_);
            }
            if (task_ != nullptr && s_->waiter == task_) {
                s_->waiter = nullptr;
            }
        }

    private:
        struct TimerRunnable : detail::Runnable {
            Next* next = nullptr;
        };
        static void on_timeout(detail::Runnable* self) {
            Next* n = static_cast<TimerRunnable*>(self)->next;
            if (n->s_->waiter == n->task_) {
                n->s_->waiter = nullptr;
                n->task_->wake();
            }
        }
        State* s_;
        detail::PromiseBase* task_ = nullptr;
        TimerRunnable timer_runnable_;
        detail::TimerNode timer_;
        bool cancelled_ = false;
    };

    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = Next;
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        iterator(State* s, std::size_t i) : s_(s), i_(i) {}
        Next operator*() const { return Next(s_); }
        iterator& operator++() {
            ++i_;
            return *this;
        }
        void operator++(int) { ++i_; }
        friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.i_ == b.i_;
        }

    private:
        State* s_ = nullptr;
        std::size_t i_ = 0;
    };

    iterator begin() { return iterator(state_.get(), 0); }
    iterator end() { return iterator(state_.get(), state_->fs.size()); }
    [[nodiscard]] std::size_t size() const noexcept { return state_->fs.size(); }

private:
    std::unique_ptr<State> state_;
};

/// The tasks or futures in `fs` in the order they finish (Python's as_completed):
/// `for (auto next : as_completed(tasks)) { T r = co_await next; }`. Cancel safety:
/// cancelling the task awaiting `next` raises CancelledError there; the others run on.
template <class A>
requires requires {
    typename detail::awaitable_task_t<A>;
}
AsCompleted<detail::awaitable_task_t<A>>
as_completed(std::vector<A> fs,
             std::optional<std::chrono::duration<double>> timeout = std::nullopt) {
    std::optional<double> deadline;
    if (timeout) {
        deadline = get_running_loop().time() + timeout->count();
    }
    // Coroutines run as tasks of their own, as Python's ensure_future makes them.
    std::vector<detail::awaitable_task_t<A>> handles;
    handles.reserve(fs.size());
    for (A& f : fs) {
        handles.push_back(detail::AwaitableTask<A>::make(std::move(f)));
    }
    return AsCompleted<detail::awaitable_task_t<A>>(std::move(handles), deadline);
}

} // namespace concur::asyncio
