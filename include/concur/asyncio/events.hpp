// The event loop (Python's asyncio events module): callbacks, timers, tasks, one loop per thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "concur/asyncio/detail/loop_resource.hpp"
#include "concur/asyncio/detail/runnable.hpp"
#include "concur/asyncio/detail/timer_heap.hpp"
#include "concur/core/timeout.hpp"
#include "concur/core/unique_function.hpp"

#include "concur/selectors/base_selector.hpp"

namespace concur::selectors {
class Waker;
} // namespace concur::selectors

namespace concur::futures {
class Executor;
} // namespace concur::futures

namespace concur::asyncio {

class EventLoop;

namespace detail {
class PromiseBase;
struct CallbackHandle;
struct FdWatch;
class SignalHandlers;
/// Frees a loop's SignalHandlers (src/asyncio/signals.cpp, where the type is complete).
struct SignalHandlersDeleter {
    void operator()(SignalHandlers* handlers) const noexcept;
};
} // namespace detail

/// The loop's time source (Python's loop.time() is time.monotonic()). Tests inject a
/// ManualClock (concur/asyncio/testing.hpp) to run timers in no wall time.
class Clock {
public:
    virtual ~Clock() = default;
    /// Seconds on a monotonic scale.
    [[nodiscard]] virtual double time() const = 0;
};

/// A scheduled callback (Python's asyncio.Handle): cancel() stops it if it has not run.
class Handle {
public:
    Handle() = default;
    Handle(const Handle& other) noexcept;
    Handle& operator=(const Handle& other) noexcept;
    Handle(Handle&& other) noexcept;
    Handle& operator=(Handle&& other) noexcept;
    ~Handle();

    /// Cancels the callback; does nothing if it has run or was cancelled.
    void cancel();
    /// True if cancel() was called.
    [[nodiscard]] bool cancelled() const noexcept;

protected:
    friend class EventLoop;
    explicit Handle(detail::CallbackHandle* h) noexcept : h_(h) {}
    detail::CallbackHandle* h_ = nullptr;
};

/// A callback scheduled for a time (Python's asyncio.TimerHandle).
class TimerHandle : public Handle {
public:
    TimerHandle() = default;
    /// The absolute time the callback is due, on the loop's clock.
    [[nodiscard]] double when() const noexcept;

private:
    friend class EventLoop;
    explicit TimerHandle(detail::CallbackHandle* h) noexcept : Handle(h) {}
};

/// What the exception handler receives (Python's context dict).
struct ExceptionContext {
    std::string message;
    std::exception_ptr exception = nullptr;
    /// A description of the future, task or handle concerned, when there is one.
    std::string future = {};
    std::string task = {};
    std::string handle = {};
};

using ExceptionHandler = std::function<void(EventLoop&, const ExceptionContext&)>;

/// Python's keyword arguments of a new loop, for tests and embedders.
struct EventLoopOptions {
    /// The I/O multiplexer; default selectors::DefaultSelector (epoll).
    std::unique_ptr<selectors::BaseSelector> selector = nullptr;
    /// The time source; default the monotonic clock.
    std::unique_ptr<Clock> clock = nullptr;
};

/// An event loop (Python's asyncio event loop): runs callbacks, timers and tasks on the thread
/// that calls run_forever() or run_until_complete(). Its methods are for that thread, except
/// call_soon_threadsafe() and stop(), which any thread may call.
class EventLoop {
public:
    EventLoop();
    explicit EventLoop(EventLoopOptions options);
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;
    /// close(), then frees the loop.
    ~EventLoop();

    // --- running and stopping
    /// Runs until stop() is called. RuntimeError if this or another loop already runs in this
    /// thread, or if the loop is closed.
    void run_forever();
    /// Runs iterations until `done()` holds (checked after each), as run_until_complete()
    /// runs until its future is done. The same errors as run_forever().
    void run_until(const std::function<bool()>& done);
    /// Stops the loop after the callbacks ready now have run. Any thread.
    void stop();
    [[nodiscard]] bool is_running() const noexcept;
    [[nodiscard]] bool is_closed() const noexcept {
        return closed_.load(std::memory_order_acquire);
    }
    /// Closes the loop: pending callbacks are dropped, pending tasks destroyed (each reported as
    /// "Task was destroyed but it is pending!"), the default executor shut down without waiting.
    /// RuntimeError if it is running. Idempotent.
    void close();

