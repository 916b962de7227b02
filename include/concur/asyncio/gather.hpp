// asyncio.gather: run awaitables concurrently and collect their results in argument order.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
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
    /// For `size` children; `owns_children`: attach() hands over a reference to each child,
    /// given up by release_child() or at the end.
    GatherCore(std::size_t size, bool return_exceptions, bool owns_children);
    GatherCore(const GatherCore&) = delete;
    GatherCore& operator=(const GatherCore&) = delete;
    virtual ~GatherCore();

    /// Takes child `index` (in order, from 0): registers on it, or takes its outcome now if it
    /// is done. ValueError if it belongs to another loop than the children before it. Call once
    /// the derived part can take deliver() calls.
    void attach(std::size_t index, FutureCore* child);

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

    /// Child `index`, or null once release_child() gave it up.
    [[nodiscard]] FutureCore* child(std::size_t index) const noexcept {
        return entries_[index].child;
    }
    /// Gives up the reference to a done child: its memory may go now, while it is warm.
    void release_child(std::size_t index) noexcept;

private:
    // One per child, in one array: the waiter on the child, and the child.
    struct Entry final : Waiter {
        GatherCore* owner = nullptr;
        FutureCore* child = nullptr;
        void on_done(FutureCore& done) noexcept override {
            owner->child_done(static_cast<std::size_t>(this - owner->entries_), done);
        }
    };
    void child_done(std::size_t index, FutureCore& child) noexcept;
    void wake() noexcept;

    // Raw storage: an entry is built by attach(), so the array is written once.
    Entry* entries_;
    std::size_t size_;
    std::size_t attached_ = 0;
    EventLoop* loop_ = nullptr; // the children's, recorded before any of them can be released
    PromiseBase* task_ = nullptr;
    std::exception_ptr error_; // the first error, raised without return_exceptions
    std::size_t remaining_;
    bool return_exceptions_;
    bool owns_children_;
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
/// outcome) is taken as it completes, straight into the result vector, and the child released
/// then: with many children, their memory is passed over as few times as possible.
template <class H, bool Outcomes>
class GatherVector final : public GatherCore {
public:
    using value_type = std::conditional_t<Outcomes, Outcome<awaitable_value_t<H>>,
                                          gather_value_t<awaitable_value_t<H>>>;

    GatherVector(std::vector<H> children, bool return_exceptions)
        : GatherCore(children.size(), return_exceptions, true), results_(children.size()) {
        for (std::size_t i = 0; i < children.size(); ++i) {
            attach(i, children[i].release_state()); // the handles' references become ours
        }
    }

    [[nodiscard]] bool await_ready() const noexcept { return ready(); }
    void await_suspend(std::coroutine_handle<> h) { suspend(h); }
    std::vector<value_type> await_resume() {
        check();
        for (std::size_t i = 0; i < results_.size(); ++i) {
            if (FutureCore* c = child(i)) {
                take(i, *c); // its value could not be taken before: this time a throw is raised
            }
        }
        if constexpr (kDirect) {
            return std::move(results_);
        } else {
            std::vector<value_type> results;
            results.reserve(results_.size());
            for (auto& r : results_) {
                results.push_back(std::move(*r));
            }
            return results;
        }
    }

protected:
    void deliver(std::size_t i, FutureCore& child) noexcept override {
        if (!Outcomes && (child.cancelled() || child.has_exception())) {
            return; // raised by check(), or (after the first) marked retrieved
        }
        try {
            take(i, child);
        } catch (...) {
            // a throwing copy: the value stays with the child, taken at the end instead
        }
    }

private:
    // Values that can be default-constructed go straight into the vector returned.
    static constexpr bool kDirect = std::is_default_constructible_v<value_type>;
    using Slot = std::conditional_t<kDirect, value_type, std::optional<value_type>>;

    void take(std::size_t i, FutureCore& child) {
        using State = std::remove_pointer_t<decltype(std::declval<H&>().state())>;
        auto* state = static_cast<State*>(&child);
        if constexpr (Outcomes) {
            if (child.cancelled()) {
                put(i, child.cancelled_error());
            } else if (child.has_exception()) {
                put(i, child.take_exception());
            } else if constexpr (std::is_void_v<awaitable_value_t<H>>) {
                put(i, std::monostate{});
            } else {
                put(i, value_of(*state));
            }
        } else if constexpr (std::is_void_v<awaitable_value_t<H>>) {
            put(i);
        } else {
            put(i, value_of(*state));
        }
        release_child(i);
    }

    template <class... Args>
    void put(std::size_t i, Args&&... args) {
        if constexpr (kDirect) {
            results_[i] = value_type(std::forward<Args>(args)...);
        } else {
            results_[i].emplace(std::forward<Args>(args)...);
        }
    }

    template <class State>
    static auto value_of(State& state) {
        using T = awaitable_value_t<H>;
        if constexpr (std::is_copy_constructible_v<T>) {
            return T(state.value()); // other handles to the child may still read it
        } else {
            return T(std::move(state.value()));
        }
    }

    std::vector<Slot> results_;
};

/// The awaitable gather() returns over several awaitables of different types.
template <bool Outcomes, class... Hs>
class GatherTuple {
public:
    using value_type = std::conditional_t<Outcomes, std::tuple<Outcome<awaitable_value_t<Hs>>...>,
                                          std::tuple<gather_value_t<awaitable_value_t<Hs>>...>>;

    GatherTuple(std::tuple<Hs...> children, bool return_exceptions)
        : children_(std::move(children)), core_(sizeof...(Hs), return_exceptions, false) {
        std::apply(
            [this](const Hs&... h) {
                std::size_t i = 0;
                (core_.attach(i++, h.core()), ...);
            },
            children_);
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

/// The awaitables as tasks or futures (a vector of them is taken as it is).
template <class A>
std::vector<awaitable_task_t<A>> to_handles(std::vector<A> aws) {
    if constexpr (std::is_same_v<awaitable_task_t<A>, A>) {
        return aws;
    } else {
        std::vector<awaitable_task_t<A>> handles;
        handles.reserve(aws.size());
        for (auto& a : aws) {
            handles.push_back(AwaitableTask<A>::make(std::move(a)));
        }
        return handles;
    }
}

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
    return detail::GatherVector<H, false>(detail::to_handles(std::move(aws)), false);
}

/// gather() with return_exceptions: each result is an Outcome, a value or an exception.
template <class A>
requires requires {
    typename detail::awaitable_task_t<A>;
}
auto gather(GatherOptions options, std::vector<A> aws) {
    using H = detail::awaitable_task_t<A>;
    return detail::GatherVector<H, true>(detail::to_handles(std::move(aws)),
                                         options.return_exceptions);
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
