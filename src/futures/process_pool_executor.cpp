#include "concur/futures/process_pool_executor.hpp"

namespace concur::futures {

namespace {
multiprocessing::detail::WorkerPoolOptions pool_options(ProcessPoolOptions& options,
                                                        std::string initializer) {
    const int workers = options.max_workers.value_or(multiprocessing::cpu_count());
    if (workers <= 0) {
        throw ValueError("max_workers must be greater than 0");
    }
    if (options.max_tasks_per_child < 0) {
        throw ValueError("max_tasks_per_child must be >= 1");
    }
    return {.processes = workers,
            .start_method = options.mp_context ? options.mp_context->start_method : "",
            .initializer = std::move(initializer),
            .max_tasks_per_child = options.max_tasks_per_child,
            .name_prefix = "ProcessPoolWorker"};
}
} // namespace

ProcessPoolExecutor::ProcessPoolExecutor(ProcessPoolOptions options)
    : ProcessPoolExecutor(std::move(options), std::string()) {}

ProcessPoolExecutor::ProcessPoolExecutor(ProcessPoolOptions options, std::string initializer)
    : pool_(std::make_unique<multiprocessing::detail::WorkerPool>(
          pool_options(options, std::move(initializer)))) {}

ProcessPoolExecutor::~ProcessPoolExecutor() {
    shutdown(true);
}

void ProcessPoolExecutor::shutdown(bool wait, bool cancel_futures) {
    pool_->shutdown(wait, cancel_futures);
}

int ProcessPoolExecutor::max_workers() const noexcept {
    return pool_->processes();
}

void ProcessPoolExecutor::schedule(detail::FutureStateBase* /*work*/) {
    throw TypeError("ProcessPoolExecutor runs calls it can serialise: call submit() and map() on "
                    "the ProcessPoolExecutor itself, not through Executor&");
}

} // namespace concur::futures