    // --- scheduling callbacks
    /// Schedules `callback` to run on the next iteration, in FIFO order.
    Handle call_soon(UniqueFunction<void()> callback);
    /// call_soon() from any thread: wakes the loop if it is waiting.
    Handle call_soon_threadsafe(UniqueFunction<void()> callback);
    /// Schedules `callback` after `delay` (in seconds, any std::chrono duration).
    TimerHandle call_later(std::chrono::duration<double> delay, UniqueFunction<void()> callback);
    /// Schedules `callback` at `when` on the loop's clock (see time()).
    TimerHandle call_at(double when, UniqueFunction<void()> callback);
    /// The loop's current time, in seconds on its monotonic clock.
    [[nodiscard]] double time() const;

    // --- watching file descriptors
    /// Calls `callback` whenever `fd` is readable, until remove_reader(fd); replaces the reader
    /// `fd` had (Python's loop.add_reader).
    void add_reader(int fd, UniqueFunction<void()> callback);
    /// Stops watching `fd` for reading; false if it had no reader.
    bool remove_reader(int fd);
    /// Calls `callback` whenever `fd` is writable, until remove_writer(fd).
    void add_writer(int fd, UniqueFunction<void()> callback);
    /// Stops watching `fd` for writing; false if it had no writer.
    bool remove_writer(int fd);

    // --- signals (Unix)
    /// Calls `callback` on the loop's thread, through call_soon(), each time the process gets
    /// `sig` (Python's loop.add_signal_handler; bind arguments in the lambda); replaces the
    /// callback `sig` had. ValueError for an invalid signal number, RuntimeError for one that
    /// cannot be caught (SIGKILL, SIGSTOP) or if the loop is closed. A signal has one loop at a
    /// time: adding it on another loop moves it there.
    void add_signal_handler(int sig, UniqueFunction<void()> callback);
    /// Removes the callback of `sig` and restores the disposition it had before
    /// add_signal_handler(); false if it had none. ValueError for an invalid signal number.
    bool remove_signal_handler(int sig);

    // --- errors
    /// Python's loop.set_exception_handler: an empty function restores the default.
    void set_exception_handler(ExceptionHandler handler);
    [[nodiscard]] const ExceptionHandler& get_exception_handler() const noexcept {
        return exception_handler_;
    }
    /// Reports an error nobody else can: calls the handler, or the default one.
    void call_exception_handler(const ExceptionContext& context);
    /// Prints the context to stderr, as Python's default handler logs it.
    void default_exception_handler(const ExceptionContext& context);

    // --- debug mode
    /// Debug mode reports callbacks and task steps slower than slow_callback_duration().
    void set_debug(bool enabled) noexcept { debug_ = enabled; }
    [[nodiscard]] bool get_debug() const noexcept { return debug_; }
    void set_slow_callback_duration(std::chrono::duration<double> d) noexcept {
        slow_callback_duration_ = d.count();
    }
    [[nodiscard]] double slow_callback_duration() const noexcept { return slow_callback_duration_; }

    // --- executors
    /// The executor run_in_executor() uses when given none; a ThreadPoolExecutor made on first
    /// use (Python's default executor).
    futures::Executor& default_executor();
    /// Replaces the default executor (Python's set_default_executor).
    void set_default_executor(std::unique_ptr<futures::Executor> executor);
    /// Shuts the default executor down, waiting for its threads (asyncio.run does this).
    void shutdown_default_executor();

    /// The loop running in this thread, or nullptr.
    static EventLoop* running() noexcept;

    /// True if `loop` is an event loop that has not been destroyed: for the late reports of
    /// futures that outlive their loop.
    static bool alive(const EventLoop* loop) noexcept;

    /// True while close() or the destructor drops what was scheduled: a runnable run then
    /// frees itself instead of doing its work.
    [[nodiscard]] bool discarding() const noexcept { return discarding_; }

