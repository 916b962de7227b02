// asyncio.gather: run awaitables concurrently and collect their results in argument order.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "concur/asyncio/coroutine.hpp"
#include "concur/asyncio/future.hpp"
#include "concur/asyncio/task.hpp"
#include "concur/core/outcome.hpp"

namespace concur::asyncio {

/// Python's keyword arguments of gather().
struct GatherOptions {
    /// Return each failure as an Outcome holding the exception instead of raising the first.
    bool return_exceptions = false;
};

namespace detail {

/// The type-independent core of a gather: one waiter per child, counting them down.
/// Python's semantics: the first exception (or a child's cancellation) is raised at once unless
/// return_exceptions, without cancelling the others; cancelling the gather cancels every child
/// and raises CancelledError once they are all done.
class GatherCore : public Suspension {
public:
    GatherCore(std::vector<FutureCore*> children, bool return_exceptions);
    GatherCore(const GatherCore&) = delete;
    GatherCore& operator=(const GatherCore&) = delete;
    virtual ~GatherCore();

    /// Registers on the children; call once the derived part can take deliver() calls.
    void start();

    /// True if no suspension is needed (no children, or all done and nothing to wait for).
    [[nodiscard]] bool ready() const noexcept;
    /// Suspends the current task until the gather may resume it.
    void suspend(std::coroutine_handle<> h);
    /// On resumption: raises CancelledError or the first error as Python's gather would.
    void check();

    bool cancel_suspension(const std::string* message) override;

protected:
    /// A child is done: take what is needed of it now, while its state is warm in the cache.
    /// The default keeps nothing; results are read from the children at the end.
    virtual void deliver(std::size_t /*index*/, FutureCore& /*child*/) noexcept {}

    [[nodiscard]] const std::vector<FutureCore*>& children() const noexcept { return children_; }

private:
    struct Node final : Waiter {
        GatherCore* owner = nullptr;
        std::size_t index = 0;
        void on_done(FutureCore& child) noexcept override { owner->child_done(index, child); }
    };
    void child_done(std::size_t index, FutureCore& child) noexcept;
    void wake() noexcept;

    std::vector<FutureCore*> children_;
    std::unique_ptr<Node[]> nodes_;
    EventLoop* loop_ = nullptr; // the children's, recorded before any of them can be released
    PromiseBase* task_ = nullptr;
    std::exception_ptr error_; // the first error, raised without return_exceptions
    std::size_t remaining_;
    bool return_exceptions_;
    bool woken_ = false;
    bool cancel_requested_ = false;
};

template <class A>
struct AwaitableTask;
template <class T>
struct AwaitableTask<Task<T>> {
    using type = Task<T>;
    using value_type = T;
    static Task<T> make(Task<T> t) { return t; }
};
template <class T>
struct AwaitableTask<Future<T>> {
    using type = Future<T>;
    using value_type = T;
    static Future<T> make(Future<T> f) { return f; }
};
template <class T>
struct AwaitableTask<Coroutine<T>> {
    using type = Task<T>;
    using value_type = T;
    // A coroutine given to gather() runs as a task of its own (Python's ensure_future).
    static Task<T> make(Coroutine<T> c) { return create_task(std::move(c)); }
};

template <class A>
using awaitable_task_t = typename AwaitableTask<std::decay_t<A>>::type;
template <class A>
using awaitable_value_t = typename AwaitableTask<std::decay_t<A>>::value_type;

template <class T>
using gather_value_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <class H>
auto take_value(const H& h) {
    if constexpr (std::is_void_v<awaitable_value_t<H>>) {
        h.result();
        return std::monostate{};
    } else {
        return h.result_for_await();
    }
}

template <class H>
Outcome<awaitable_value_t<H>> take_outcome(const H& h) {
    if (h.cancelled()) {
        return Outcome<awaitable_value_t<H>>(h.core()->cancelled_error());
    }
    if (h.core()->has_exception()) {
        return Outcome<awaitable_value_t<H>>(h.core()->take_exception());
    }
    return Outcome<awaitable_value_t<H>>(take_value(h));
}

/// The awaitable gather() returns over a vector of one handle type. Each child's result (or
/// outcome) is taken as it completes and the child's state released at once: with many
/// children, that is one pass over their memory instead of three.
template <class H, bool Outcomes>
class GatherVector final : public GatherCore {
public:
    using value_type = std::conditional_t<Outcomes, Outcome<awaitable_value_t<H>>,
                                          gather_value_t<awaitable_value_t<H>>>;

    GatherVector(std::vector<H> children, bool return_exceptions)
        : GatherCore(take_all(children), return_exceptions), owned_(this->children()),
          results_(this->children().size()) {
        start();
    }
    ~GatherVector() override {
        for (FutureCore* child : owned_) {
            if (child != nullptr) {
                child->release();
            }
        }
    }

