// asyncio.TaskGroup: structured concurrency. Every child is awaited before the group is left;
// the first failure cancels the others; the failures come out together.
//
// Python's `async with asyncio.TaskGroup() as tg: tg.create_task(f())` becomes
//     co_await asyncio::task_group([&](asyncio::TaskGroup& tg) -> Coroutine<void> {
//         tg.create_task(f());
//         co_return;
//     });
#pragma once

#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "concur/asyncio/coroutine.hpp"
#include "concur/asyncio/task.hpp"
#include "concur/core/exceptions.hpp"

namespace concur::asyncio {

/// A group of tasks (Python's asyncio.TaskGroup), made by task_group(). When a child fails,
/// the others and the body are cancelled; leaving the group waits for every child, then raises
/// an ExceptionGroup of the failures ("unhandled errors in a TaskGroup").
class TaskGroup {
public:
    TaskGroup() = default;
    TaskGroup(const TaskGroup&) = delete;
    TaskGroup& operator=(const TaskGroup&) = delete;
    ~TaskGroup();

    /// Starts `coro` as a child task. RuntimeError if the group is finished or shutting down.
    template <class T>
    Task<T> create_task(Coroutine<T> coro, std::optional<std::string> name = std::nullopt) {
        check_can_create();
        Task<T> task = asyncio::create_task(std::move(coro), std::move(name));
        add_child(task.core());
        return task;
    }

    // Entering and leaving the group (task_group() does this).
    void enter();
    /// Waits for every child, then raises what Python's __aexit__ raises for `exc`, the
    /// body's exception (or none).
    Coroutine<void> exit(std::exception_ptr exc);

private:
    struct Child;
    class AllDone;

    void check_can_create() const;
    void add_child(detail::FutureCore* task);
    void on_task_done(Child* child) noexcept;
    void abort() noexcept;

    TaskInfo parent_;
    Child* children_ = nullptr; // the children not yet done (a doubly linked list)
    std::vector<std::exception_ptr> errors_;
    detail::PromiseBase* exit_waiter_ = nullptr; // the parent, waiting in exit()
    bool entered_ = false;
    bool exiting_ = false;
    bool aborting_ = false;
    bool parent_cancel_requested_ = false;
};

namespace detail {
template <class F>
using group_body_t = decltype(std::declval<F&>()(std::declval<TaskGroup&>()));
} // namespace detail

/// Runs `body(tg)` with a new TaskGroup and returns its value once every child is done (the
/// C++ form of `async with TaskGroup() as tg`). Cancel safety: cancelling the awaiting task
/// cancels the body and every child, then raises CancelledError once they are all done.
template <class F, class T = typename detail::group_body_t<F>::value_type>
Coroutine<T> task_group(F body) {
    TaskGroup tg;
    tg.enter();
    std::exception_ptr exc;
    if constexpr (std::is_void_v<T>) {
        try {
            co_await body(tg);
        } catch (...) {
            exc = std::current_exception();
        }
        co_await tg.exit(exc);
    } else {
        std::optional<T> result;
        try {
            result.emplace(co_await body(tg));
        } catch (...) {
            exc = std::current_exception();
        }
        co_await tg.exit(exc);
        co_return std::move(*result);
    }
}

} // namespace concur::asyncio
