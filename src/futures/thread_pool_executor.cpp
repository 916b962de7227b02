#include "concur/futures/thread_pool_executor.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "concur/core/exceptions.hpp"
#include "concur/threading/thread.hpp"
#include "thread_pool_core.hpp"

namespace concur::futures {

namespace {

// Pools alive now, so that the exit rule can ask them to finish before joining their workers
// (Python's _python_exit). Never destroyed: it runs during exit.
struct LivePools {
    std::mutex mutex;
    std::set<std::weak_ptr<detail::ThreadPoolCore>, std::owner_less<>> pools;
};

LivePools& live_pools() {
    static auto* instance = [] {
        auto* pools = new LivePools();
        threading::register_atexit([pools] {
            std::vector<std::shared_ptr<detail::ThreadPoolCore>> alive;
            {
                std::lock_guard lock(pools->mutex);
                for (const auto& weak : pools->pools) {
                    if (auto pool = weak.lock()) {
                        alive.push_back(std::move(pool));
                    }
                }
            }
            for (auto& pool : alive) {
                pool->shutdown(false, false); // finish queued work; the exit rule joins
            }
        });
        return pools;
    }();
    return *instance;
}

std::string default_prefix() {
    static std::atomic<int> counter{0};
    return "ThreadPoolExecutor-" + std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
}

int default_max_workers() {
    const int cpus = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    return std::min(32, cpus + 4);
}

} // namespace

ThreadPoolExecutor::ThreadPoolExecutor(ThreadPoolOptions options) {
    const int max_workers = options.max_workers.value_or(default_max_workers());
    if (max_workers <= 0) {
        throw ValueError("max_workers must be greater than 0");
    }
    std::string prefix = options.thread_name_prefix.empty() ? default_prefix()
                                                            : std::move(options.thread_name_prefix);
    core_ = std::make_shared<detail::ThreadPoolCore>(max_workers, std::move(prefix),
                                                     std::move(options.initializer));
    LivePools& pools = live_pools();
    std::lock_guard lock(pools.mutex);
    pools.pools.insert(core_);
}

ThreadPoolExecutor::~ThreadPoolExecutor() {
    shutdown(true, false);
    LivePools& pools = live_pools();
    std::lock_guard lock(pools.mutex);
    pools.pools.erase(core_);
}

void ThreadPoolExecutor::shutdown(bool wait, bool cancel_futures) {
    core_->shutdown(wait, cancel_futures);
}

int ThreadPoolExecutor::max_workers() const noexcept {
    return core_->max_workers();
}

void ThreadPoolExecutor::schedule(detail::FutureStateBase* work) {
    core_->submit(work);
}

} // namespace concur::futures
