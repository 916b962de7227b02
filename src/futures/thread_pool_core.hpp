// The machinery of ThreadPoolExecutor: the queue, the workers, and how idle workers park.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "concur/core/unique_function.hpp"
#include "concur/threading/thread.hpp"
#include "work_queue.hpp"

namespace concur::futures::detail {

class ThreadPoolCore : public std::enable_shared_from_this<ThreadPoolCore> {
public:
    ThreadPoolCore(int max_workers, std::string prefix, UniqueFunction<void()> initializer);

    /// Queues `work` and makes sure a worker will take it; throws if closed or broken.
    void submit(FutureStateBase* work);

    /// Closes the pool to new work, optionally cancels what is queued, lets the workers finish
    /// and exit, and (with `wait`) joins them.
    void shutdown(bool wait, bool cancel_futures);

    [[nodiscard]] int max_workers() const noexcept { return max_workers_; }

private:
    void worker_main();
    void run_worker_loop();
    void spawn_worker();
    // reuse_wait: a submit's notify, which waits briefly for a busy worker to come back before
    // starting a thread; the hand-off between workers starts one at once.
    void notify(bool reuse_wait = false);
    bool worker_comes_back() noexcept;
    void wake_one() noexcept;
    void wake_all() noexcept;
    void park() noexcept;
    void drain(const std::exception_ptr& exc) noexcept;
    void break_pool();

    WorkQueue queue_; // also the gate: closing it refuses submits
    // Workers awake and looking for work (spinning, or woken and not yet busy), and workers
    // parked or about to park. A push wakes a sleeper only when nobody is searching.
    alignas(64) std::atomic<std::uint32_t> searching_{0};
    std::atomic<std::uint32_t> sleepers_{0};
    // Wake permits: the futex word parked workers sleep on.
    alignas(64) std::atomic<std::uint32_t> permits_{0};
    std::atomic<bool> stopping_{false};
    std::atomic<int> num_threads_{0};

    const int max_workers_;
    const std::string prefix_;
    UniqueFunction<void()> initializer_;

    std::mutex mutex_; // guards threads_ and the start of new workers
    std::vector<threading::Thread> threads_;
};

} // namespace concur::futures::detail
