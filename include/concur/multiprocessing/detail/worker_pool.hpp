// The process pool under Pool and ProcessPoolExecutor: worker processes, each fed through a
// shared-memory ring of calls and answering through another; a manager thread in the parent
// reads the answers, replaces retiring workers, and breaks the pool when one dies.
#pragma once

#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "concur/core/timeout.hpp"

namespace concur::multiprocessing::detail {

/// The receiver of one call's outcome; told exactly once, from the manager thread (or from
/// the thread that breaks or terminates the pool).
class Completion {
public:
    virtual ~Completion() = default;
    /// The call returned (`ok`: `payload` is its serialised result) or threw (`payload` is a
    /// dump_current_exception() record).
    virtual void finish(bool ok, std::string_view payload) noexcept = 0;
    /// The call will never finish: the pool broke or was terminated.
    virtual void fail(std::exception_ptr error) noexcept = 0;
    /// shutdown(cancel_pending): the caller no longer wants the outcome (the call may still
    /// run; its outcome is then dropped). finish() or fail() still follows.
    virtual void abandon() noexcept {}
};

struct WorkerPoolOptions {
    int processes = 0;           // > 0
    std::string start_method;    // empty: the default
    std::string initializer;     // a dump_call() message run first in each worker, or empty
    int max_tasks_per_child = 0; // 0: no limit
    std::string name_prefix = "PoolWorker";
};

class WorkerPoolCore;

/// A running set of worker processes. All members are thread-safe.
class WorkerPool {
public:
    /// Starts the workers; ValueError if processes < 1 or max_tasks_per_child < 0.
    explicit WorkerPool(WorkerPoolOptions options);
    /// terminate() unless shut down, then waits for the manager thread.
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// Sends a dump_call()/chunk message to a worker; `done` is told its outcome. Throws
    /// BrokenProcessPool if broken, RuntimeError after shutdown (then `done` is not told).
    void submit(std::string_view message, Completion* done);

    /// No more submits; workers end after the calls they have. `wait`: return when they have.
    /// `cancel_pending`: abandon() every call not answered yet.
    void shutdown(bool wait, bool cancel_pending = false);

    /// Ends the workers now; calls not finished fail with `error`.
    void terminate(std::exception_ptr error);

    /// Waits for the workers after shutdown() or terminate(); false if the deadline passed.
    bool join(const Deadline& deadline = {});

    [[nodiscard]] bool broken() const;
    [[nodiscard]] int processes() const noexcept;

    /// The pool's state, for help_collect(): shared, so that a waiter may outlive the pool.
    [[nodiscard]] const std::shared_ptr<WorkerPoolCore>& core() const noexcept { return core_; }

private:
    std::shared_ptr<WorkerPoolCore> core_;
};

/// For a thread about to block on a call's outcome: reads the pool's answers itself until
/// `done(context)` holds, the deadline passes or none come for a short while. Returns at once
/// if another thread is reading them: a waiter then needs no system call nor thread switch.
void help_collect(WorkerPoolCore& core, bool (*done)(const void* context), const void* context,
                  const Deadline& deadline) noexcept;

} // namespace concur::multiprocessing::detail