    // --- internals used by tasks, futures and awaitables of this module
    void schedule(detail::Runnable* r) noexcept { ready_.push(r); }
    void add_timer(detail::TimerNode* node) { timers_.push(node); }
    void remove_timer(detail::TimerNode* node) noexcept { timers_.remove(node); }
    void check_thread(const char* what) const;
    void link_task(detail::PromiseBase* task) noexcept;
    void unlink_task(detail::PromiseBase* task) noexcept;
    [[nodiscard]] detail::PromiseBase* first_task() const noexcept { return tasks_; }
    [[nodiscard]] detail::PromiseBase* current_task() const noexcept { return current_task_; }
    void set_current_task(detail::PromiseBase* task) noexcept { current_task_ = task; }
    std::uint64_t next_task_id() noexcept { return ++task_counter_; }
    /// Runs `r` now, timing it in debug mode.
    void run_one(detail::Runnable* r);
    /// Schedules `r` once, the next time `fd` is ready for `event` (EVENT_READ or EVENT_WRITE);
    /// replaces what watched it. For awaitables: `r` is usually the waiting task itself.
    void watch_once(int fd, std::uint32_t event, detail::Runnable* r);
    /// Stops a watch_once() of `r`; false if it has fired (or was replaced) already.
    bool unwatch(int fd, std::uint32_t event, const detail::Runnable* r) noexcept;
    /// Schedules `r` each time `fd` is ready for `event`, until unwatch(): for transports,
    /// whose runnables belong to them. The owner keeps `r` alive while watched or queued.
    void watch(int fd, std::uint32_t event, detail::Runnable* r);
    /// Runs `r` once the callbacks of this iteration have run, before the loop looks at I/O
    /// again: transports send there what their protocols wrote during the iteration, in one go
    /// (as uvloop does). `r` must stay alive until then.
    void at_iteration_end(detail::Runnable* r) noexcept { iteration_end_.push(r); }
    /// Registers `r` to be told when the loop closes (see detail::LoopResource).
    void link_resource(detail::LoopResource* r) noexcept { resources_.link(r); }
    void unlink_resource(detail::LoopResource* r) noexcept { resources_.unlink(r); }

private:
    void run_once();
    void dispatch_io(const selectors::Ready& event);
    void set_watch(int fd, std::uint32_t event, detail::Runnable* r, std::uint8_t kind);
    bool clear_watch(int fd, std::uint32_t event, const detail::Runnable* r) noexcept;
    /// Selector interest follows the watches `w` holds; `w` is freed when it holds none.
    void follow_watches(int fd, detail::FdWatch* w) noexcept;
    void close_watches() noexcept;
    void drain_threadsafe();
    void discard_ready() noexcept;
    Handle schedule_callback(UniqueFunction<void()> callback);

    detail::ReadyQueue ready_;
    detail::ReadyQueue iteration_end_;
    detail::TimerHeap timers_;
    std::unique_ptr<selectors::BaseSelector> selector_;
    std::unique_ptr<selectors::Waker> waker_;
    std::unique_ptr<Clock> clock_;

    // Callbacks from other threads, moved to ready_ by the loop.
    std::mutex threadsafe_mutex_;
    std::vector<detail::CallbackHandle*> threadsafe_;
    std::atomic<bool> has_threadsafe_{false};

    std::atomic<unsigned long> thread_{0}; // the thread running the loop, or 0
    std::atomic<bool> stopping_{false};
    std::atomic<bool> closed_{false}; // read by call_soon_threadsafe on other threads
    bool discarding_ = false;
    bool debug_ = false;
    double slow_callback_duration_ = 0.1;

    detail::ResourceList resources_;
    detail::PromiseBase* tasks_ = nullptr; // pending tasks, for all_tasks() and close()
    detail::PromiseBase* current_task_ = nullptr;
    std::uint64_t task_counter_ = 0;

    ExceptionHandler exception_handler_;
    std::unique_ptr<futures::Executor> default_executor_;
    std::vector<selectors::Ready> events_; // scratch for the selector, reused
    std::unique_ptr<detail::SignalHandlers, detail::SignalHandlersDeleter> signals_; // on first use
};

/// The loop running in the current thread; RuntimeError("no running event loop") otherwise.
EventLoop& get_running_loop();

/// A new loop (Python's asyncio.new_event_loop).
std::unique_ptr<EventLoop> new_event_loop();

} // namespace concur::asyncio
