// multiprocessing.Pool: a pool of worker processes with apply, map and their variants.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "concur/core/generator.hpp"
#include "concur/multiprocessing/async_result.hpp"
#include "concur/multiprocessing/context.hpp"
#include "concur/multiprocessing/detail/call.hpp"
#include "concur/multiprocessing/detail/pool_completions.hpp"
#include "concur/multiprocessing/detail/remote_exception.hpp"
#include "concur/multiprocessing/detail/worker_pool.hpp"
#include "concur/multiprocessing/exceptions.hpp"

namespace concur::multiprocessing {

/// Python's keyword arguments of Pool(): `Pool pool({.processes = 4});`.
struct PoolOptions {
    /// The number of worker processes; default cpu_count(). Must be >= 1.
    std::optional<int> processes = std::nullopt;
    /// Calls a worker runs before it is replaced by a fresh one; 0: no limit.
    int maxtasksperchild = 0;
    /// The start method's context; default the default start method.
    std::optional<Context> context = std::nullopt;
};

/// Python's keyword arguments of apply_async(), map_async() and starmap_async().
template <class T>
struct AsyncOptions {
    /// Calls per message for the map forms; default len / (4 * processes), rounded up.
    std::optional<int> chunksize = std::nullopt;
    /// Called with the result when it arrives (in the pool's result thread).
    std::function<void(T&)> callback = {};
    /// Called with the exception if the call fails.
    std::function<void(std::exception_ptr)> error_callback = {};
};

/// A pool of worker processes (Python's multiprocessing.Pool). Functions, arguments and results
/// cross processes serialised (see reduction.hpp). A worker that dies breaks the pool: its
/// calls and every later one fail with BrokenProcessPool. The destructor is terminate(), as
/// Python's `with Pool() as pool:` is.
class Pool {
    template <class Range>
    using item_t = std::remove_cvref_t<std::ranges::range_reference_t<Range>>;

public:
    /// ValueError if processes < 1 or maxtasksperchild < 0.
    explicit Pool(PoolOptions options = {}) : Pool(std::move(options), std::string()) {}

    /// With an initializer each worker runs first (Python's initializer=, initargs=).
    template <class F, class... Args>
    Pool(PoolOptions options, F initializer, Args... initargs)
        : Pool(std::move(options), message(initializer, initargs...)) {}

    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;
    ~Pool() { terminate(); }

    /// fn(args...) in a worker; blocks until the result is ready (Python's apply).
    template <class F, class... Args>
    auto apply(F fn, Args... args) {
        return std::move(apply_async(fn, std::move(args)...).get());
    }

    /// fn(args...) in a worker; the AsyncResult takes the result.
    template <class F, class... Args>
    auto apply_async(F fn, Args... args) {
        using V = detail::chunk_value_t<detail::remote_result_t<F, Args...>>;
        return apply_async(AsyncOptions<V>{}, fn, std::move(args)...);
    }
    template <class F, class... Args>
    auto
    apply_async(AsyncOptions<detail::chunk_value_t<detail::remote_result_t<F, Args...>>> options,
                F fn, Args... args) {
        using R = detail::remote_result_t<F, Args...>;
        using V = detail::chunk_value_t<R>;
        auto state = std::make_shared<detail::ResultState<V>>(std::move(options.callback),
                                                              std::move(options.error_callback));
        std::string text;
        detail::dump_call(text, fn, args...);
        submit(text, new detail::ApplyCompletion<R>(state));
        return AsyncResult<V>(std::move(state));
    }

    /// fn over the inputs in the workers, `chunksize` calls per message; blocks and returns the
    /// results in input order (Python's map). The first exception of a call is rethrown.
    template <class F, class Range>
    requires std::ranges::input_range<Range>
    auto map(F fn, Range&& inputs, std::optional<int> chunksize = std::nullopt) {
        return std::move(
            map_async(fn, std::forward<Range>(inputs), {.chunksize = chunksize}).get());
    }

    template <class F, class Range>
    requires std::ranges::input_range<Range>
    auto map_async(
        F fn, Range&& inputs,
        AsyncOptions<std::vector<detail::chunk_value_t<detail::remote_result_t<F, item_t<Range>>>>>
            options = {}) {
        return map_impl<item_t<Range>>(fn, std::forward<Range>(inputs), std::move(options));
    }

    /// map for functions of several arguments: each input is a tuple of them.
    template <class F, class Range>
    requires std::ranges::input_range<Range>
    auto starmap(F fn, Range&& inputs, std::optional<int> chunksize = std::nullopt) {
        return std::move(
            starmap_async(fn, std::forward<Range>(inputs), {.chunksize = chunksize}).get());
    }

