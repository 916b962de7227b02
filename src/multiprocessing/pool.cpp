#include "concur/multiprocessing/pool.hpp"

namespace concur::multiprocessing {

namespace {
detail::WorkerPoolOptions worker_options(const PoolOptions& options, std::string initializer) {
    const int processes = options.processes.value_or(cpu_count());
    if (processes < 1) {
        throw ValueError("Number of processes must be at least 1");
    }
    if (options.maxtasksperchild < 0) {
        throw ValueError("maxtasksperchild must be a positive int or None");
    }
    return {.processes = processes,
            .start_method = options.context ? options.context->start_method : "",
            .initializer = std::move(initializer),
            .max_tasks_per_child = options.maxtasksperchild,
            .name_prefix = "PoolWorker"};
}
} // namespace

Pool::Pool(PoolOptions options, std::string initializer)
    : pool_(std::make_unique<detail::WorkerPool>(worker_options(options, std::move(initializer)))) {
}

void Pool::submit(std::string_view text, detail::Completion* done) {
    {
        std::lock_guard lock(mutex_);
        if (!running_) {
            done->fail(std::make_exception_ptr(ValueError("Pool not running")));
            throw ValueError("Pool not running");
        }
    }
    try {
        pool_->submit(text, done);
    } catch (...) {
        done->fail(std::current_exception());
        throw;
    }
}

std::size_t Pool::default_chunksize(std::size_t n) const {
    const std::size_t per = static_cast<std::size_t>(pool_->processes()) * 4;
    return std::max<std::size_t>(1, n / per + (n % per != 0 ? 1 : 0));
}

void Pool::close() {
    std::lock_guard lock(mutex_);
    running_ = false;
    pool_->shutdown(false);
}

void Pool::terminate() {
    {
        std::lock_guard lock(mutex_);
        running_ = false;
    }
    pool_->terminate(std::make_exception_ptr(ProcessError("the pool was terminated")));
}

bool Pool::join(Timeout timeout) {
    {
        std::lock_guard lock(mutex_);
        if (running_) {
            throw ValueError("Pool is still running");
        }
    }
    return pool_->join(Deadline::after(timeout));
}

int Pool::processes() const noexcept {
    return pool_->processes();
}

} // namespace concur::multiprocessing
