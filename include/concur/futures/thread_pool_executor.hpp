// concurrent.futures.ThreadPoolExecutor: run calls on a pool of threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "concur/core/unique_function.hpp"
#include "concur/futures/exceptions.hpp"
#include "concur/futures/executor.hpp"

namespace concur::futures {

namespace detail {
class ThreadPoolCore;
} // namespace detail

/// Python's keyword arguments of ThreadPoolExecutor:
/// `ThreadPoolExecutor ex({.max_workers = 8, .thread_name_prefix = "dl"});`
struct ThreadPoolOptions {
    /// The most threads the pool starts; default min(32, cpu_count + 4). Must be > 0.
    std::optional<int> max_workers = std::nullopt;
    /// Worker names are "<prefix>_<n>"; default prefix "ThreadPoolExecutor-<k>".
    std::string thread_name_prefix = {};
    /// Called at the start of each worker thread; if it throws, the pool is broken.
    UniqueFunction<void()> initializer = {};
};

/// An Executor running calls on up to max_workers threads (Python's ThreadPoolExecutor).
/// Threads start on demand, an idle one is reused before a new one starts, and they are
/// named after thread_name_prefix. The destructor is shutdown(wait=true), as `with` is.
class ThreadPoolExecutor final : public Executor {
public:
    /// ValueError if max_workers <= 0.
    explicit ThreadPoolExecutor(ThreadPoolOptions options = {});

    /// With an initializer and its arguments (Python's initializer=, initargs=).
    template <class F, class... Args>
    requires std::is_invocable_v < std::decay_t<F>
    &, std::decay_t<Args>&... >
           ThreadPoolExecutor(ThreadPoolOptions options, F&& initializer, Args&&... initargs)
        : ThreadPoolExecutor(with_initializer(std::move(options), std::forward<F>(initializer),
                                              std::forward<Args>(initargs)...)) {}

    ~ThreadPoolExecutor() override;

    void shutdown(bool wait = true, bool cancel_futures = false) override;

    /// The most threads this pool runs.
    [[nodiscard]] int max_workers() const noexcept;

protected:
    void schedule(detail::FutureStateBase* work) override;

private:
    template <class F, class... Args>
    static ThreadPoolOptions with_initializer(ThreadPoolOptions options, F&& fn, Args&&... args) {
        options.initializer = [fn = std::decay_t<F>(std::forward<F>(fn)),
                               ... xs = std::decay_t<Args>(std::forward<Args>(args))]() mutable {
            std::invoke(fn, xs...);
        };
        return options;
    }

    std::shared_ptr<detail::ThreadPoolCore> core_;
};

} // namespace concur::futures
