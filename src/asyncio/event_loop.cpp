#include "concur/asyncio/events.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "callback_handle.hpp"
#include "concur/asyncio/detail/promise.hpp"
#include "concur/asyncio/task.hpp"
#include "concur/core/exceptions.hpp"
#include "concur/core/traceback.hpp"
#include "concur/futures/thread_pool_executor.hpp"
#include "concur/selectors/epoll_selector.hpp"
#include "concur/selectors/waker.hpp"
#include "concur/threading/thread.hpp"

namespace concur::asyncio {

using detail::CallbackHandle;
using detail::PromiseBase;
using detail::Runnable;

namespace {

thread_local EventLoop* tls_running_loop = nullptr;

// Every loop not yet destroyed (futures outliving their loop look here before reporting).
struct LiveLoops {
    std::mutex mutex;
    std::vector<const EventLoop*> loops;
};
LiveLoops& live_loops() {
    static auto* instance = new LiveLoops();
    return *instance;
}

class MonotonicClock final : public Clock {
public:
    [[nodiscard]] double time() const override {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }
};

// Timers due within this much of now run in this iteration (Python's clock_resolution).
constexpr double kClockResolution = 1e-9;

} // namespace

// --- handles

void CallbackHandle::call(Runnable* self) {
    auto* h = static_cast<CallbackHandle*>(self);
    struct Release {
        CallbackHandle* h;
        ~Release() { h->release(); } // the loop's reference, after the call
    } release{h};
    if (!h->cancelled.load(std::memory_order_acquire) && !h->loop->discarding()) {
        // Moved out first: the callback may cancel its own handle, which drops the callback.
        const UniqueFunction<void()> callback = std::move(h->callback);
        callback();
    }
}

Handle::Handle(const Handle& other) noexcept : h_(other.h_) {
    if (h_ != nullptr) {
        h_->retain();
    }
}
Handle& Handle::operator=(const Handle& other) noexcept {
    Handle copy(other);
    std::swap(h_, copy.h_);
    return *this;
}
Handle::Handle(Handle&& other) noexcept : h_(std::exchange(other.h_, nullptr)) {}
Handle& Handle::operator=(Handle&& other) noexcept {
    std::swap(h_, other.h_);
    return *this;
}
Handle::~Handle() {
    if (h_ != nullptr) {
        h_->release();
    }
}

void Handle::cancel() {
    if (h_ == nullptr || h_->cancelled.exchange(true, std::memory_order_acq_rel)) {
        return;
    }
    // On the loop's thread the callback is freed now (as Python's cancel() does) and a timer
    // leaves the heap. From another thread only the flag is set: the loop may be reading both;
    // it skips a cancelled callback, and drops a cancelled timer when it reaches the heap's top.
    EventLoop* loop = h_->loop;
    if (EventLoop::running() == loop || !loop->is_running()) {
        h_->callback.reset();
        if (h_->timer.scheduled()) {
            loop->remove_timer(&h_->timer);
            h_->release(); // the heap's reference
        }
    }
}

bool Handle::cancelled() const noexcept {
    return h_ != nullptr && h_->cancelled.load(std::memory_order_acquire);
}

double TimerHandle::when() const noexcept {
    return h_->timer.when;
}

// --- the loop

EventLoop::EventLoop() : EventLoop(EventLoopOptions{}) {}

EventLoop::EventLoop(EventLoopOptions options)
    : selector_(options.selector ? std::move(options.selector)
                                 : std::make_unique<selectors::DefaultSelector>()),
      waker_(std::make_unique<selectors::Waker>()),
      clock_(options.clock ? std::move(options.clock) : std::make_unique<MonotonicClock>()) {
    selector_->register_(waker_->fd(), selectors::EVENT_READ, nullptr);
    LiveLoops& live = live_loops();
    std::lock_guard lock(live.mutex);
    live.loops.push_back(this);
}

EventLoop::~EventLoop() {
    if (is_running()) {
        // Destroying a running loop is a bug in the caller; closing it would be worse.
        std::terminate();
    }
    close();
    discard_ready(); // what was scheduled on the closed loop since
    LiveLoops& live = live_loops();
    std::lock_guard lock(live.mutex);
    std::erase(live.loops, this);
}

bool EventLoop::alive(const EventLoop* loop) noexcept {
    LiveLoops& live = live_loops();
    std::lock_guard lock(live.mutex);
    return std::find(live.loops.begin(), live.loops.end(), loop) != live.loops.end();
}

void EventLoop::discard_ready() noexcept {
    // Each runnable frees itself in discarding mode (tasks are the tasks list's business).
    discarding_ = true;
    drain_threadsafe();
    while (Runnable* r = ready_.pop()) {
        if (!PromiseBase::is_step(r)) {
            try {
                r->run(r);
            } catch (...) {
            }
        }
    }
    discarding_ = false;
}

EventLoop* EventLoop::running() noexcept {
    return tls_running_loop;
}

bool EventLoop::is_running() const noexcept {
    return thread_.load(std::memory_order_acquire) != 0;
}

void EventLoop::check_thread(const char* what) const {
    const unsigned long owner = thread_.load(std::memory_order_relaxed);
    if (owner != 0 && owner != threading::get_ident()) {
        throw RuntimeError(std::string("Non-thread-safe operation invoked on an event loop other "
                                       "than the current one: ") +
                           what + " (use call_soon_threadsafe)");
    }
}

double EventLoop::time() const {
    return clock_->time();
}

void EventLoop::run_forever() {
    run_until([] { return false; });
}

void EventLoop::run_until(const std::function<bool()>& done) {
    if (is_closed()) {
        throw RuntimeError("Event loop is closed");
    }
    if (is_running()) {
        throw RuntimeError("This event loop is already running");
    }
    if (tls_running_loop != nullptr) {
        throw RuntimeError("Cannot run the event loop while another loop is running");
    }
    thread_.store(threading::get_ident(), std::memory_order_release);
    tls_running_loop = this;
    struct Reset {
        EventLoop* loop;
        ~Reset() {
            loop->stopping_.store(false, std::memory_order_relaxed);
            tls_running_loop = nullptr;
            loop->thread_.store(0, std::memory_order_release);
        }
    } reset{this};
    while (!done()) {
        run_once();
        if (stopping_.load(std::memory_order_acquire)) {
            break;
        }
    }
}

void EventLoop::stop() {
    stopping_.store(true, std::memory_order_release);
    if (thread_.load(std::memory_order_acquire) != threading::get_ident()) {
        waker_->wake(); // from another thread: the loop may be waiting in select()
    }
}

void EventLoop::run_once() {
    // Timer handles cancelled from another thread stay in the heap until they reach its top:
    // drop them there, so that they do not cut the wait short.
    while (!timers_.empty() && timers_.top()->target->run == &CallbackHandle::call &&
           static_cast<CallbackHandle*>(timers_.top()->target)
               ->cancelled.load(std::memory_order_acquire)) {
        static_cast<CallbackHandle*>(timers_.pop()->target)->release();
    }
    // Wait for I/O only as long as nothing is ready: not at all with callbacks ready or a stop
    // pending, until the next timer otherwise.
    Timeout timeout;
    if (!ready_.empty() || stopping_.load(std::memory_order_relaxed) ||
        has_threadsafe_.load(std::memory_order_acquire)) {
        timeout = std::chrono::duration<double>(0);
    } else if (!timers_.empty()) {
        timeout = std::chrono::duration<double>(std::max(0.0, timers_.top()->when - time()));
    }
    selector_->select(timeout, events_);
    for (const selectors::Ready& event : events_) {
        if (event.fd == waker_->fd()) {
            waker_->drain();
        } else {
            dispatch_io(event);
        }
    }
    drain_threadsafe();

    if (!timers_.empty()) {
        const double end = time() + kClockResolution;
        while (!timers_.empty() && timers_.top()->when <= end) {
            ready_.push(timers_.pop()->target);
        }
    }

    // Run what is ready now; what these schedule runs in the next iteration, after a look at
    // I/O and timers (Python's ntodo).
    Runnable* const last = ready_.back();
    while (Runnable* r = ready_.pop()) {
        const bool was_last = r == last;
        run_one(r);
        if (was_last) {
            break;
        }
    }
    while (Runnable* r = iteration_end_.pop()) {
        run_one(r);
    }
}

void EventLoop::run_one(Runnable* r) {
    if (!debug_) {
        try {
            r->run(r);
        } catch (...) {
            call_exception_handler({"Exception in callback", std::current_exception()});
        }
        return;
    }
    // Debug mode: the task, if it is one, is held across its step (which may finish and free
    // it) so that a slow step can be reported by name, as Python's "Executing <Task ...>".
    PromiseBase* task = PromiseBase::is_step(r) ? static_cast<PromiseBase*>(r) : nullptr;
    if (task != nullptr) {
        task->retain();
    }
    const double t0 = time();
    try {
        r->run(r);
    } catch (...) {
        call_exception_handler({"Exception in callback", std::current_exception()});
    }
    const double took = time() - t0;
    if (took >= slow_callback_duration_) {
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.3f", took);
        const std::string what = task != nullptr ? task->repr() : std::string("a callback");
        log_exception("Executing " + what + " took " + seconds + " seconds", nullptr);
    }
    if (task != nullptr) {
        task->release();
    }
}

void EventLoop::drain_threadsafe() {
    if (!has_threadsafe_.load(std::memory_order_acquire)) {
        return;
    }
    std::vector<CallbackHandle*> handles;
    {
        std::lock_guard lock(threadsafe_mutex_);
        handles.swap(threadsafe_);
        has_threadsafe_.store(false, std::memory_order_release);
    }
    for (CallbackHandle* h : handles) {
        ready_.push(h);
    }
}

Handle EventLoop::schedule_callback(UniqueFunction<void()> callback) {
    auto* h = new CallbackHandle(std::move(callback), this);
    h->retain(); // the Handle's reference
    ready_.push(h);
    return Handle(h);
}

Handle EventLoop::call_soon(UniqueFunction<void()> callback) {
    if (is_closed()) {
        throw RuntimeError("Event loop is closed");
    }
    check_thread("call_soon");
    return schedule_callback(std::move(callback));
}

Handle EventLoop::call_soon_threadsafe(UniqueFunction<void()> callback) {
    if (is_closed()) {
        throw RuntimeError("Event loop is closed");
    }
    auto* h = new CallbackHandle(std::move(callback), this);
    h->retain();
    {
        std::lock_guard lock(threadsafe_mutex_);
        threadsafe_.push_back(h);
        has_threadsafe_.store(true, std::memory_order_release);
    }
    if (thread_.load(std::memory_order_acquire) != threading::get_ident()) {
        waker_->wake();
    }
    return Handle(h);
}

TimerHandle EventLoop::call_later(std::chrono::duration<double> delay,
                                  UniqueFunction<void()> callback) {
    return call_at(time() + delay.count(), std::move(callback));
}

TimerHandle EventLoop::call_at(double when, UniqueFunction<void()> callback) {
    if (is_closed()) {
        throw RuntimeError("Event loop is closed");
    }
    check_thread("call_at");
    auto* h = new CallbackHandle(std::move(callback), this);
    h->retain(); // the TimerHandle's
    h->timer.when = when;
    h->timer.target = h;
    timers_.push(&h->timer);
    return TimerHandle(h);
}

void EventLoop::link_task(PromiseBase* task) noexcept {
    task->prev_task_ = nullptr;
    task->next_task_ = tasks_;
    if (tasks_ != nullptr) {
        tasks_->prev_task_ = task;
    }
    tasks_ = task;
}

void EventLoop::unlink_task(PromiseBase* task) noexcept {
    if (task->prev_task_ != nullptr) {
        task->prev_task_->next_task_ = task->next_task_;
    } else if (tasks_ == task) {
        tasks_ = task->next_task_;
    }
    if (task->next_task_ != nullptr) {
        task->next_task_->prev_task_ = task->prev_task_;
    }
    task->prev_task_ = task->next_task_ = nullptr;
}

void EventLoop::close() {
    if (is_running()) {
        throw RuntimeError("Cannot close a running event loop");
    }
    if (is_closed()) {
        return;
    }
    closed_.store(true, std::memory_order_release);
    // Callbacks that will never run free themselves; tasks in the ready queue are also in
    // tasks_, dealt with below.
    discard_ready();
    timers_.clear([](detail::TimerNode* node) {
        if (node->target != nullptr && node->target->run == &CallbackHandle::call) {
            static_cast<CallbackHandle*>(node->target)->release();
        }
    });
    // Pending tasks: as Python reports them when collected. Each loses the loop's reference;
    // one nobody else holds is destroyed now (its awaitables unregister themselves).
    std::vector<PromiseBase*> pending;
    for (PromiseBase* t = tasks_; t != nullptr; t = t->next_task_) {
        pending.push_back(t);
    }
    tasks_ = nullptr;
    for (PromiseBase* t : pending) {
        t->prev_task_ = t->next_task_ = nullptr;
        call_exception_handler({"Task was destroyed but it is pending!", nullptr, {}, t->repr()});
    }
    for (PromiseBase* t : pending) {
        t->orphan();
    }
    for (PromiseBase* t : pending) {
        t->release();
    }
    if (default_executor_) {
        default_executor_->shutdown(false, false);
        default_executor_.reset();
    }
    // Transports, servers and handlers still open let go of their descriptors and watches;
    // what they meant to send at the end of an iteration is dropped with them.
    while (iteration_end_.pop() != nullptr) {
    }
    resources_.close_all();
    close_watches();
    selector_->close();
}

void EventLoop::set_exception_handler(ExceptionHandler handler) {
    exception_handler_ = std::move(handler);
}

void EventLoop::call_exception_handler(const ExceptionContext& context) {
    if (exception_handler_) {
        try {
            exception_handler_(*this, context);
            return;
        } catch (...) {
            // As Python: an error in the handler is reported by the default handler.
            default_exception_handler(
                {"Unhandled error in exception handler", std::current_exception()});
        }
    }
    default_exception_handler(context);
}

void EventLoop::default_exception_handler(const ExceptionContext& context) {
    std::string text =
        context.message.empty() ? "Unhandled exception in event loop" : context.message;
    if (!context.task.empty()) {
        text += "\ntask: " + context.task;
    }
    if (!context.future.empty()) {
        text += "\nfuture: " + context.future;
    }
    if (!context.handle.empty()) {
        text += "\nhandle: " + context.handle;
    }
    if (context.exception) {
        log_exception(text, context.exception);
    } else {
        log_exception(text, nullptr);
    }
}

futures::Executor& EventLoop::default_executor() {
    if (!default_executor_) {
        default_executor_ = std::make_unique<futures::ThreadPoolExecutor>(
            futures::ThreadPoolOptions{.thread_name_prefix = "asyncio"});
    }
    return *default_executor_;
}

void EventLoop::set_default_executor(std::unique_ptr<futures::Executor> executor) {
    default_executor_ = std::move(executor);
}

void EventLoop::shutdown_default_executor() {
    if (default_executor_) {
        default_executor_->shutdown(true, false);
    }
}

EventLoop& get_running_loop() {
    EventLoop* loop = tls_running_loop;
    if (loop == nullptr) {
        throw RuntimeError("no running event loop");
    }
    return *loop;
}

std::unique_ptr<EventLoop> new_event_loop() {
    return std::make_unique<EventLoop>();
}

std::vector<TaskInfo> all_tasks(EventLoop& loop) {
    std::vector<TaskInfo> tasks;
    for (PromiseBase* t = loop.first_task(); t != nullptr; t = t->next_task_) {
        tasks.emplace_back(t);
    }
    return tasks;
}

std::vector<TaskInfo> all_tasks() {
    return all_tasks(get_running_loop());
}

} // namespace concur::asyncio
