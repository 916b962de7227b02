#include "concur/asyncio/runners.hpp"

namespace concur::asyncio::detail {

void finish_run(EventLoop& loop) noexcept {
    try {
        std::vector<TaskInfo> pending = all_tasks(loop);
        for (TaskInfo& task : pending) {
            task.cancel();
        }
        if (!pending.empty()) {
            loop.run_until([&pending] {
                for (const TaskInfo& task : pending) {
                    if (!task.done()) {
                        return false;
                    }
                }
                return true;
            });
        }
        for (const TaskInfo& task : pending) {
            if (task.task->done() && !task.task->cancelled() && task.task->has_exception()) {
                loop.call_exception_handler({"unhandled exception during asyncio.run() shutdown",
                                             task.task->take_exception(),
                                             {},
                                             task.repr()});
            }
        }
        loop.shutdown_default_executor();
        loop.close();
    } catch (...) {
        // A destructor must not throw; what failed has been reported where it could be.
    }
}

} // namespace concur::asyncio::detail
