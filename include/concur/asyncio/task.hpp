// asyncio.Task: a coroutine scheduled to run on the loop, concurrently with other tasks.
#pragma once

#include <coroutine>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "concur/asyncio/coroutine.hpp"
#include "concur/asyncio/detail/future_handle.hpp"
#include "concur/asyncio/detail/promise.hpp"
#include "concur/asyncio/events.hpp"

namespace concur::asyncio {

/// A scheduled coroutine (Python's asyncio.Task): a future whose result is the coroutine's.
/// A handle: copies share one task; the task runs on when every handle is gone. Awaiting it
/// from another task waits for it; cancel() raises CancelledError at its current co_await.
template <class T = void>
class Task : public detail::FutureHandle<Task<T>, T, detail::Promise<T>> {
    using Base = detail::FutureHandle<Task<T>, T, detail::Promise<T>>;

public:
    Task() = default;

    /// The task's name: "Task-N" unless set.
    [[nodiscard]] std::string get_name() const { return this->state_->name(); }
    void set_name(std::string name) { this->state_->set_name(std::move(name)); }

    /// The number of cancellation requests not yet undone by uncancel().
    [[nodiscard]] std::uint32_t cancelling() const noexcept { return this->state_->cancelling(); }
    /// Undoes one cancellation request; returns how many remain.
    std::uint32_t uncancel() noexcept { return this->state_->uncancel(); }

    static Task adopt(detail::Promise<T>* state) noexcept { return Task(state); }

private:
    friend Base;
    explicit Task(detail::Promise<T>* state) noexcept : Base(state) {}
};

/// Schedules `coro` as a task of the running loop and returns it (Python's create_task).
/// RuntimeError if no loop runs in this thread.
template <class T>
Task<T> create_task(Coroutine<T> coro, std::optional<std::string> name = std::nullopt) {
    EventLoop& loop = get_running_loop();
    return loop_create_task(loop, std::move(coro), std::move(name));
}

/// create_task() on a given loop (Python's loop.create_task).
template <class T>
Task<T> loop_create_task(EventLoop& loop, Coroutine<T> coro,
                         std::optional<std::string> name = std::nullopt) {
    loop.check_thread("create_task");
    if (loop.is_closed()) {
        throw RuntimeError("Event loop is closed");
    }
    auto h = coro.release();
    detail::Promise<T>& p = h.promise();
    p.start_task(&loop, h);
    if (name) {
        p.set_name(std::move(*name));
    }
    p.retain(); // the handle's reference; the loop holds the first until the task is done
    return Task<T>::adopt(&p);
}

/// A type-erased handle to a task of any result type (what current_task() and all_tasks()
/// return).
class TaskInfo {
public:
    TaskInfo() = default;
    explicit TaskInfo(detail::PromiseBase* t) noexcept : task(t) {
        if (task != nullptr) {
            task->retain();
        }
    }
    TaskInfo(const TaskInfo& other) noexcept : TaskInfo(other.task) {}
    TaskInfo& operator=(TaskInfo other) noexcept {
        std::swap(task, other.task);
        return *this;
    }
    ~TaskInfo() {
        if (task != nullptr) {
            task->release();
        }
    }
    explicit operator bool() const noexcept { return task != nullptr; }
    [[nodiscard]] std::string get_name() const { return task->name(); }
    [[nodiscard]] bool done() const noexcept { return task->done(); }
    /// Requests cancellation (Python's Task.cancel).
    bool cancel(std::optional<std::string> msg = std::nullopt) {
        return task->cancel(msg ? &*msg : nullptr);
    }
    [[nodiscard]] std::uint32_t cancelling() const noexcept { return task->cancelling(); }
    std::uint32_t uncancel() noexcept { return task->uncancel(); }
    [[nodiscard]] std::string repr() const { return task->repr(); }
    friend bool operator==(const TaskInfo& a, const TaskInfo& b) noexcept {
        return a.task == b.task;
    }

    detail::PromiseBase* task = nullptr;
};

/// The task being run on this thread (Python's asyncio.current_task()).
inline TaskInfo current_task() noexcept {
    return TaskInfo{detail::current_task()};
}

/// The loop's tasks that are not done (Python's asyncio.all_tasks()).
std::vector<TaskInfo> all_tasks(EventLoop& loop);
std::vector<TaskInfo> all_tasks();

} // namespace concur::asyncio
