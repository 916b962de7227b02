// concurrent.futures.Executor: submit calls, map a function over inputs, shut down.
#pragma once

#include <exception>
#include <functional>
#include <iterator>
#include <ranges>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "concur/core/timeout.hpp"
#include "concur/futures/detail/future_state.hpp"
#include "concur/futures/future.hpp"
#include "concur/futures/map_results.hpp"

namespace concur::futures {

/// Python's keyword arguments of Executor.map.
struct MapOptions {
    /// The time allowed for all results, counted from the call to map; nullopt: no limit.
    Timeout timeout = std::nullopt;
    /// Inputs per task. Process pools send them together; thread pools ignore it, as Python's.
    int chunksize = 1;
};

namespace detail {

/// A call and its arguments, invoked once with the arguments moved in (as std::async does).
template <class Fn, class... Args>
struct BoundCall {
    [[no_unique_address]] Fn fn;
    [[no_unique_address]] std::tuple<Args...> args;
    decltype(auto) operator()() { return std::apply(std::move(fn), std::move(args)); }
};

template <class F, class... Args>
using call_result_t = std::invoke_result_t<std::decay_t<F>, std::decay_t<Args>...>;

} // namespace detail

/// The executor interface (Python's concurrent.futures.Executor). Derived executors decide
/// where calls run by implementing schedule() and shutdown().
class Executor {
public:
    Executor() = default;
    Executor(const Executor&) = delete;
    Executor& operator=(const Executor&) = delete;
    virtual ~Executor() = default;

    /// Schedules `fn(args...)` and returns a Future for its result. Arguments are copied (or
    /// moved) into the call, as std::async does: pass std::ref(x) to share an object. Throws
    /// RuntimeError after shutdown, and BrokenExecutor if the executor is broken.
    template <class F, class... Args>
    requires std::is_invocable_v<std::decay_t<F>, std::decay_t<Args>...>
    auto submit(F&& fn, Args&&... args) -> Future<detail::call_result_t<F, Args...>> {
        using R = detail::call_result_t<F, Args...>;
        using Call = detail::BoundCall<std::decay_t<F>, std::decay_t<Args>...>;
        auto* state = new detail::TaskState<R, Call>(Call{
            std::forward<F>(fn), std::tuple<std::decay_t<Args>...>(std::forward<Args>(args)...)});
        // The state has two references: the handle's and the executor's (released after run()
        // or drop()).
        Future<R> future = detail::adopt(state);
        try {
            schedule(state);
        } catch (...) {
            state->drop(nullptr);
            state->release();
            throw;
        }
        return future;
    }

    /// Calls fn on every input (zipping several iterables, stopping at the shortest) and
    /// returns the results lazily, in input order. Every call is submitted before map returns.
    template <class F, class... Ranges>
    requires(sizeof...(Ranges) >= 1 &&
             (std::ranges::input_range<Ranges> && ...)) auto map(F&& fn, Ranges&&... iterables) {
        return map_impl(MapOptions{}, fn, std::forward<Ranges>(iterables)...);
    }
    template <class F, class Range>
    requires std::ranges::input_range<Range>
    auto map(F&& fn, Range&& iterable, MapOptions options) {
        return map_impl(options, fn, std::forward<Range>(iterable));
    }
    template <class F, class Range1, class Range2>
    requires(std::ranges::input_range<Range1>&& std::ranges::input_range<Range2>) auto map(
        F&& fn, Range1&& first, Range2&& second, MapOptions options) {
        return map_impl(options, fn, std::forward<Range1>(first), std::forward<Range2>(second));
    }

    /// Stops accepting work and frees the executor's resources once pending calls are done.
    /// `wait`: return only when they are. `cancel_futures`: cancel the calls not yet started.
    /// Safe to call more than once; the destructor calls shutdown(true).
    virtual void shutdown(bool wait = true, bool cancel_futures = false) = 0;

protected:
    /// Queues `work` (on which the executor later calls run() or drop(), then release()).
    /// Throws, without taking `work`, if the executor accepts no more work.
    virtual void schedule(detail::FutureStateBase* work) = 0;

private:
    template <class F, class... Ranges>
    auto map_impl(MapOptions options, F& fn, Ranges&&... iterables) {
        using R = detail::call_result_t<F&, std::ranges::range_reference_t<Ranges>...>;
        const Deadline deadline = Deadline::after(options.timeout);
        std::vector<Future<R>> futures;
        if constexpr (sizeof...(Ranges) == 1 && (std::ranges::sized_range<Ranges> && ...)) {
            futures.reserve(static_cast<std::size_t>(std::ranges::size(iterables...)));
        }
        auto its = std::make_tuple(std::ranges::begin(iterables)...);
        const auto ends = std::make_tuple(std::ranges::end(iterables)...);
        auto at_end = [&]<std::size_t... I>(std::index_sequence<I...>) {
            return ((std::get<I>(its) == std::get<I>(ends)) || ...);
        };
        auto next = [&]<std::size_t... I>(std::index_sequence<I...>) {
            futures.push_back(submit(fn, *std::get<I>(its)...));
            (++std::get<I>(its), ...);
        };
        constexpr auto seq = std::index_sequence_for<Ranges...>{};
        while (!at_end(seq)) {
            next(seq);
        }
        return MapResults<R>(std::move(futures), deadline);
    }
};

} // namespace concur::futures