    [[nodiscard]] bool await_ready() const noexcept { return ready(); }
    void await_suspend(std::coroutine_handle<> h) { suspend(h); }
    std::vector<value_type> await_resume() {
        check();
        std::vector<value_type> results;
        results.reserve(results_.size());
        for (std::size_t i = 0; i < results_.size(); ++i) {
            if (!results_[i]) {
                deliver(i, *this->children()[i]); // its value could not be taken before
            }
            results.push_back(std::move(*results_[i]));
        }
        return results;
    }

protected:
    void deliver(std::size_t i, FutureCore& child) noexcept override {
        using State = std::remove_pointer_t<decltype(std::declval<H&>().state())>;
        auto* state = static_cast<State*>(&child);
        try {
            if constexpr (Outcomes) {
                if (child.cancelled()) {
                    results_[i].emplace(child.cancelled_error());
                } else if (child.has_exception()) {
                    results_[i].emplace(child.take_exception());
                } else if constexpr (std::is_void_v<awaitable_value_t<H>>) {
                    results_[i].emplace(std::monostate{});
                } else {
                    results_[i].emplace(take(*state));
                }
            } else if (!child.cancelled() && !child.has_exception()) {
                if constexpr (std::is_void_v<awaitable_value_t<H>>) {
                    results_[i].emplace();
                } else {
                    results_[i].emplace(take(*state));
                }
            }
        } catch (...) {
            // a throwing copy: the value stays with the child, read at the end instead
            return;
        }
        if (owned_[i] != nullptr) {
            owned_[i] = nullptr;
            child.release(); // our reference: the child's frame may go now, while it is warm
        }
    }

private:
    template <class State>
    static auto take(State& state) {
        using T = awaitable_value_t<H>;
        if constexpr (std::is_copy_constructible_v<T>) {
            return T(state.value());
        } else {
            return T(std::move(state.value()));
        }
    }

    /// The handles' references become ours, without touching the states' counts.
    static std::vector<FutureCore*> take_all(std::vector<H>& hs) {
        std::vector<FutureCore*> cores;
        cores.reserve(hs.size());
        for (H& h : hs) {
            cores.push_back(h.release_state());
        }
        return cores;
    }

    std::vector<FutureCore*> owned_; // the references we still hold
    std::vector<std::optional<value_type>> results_;
};

/// The awaitable gather() returns over several awaitables of different types.
template <bool Outcomes, class... Hs>
class GatherTuple {
public:
    using value_type = std::conditional_t<Outcomes, std::tuple<Outcome<awaitable_value_t<Hs>>...>,
                                          std::tuple<gather_value_t<awaitable_value_t<Hs>>...>>;

    GatherTuple(std::tuple<Hs...> children, bool return_exceptions)
        : children_(std::move(children)),
          core_(std::apply([](const Hs&... h) { return std::vector<FutureCore*>{h.core()...}; },
                           children_),
                return_exceptions) {
        core_.start();
    }

    [[nodiscard]] bool await_ready() const noexcept { return core_.ready(); }
    void await_suspend(std::coroutine_handle<> h) { core_.suspend(h); }
    value_type await_resume() {
        core_.check();
        return std::apply(
            [](const Hs&... h) {
                if constexpr (Outcomes) {
                    return value_type(take_outcome(h)...);
                } else {
                    return value_type(take_value(h)...);
                }
            },
            children_);
    }

private:
    std::tuple<Hs...> children_;
    GatherCore core_;
};

} // namespace detail

/// Runs the tasks (or futures, or coroutines made into tasks) concurrently; awaiting the result
/// gives their values in the same order, or raises the first exception at once (the others go
/// on running). Cancel safety: cancelling the awaiting task cancels every child, then raises
/// CancelledError once they are done.
template <class A>
requires requires {
    typename detail::awaitable_task_t<A>;
}
auto gather(std::vector<A> aws) {
    using H = detail::awaitable_task_t<A>;
    std::vector<H> children;
    children.reserve(aws.size());
    for (auto& a : aws) {
        children.push_back(detail::AwaitableTask<A>::make(std::move(a)));
    }
    return detail::GatherVector<H, false>(std::move(children), false);
}

/// gather() with return_exceptions: each result is an Outcome, a value or an exception.
template <class A>
requires requires {
    typename detail::awaitable_task_t<A>;
}
auto gather(GatherOptions options, std::vector<A> aws) {
    using H = detail::awaitable_task_t<A>;
    std::vector<H> children;
    children.reserve(aws.size());
    for (auto& a : aws) {
        children.push_back(detail::AwaitableTask<A>::make(std::move(a)));
    }
    return detail::GatherVector<H, true>(std::move(children), options.return_exceptions);
}

/// gather(a, b, c): awaitables of different types; the result is a tuple in argument order
/// (std::monostate for void).
template <class... As>
requires(sizeof...(As) > 0 &&
         (requires { typename detail::awaitable_task_t<As>; } && ...)) auto gather(As&&... aws) {
    return detail::GatherTuple<false, detail::awaitable_task_t<As>...>(
        // Braces: the children start in argument order, as Python's gather starts them.
        std::tuple<detail::awaitable_task_t<As>...>{
            detail::AwaitableTask<std::decay_t<As>>::make(std::forward<As>(aws))...},
        false);
}

/// gather(options, a, b, c) with return_exceptions: a tuple of Outcomes.
template <class... As>
requires(sizeof...(As) > 0 && (requires { typename detail::awaitable_task_t<As>; } &&
                               ...)) auto gather(GatherOptions options, As&&... aws) {
    return detail::GatherTuple<true, detail::awaitable_task_t<As>...>(
        // Braces: the children start in argument order, as Python's gather starts them.
        std::tuple<detail::awaitable_task_t<As>...>{
            detail::AwaitableTask<std::decay_t<As>>::make(std::forward<As>(aws))...},
        options.return_exceptions);
}

} // namespace concur::asyncio