    template <class F, class Range>
    requires std::ranges::input_range<Range>
    auto
    starmap_async(F fn, Range&& inputs,
                  AsyncOptions<std::vector<detail::star_value_t<F, item_t<Range>>>> options = {}) {
        return star_impl(fn, std::forward<Range>(inputs), std::move(options),
                         static_cast<item_t<Range>*>(nullptr));
    }

    /// A lazy map (Python's imap): results in input order as they arrive.
    template <class F, class Range>
    requires std::ranges::input_range<Range>
    auto imap(F fn, Range&& inputs, int chunksize = 1) {
        return imap_impl<item_t<Range>>(fn, std::forward<Range>(inputs), chunksize, true);
    }

    /// Like imap, but results in the order they finish (Python's imap_unordered).
    template <class F, class Range>
    requires std::ranges::input_range<Range>
    auto imap_unordered(F fn, Range&& inputs, int chunksize = 1) {
        return imap_impl<item_t<Range>>(fn, std::forward<Range>(inputs), chunksize, false);
    }

    /// No more work; the workers exit once the submitted calls are done.
    void close();
    /// Stops the workers at once; results not yet in fail with ProcessError.
    void terminate();
    /// Waits for the workers to exit; ValueError unless close() or terminate() came first.
    /// False if `timeout` passed first.
    bool join(Timeout timeout = std::nullopt);

    /// The number of worker processes.
    [[nodiscard]] int processes() const noexcept;

private:
    Pool(PoolOptions options, std::string initializer);

    template <class F, class... Args>
    static std::string message(const F& fn, const Args&... args) {
        std::string text;
        detail::dump_call(text, fn, args...);
        return text;
    }

    void submit(std::string_view text, detail::Completion* done);
    std::size_t default_chunksize(std::size_t n) const;

    template <class Range>
    static auto materialise(Range&& inputs) {
        return std::vector<item_t<Range>>(std::ranges::begin(inputs), std::ranges::end(inputs));
    }

    template <class... Args, class F, class Items, class V>
    AsyncResult<std::vector<V>> chunked(F& fn, Items& items, std::optional<int> chunksize,
                                        AsyncOptions<std::vector<V>>& options) {
        const std::size_t size =
            chunksize ? static_cast<std::size_t>(*chunksize) : default_chunksize(items.size());
        if (chunksize && *chunksize < 1) {
            throw ValueError("Chunksize must be 1+, not " + std::to_string(*chunksize));
        }
        auto state = std::make_shared<detail::ResultState<std::vector<V>>>(
            std::move(options.callback), std::move(options.error_callback));
        auto gather = std::make_shared<detail::MapGather<V>>(state, items.size());
        std::size_t offset = 0;
        detail::for_each_chunk<Args...>(fn, items, size, [&](std::string_view text, std::size_t n) {
            submit(text, new detail::MapChunk<V>(gather, offset, n));
            offset += n;
        });
        if (items.empty()) {
            state->set_value({});
        }
        return AsyncResult<std::vector<V>>(std::move(state));
    }

    template <class Arg, class F, class Range, class V>
    AsyncResult<std::vector<V>> map_impl(F& fn, Range&& inputs,
                                         AsyncOptions<std::vector<V>> options) {
        auto items = materialise(std::forward<Range>(inputs));
        return chunked<Arg>(fn, items, options.chunksize, options);
    }

    template <class F, class Range, class V, class... Args>
    AsyncResult<std::vector<V>> star_impl(F& fn, Range&& inputs,
                                          AsyncOptions<std::vector<V>> options,
                                          std::tuple<Args...>* /*tag*/) {
        auto items = materialise(std::forward<Range>(inputs));
        return chunked<Args...>(fn, items, options.chunksize, options);
    }

    template <class Arg, class F, class Range>
    auto imap_impl(F& fn, Range&& inputs, int chunksize, bool ordered) {
        using V = detail::chunk_value_t<detail::remote_result_t<F, Arg>>;
        if (chunksize < 1) {
            throw ValueError("Chunksize must be 1+, not " + std::to_string(chunksize));
        }
        auto stream = std::make_shared<detail::ChunkStream<V>>();
        detail::for_each_chunk<Arg>(fn, std::forward<Range>(inputs),
                                    static_cast<std::size_t>(chunksize),
                                    [&](std::string_view text, std::size_t n) {
                                        const std::size_t index = stream->add();
                                        submit(text, new detail::StreamChunk<V>(stream, index, n));
                                    });
        return ordered ? stream->in_order() : stream->as_finished();
    }

    std::unique_ptr<detail::WorkerPool> pool_;
    std::mutex mutex_;
    bool running_ = true; // guarded by mutex_
};

} // namespace concur::multiprocessing
