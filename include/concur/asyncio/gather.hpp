// asyncio.gather: run awaitables concurrently and collect their results in argument order.
#pragma once

#include <array>
#include <coroutine>
#include <cstddef>
#include <cstdint>
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
#include "concur/core/exceptions.hpp"
#include "concur/core/outcome.hpp"

namespace concur::asyncio {

/// Python's keyword arguments of gather().
struct GatherOptions {
    /// Return each failure as an Outcome holding the exception instead of raising the first.
    bool return_exceptions = false;
};

namespace detail {

/// The type-independent core of a gather: registered on every child (no node per child: each
/// child keeps the gather and its index), counting them down.
/// Python's semantics: the first exception (or a child's cancellation) is raised at once unless
/// return_exceptions, without cancelling the others; cancelling the gather cancels every child
/// and raises CancelledError once they are all done.
class GatherCore : public Suspension, public IndexedWaiter {
public:
    GatherCore(std::size_t size, bool return_exceptions);
    GatherCore(const GatherCore&) = delete;
    GatherCore& operator=(const GatherCore&) = delete;

    /// True if no suspension is needed (no children, or all done and nothing to wait for).
    [[nodiscard]] bool ready() const noexcept;
    /// Suspends the current task until the gather may resume it.
    void suspend(std::coroutine_handle<> h);
    /// On resumption: raises CancelledError or the first error as Python's gather would.
    void check();

    bool cancel_suspension(const std::string* message) override;
    void on_done_at(std::uint32_t index, FutureCore& child) noexcept override;

protected:
    ~GatherCore() = default;

    /// Takes child `index` (in order, from 0): registers on it, or takes its outcome now if it
    /// is done. ValueError if it belongs to another loop than the children before it. Called
    /// by the derived constructor, once it can take deliver() calls.
    void attach(std::size_t index, FutureCore* child);
    /// Stops waiting on the children not done; the derived destructor calls it while it still
    /// holds them.
    void detach() noexcept;

    /// Child `index`, or null once the derived part let it go.
    [[nodiscard]] virtual FutureCore* child(std::size_t index) const noexcept = 0;
    /// A child is done: take what is needed of it now, while its state is warm in the cache.
    /// The default keeps nothing; results are read from the children at the end.
    virtual void deliver(std::size_t /*index*/, FutureCore& /*child*/) noexcept {}

private:
    void wake() noexcept;

    std::size_t attached_ = 0;
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
/// outcome) is taken as it completes, straight into the result vector, and the child released
/// then: with many children, their memory is passed over as few times as possible.
template <class H, bool Outcomes>
class GatherVector final : public GatherCore {
public:
    using value_type = std::conditional_t<Outcomes, Outcome<awaitable_value_t<H>>,
                                          gather_value_t<awaitable_value_t<H>>>;

    GatherVector(std::vector<H> children, bool return_exceptions)
        : GatherCore(children.size(), return_exceptions), children_(std::move(children)),
          results_(children_.size()) {
        if (children_.size() > std::uint32_t(-1)) {
            throw ValueError("gather() of more than 2**32 - 1 awaitables");
        }
        for (std::size_t i = 0; i < children_.size(); ++i) {
            attach(i, children_[i].core());
        }
    }
    GatherVector(const GatherVector&) = delete;
    GatherVector& operator=(const GatherVector&) = delete;
    ~GatherVector() { detach(); }

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
    [[nodiscard]] FutureCore* child(std::size_t i) const noexcept override {
        return children_[i].core();
    }

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
        children_[i].release_state()->release(); // the child's memory may go now, while warm
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

    std::vector<H> children_;
    std::vector<Slot> results_;
};

/// The awaitable gather() returns over several awaitables of different types.
template <bool Outcomes, class... Hs>
class GatherTuple final : public GatherCore {
public:
    using value_type = std::conditional_t<Outcomes, std::tuple<Outcome<awaitable_value_t<Hs>>...>,
                                          std::tuple<gather_value_t<awaitable_value_t<Hs>>...>>;

    GatherTuple(std::tuple<Hs...> children, bool return_exceptions)
        : GatherCore(sizeof...(Hs), return_exceptions), children_(std::move(children)),
          cores_(std::apply(
              [](const Hs&... h) { return std::array<FutureCore*, sizeof...(Hs)>{h.core()...}; },
              children_)) {
        for (std::size_t i = 0; i < cores_.size(); ++i) {
            attach(i, cores_[i]);
        }
    }
    GatherTuple(const GatherTuple&) = delete;
    GatherTuple& operator=(const GatherTuple&) = delete;
    ~GatherTuple() { detach(); }

    [[nodiscard]] bool await_ready() const noexcept { return ready(); }
    void await_suspend(std::coroutine_handle<> h) { suspend(h); }
    value_type await_resume() {
        check();
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

protected:
    [[nodiscard]] FutureCore* child(std::size_t i) const noexcept override { return cores_[i]; }

private:
    std::tuple<Hs...> children_;
    std::array<FutureCore*, sizeof...(Hs)> cores_;
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
