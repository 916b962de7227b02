// concurrent.futures.ProcessPoolExecutor: run calls in a pool of worker processes.
#pragma once

#include <cstdint>
#include <cstring>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "concur/futures/chunked_results.hpp"
#include "concur/futures/exceptions.hpp"
#include "concur/futures/executor.hpp"
#include "concur/multiprocessing/context.hpp"
#include "concur/multiprocessing/detail/call.hpp"
#include "concur/multiprocessing/detail/remote_exception.hpp"
#include "concur/multiprocessing/detail/worker_pool.hpp"
#include "concur/multiprocessing/exceptions.hpp"

namespace concur::futures {

/// A worker process died, or a worker's initializer failed: pending and new calls fail with
/// this (Python's concurrent.futures.process.BrokenProcessPool).
using multiprocessing::BrokenProcessPool;

/// Python's keyword arguments of ProcessPoolExecutor.
struct ProcessPoolOptions {
    /// The number of worker processes; default cpu_count(). Must be > 0.
    std::optional<int> max_workers = std::nullopt;
    /// The start method's context (multiprocessing::get_context("spawn")); default the
    /// default start method.
    std::optional<multiprocessing::Context> mp_context = std::nullopt;
    /// Calls a worker runs before it is replaced by a new one; 0: no limit.
    int max_tasks_per_child = 0;
};

namespace detail {

/// The future of work sent to a pool's worker processes, and the receiver of its answer. A
/// thread waiting on it reads the pool's answers itself (help()).
template <class T>
class ProcessFutureState : public FutureState<T>, public multiprocessing::detail::Completion {
public:
    // Two references: the handle's and the pool's.
    explicit ProcessFutureState(std::shared_ptr<multiprocessing::detail::WorkerPoolCore> pool)
        : FutureState<T>(2), pool_(std::move(pool)) {}

    void help(const Deadline& deadline) const noexcept override {
        multiprocessing::detail::help_collect(
            *pool_,
            [](const void* self) { return static_cast<const ProcessFutureState*>(self)->done(); },
            this, deadline);
    }
    void finish(bool ok, std::string_view payload) noexcept override {
        if (!ok) {
            this->set_exception(multiprocessing::detail::load_exception(payload));
        } else {
            try {
                store(payload);
            } catch (...) {
                this->set_exception(std::current_exception());
            }
        }
        this->release();
    }
    void fail(std::exception_ptr error) noexcept override {
        this->set_exception(std::move(error));
        this->release();
    }
    void abandon() noexcept override { this->cancel(); }

protected:
    /// Reads the answer's value and completes the future with it.
    virtual void store(std::string_view payload) = 0;

private:
    std::shared_ptr<multiprocessing::detail::WorkerPoolCore> pool_;
};

/// The future of one call.
template <class R>
class ProcessCallState final : public ProcessFutureState<R> {
public:
    using ProcessFutureState<R>::ProcessFutureState;

private:
    void store(std::string_view payload) override {
        if constexpr (std::is_void_v<R>) {
            this->set_value();
        } else {
            this->set_value(multiprocessing::detail::load_result<R>(payload));
        }
    }
};

/// The future of a chunk of map calls: their results in order.
template <class V>
class ProcessChunkState final : public ProcessFutureState<std::vector<V>> {
public:
    ProcessChunkState(std::shared_ptr<multiprocessing::detail::WorkerPoolCore> pool, std::size_t n)
        : ProcessFutureState<std::vector<V>>(std::move(pool)), n_(n) {}

private:
    void store(std::string_view payload) override {
        this->set_value(multiprocessing::detail::load_chunk<V>(payload, n_));
    }
    std::size_t n_;
};

} // namespace detail

/// An Executor running calls in worker processes (Python's ProcessPoolExecutor). Calls,
/// arguments and results are serialised (cereal): the call is a function, a captureless lambda
/// or a serialisable callable. A worker that dies breaks the pool (BrokenProcessPool). The
/// destructor is shutdown(wait=true), as `with` is.
class ProcessPoolExecutor final : public Executor {
public:
    /// ValueError if max_workers <= 0.
    explicit ProcessPoolExecutor(ProcessPoolOptions options = {});

    /// With an initializer run first in each worker (Python's initializer=, initargs=); if it
    /// throws, the pool is broken.
    template <class F, class... Args>
    ProcessPoolExecutor(ProcessPoolOptions options, F initializer, Args... initargs)
        : ProcessPoolExecutor(std::move(options), initializer_message(initializer, initargs...)) {}

    ~ProcessPoolExecutor() override;

    /// Schedules `fn(args...)` in a worker; the Future takes its result. Throws RuntimeError
    /// after shutdown and BrokenProcessPool once broken. cancel() succeeds until the result
    /// has arrived; the call itself may still run in its worker.
    template <class F, class... Args>
    requires std::is_invocable_v<F&, Args&...>
    auto submit(F fn, Args... args)
        -> Future<multiprocessing::detail::remote_result_t<F, Args...>> {
        using R = multiprocessing::detail::remote_result_t<F, Args...>;
        static_assert(multiprocessing::must_be_picklable<R>::value);
        std::string message;
        multiprocessing::detail::dump_call(message, fn, args...);
        auto* state = new detail::ProcessCallState<R>(pool_->core());
        Future<R> future = detail::adopt<R>(state);
        try {
            pool_->submit(message, state);
        } catch (...) {
            state->release();
            throw;
        }
        return future;
    }

    /// Calls fn on every input in the workers, `options.chunksize` inputs per message, and
    /// yields the results in input order (Python's map). Every chunk is submitted before map
    /// returns; TimeoutError once options.timeout, counted from the call, has passed.
    template <class F, class Range>
    requires std::ranges::input_range<Range>
    auto map(F fn, Range&& inputs, MapOptions options = {}) {
        using Arg = std::remove_cvref_t<std::ranges::range_reference_t<Range>>;
        using R = multiprocessing::detail::remote_result_t<F, Arg>;
        using V = std::conditional_t<std::is_void_v<R>, std::monostate, R>;
        if (options.chunksize < 1) {
            throw ValueError("chunksize must be >= 1.");
        }
        const Deadline deadline = Deadline::after(options.timeout);
        std::vector<Future<std::vector<V>>> chunks;
        multiprocessing::detail::for_each_chunk<Arg>(
            fn, std::forward<Range>(inputs), static_cast<std::size_t>(options.chunksize),
            [&](std::string_view message, std::size_t n) {
                auto* state = new detail::ProcessChunkState<V>(pool_->core(), n);
                chunks.push_back(detail::adopt<std::vector<V>>(state));
                try {
                    pool_->submit(message, state);
                } catch (...) {
                    state->release();
                    throw;
                }
            });
        return ChunkedResults<V>(std::move(chunks), deadline);
    }

    void shutdown(bool wait = true, bool cancel_futures = false) override;

    /// The number of worker processes.
    [[nodiscard]] int max_workers() const noexcept;

protected:
    /// Calls reach the workers through submit() and map() of this class, which serialise them.
    void schedule(detail::FutureStateBase* work) override;

private:
    ProcessPoolExecutor(ProcessPoolOptions options, std::string initializer);

    template <class F, class... Args>
    static std::string initializer_message(const F& fn, const Args&... args) {
        std::string message;
        multiprocessing::detail::dump_call(message, fn, args...);
        return message;
    }

    std::unique_ptr<multiprocessing::detail::WorkerPool> pool_;
};

} // namespace concur::futures
