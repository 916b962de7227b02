// threading.Thread: a thread of control, with Python's names, exit rule and error reporting.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "concur/core/timeout.hpp"
#include "concur/core/unique_function.hpp"

namespace concur::threading {

namespace detail {
struct ThreadState;
} // namespace detail

/// Python's keyword arguments of Thread(): `Thread({.name = "worker", .daemon = true}, fn)`.
struct ThreadOptions {
    /// The thread's name; "Thread-N" when not given or empty.
    std::optional<std::string> name = std::nullopt;
    /// Whether the thread is a daemon; by default the creating thread's flag.
    std::optional<bool> daemon = std::nullopt;
};

/// A thread of control (Python's threading.Thread). Either give a target and its arguments,
/// or derive and override run(). A Thread object is a handle: copies refer to the same thread,
/// and the thread runs on when every handle is gone (as in Python). The process waits at exit
/// for every non-daemon thread; an exception escaping the thread goes to excepthook, never to
/// std::terminate.
class Thread {
public:
    /// A thread that calls run(), for classes that override it (`class Worker : public Thread`).
    Thread();
    explicit Thread(ThreadOptions options);

    /// A thread that calls `target(args...)`. Arguments are copied into the thread, as with
    /// std::thread: pass std::ref(x) for an object the thread must share (a Queue, an Event).
    template <class F, class... Args>
    requires std::is_invocable_v < std::decay_t<F>
    &, std::decay_t<Args>&... > explicit Thread(F&& target, Args&&... args)
        : Thread(ThreadOptions{}, std::forward<F>(target), std::forward<Args>(args)...) {}

    template <class F, class... Args>
    requires std::is_invocable_v < std::decay_t<F>
    &, std::decay_t<Args>&... > Thread(ThreadOptions options, F&& target, Args&&... args)
        : Thread(std::move(options), bind(std::forward<F>(target), std::forward<Args>(args)...)) {}

    Thread(const Thread&) = default;
    Thread(Thread&&) noexcept = default;
    Thread& operator=(const Thread&) = default;
    Thread& operator=(Thread&&) noexcept = default;
    virtual ~Thread() = default;

    /// Starts the thread; returns once it runs. Starting twice is a RuntimeError; so is a
    /// thread the system cannot create ("can't start new thread").
    void start();

    /// The thread's activity: calls the target. Override it in a derived class; the object must
    /// then stay alive and in place until the thread ends.
    virtual void run();

    /// Waits until the thread ends, for at most `timeout`. Returns true if it has ended (Python
    /// returns None: check is_alive()). Joining before start() or joining the current thread is
    /// a RuntimeError.
    bool join(Timeout timeout = std::nullopt) const;

    /// True from just before run() starts until just after it ends.
    [[nodiscard]] bool is_alive() const;

    /// The thread's name (not unique). The system thread takes the name, cut to 15 bytes, at
    /// start and when the thread itself sets it.
    [[nodiscard]] std::string name() const;
    void set_name(std::string name);

    /// Whether this is a daemon thread: the process does not wait for it at exit. Setting it
    /// after start() is a RuntimeError.
    [[nodiscard]] bool daemon() const;
    void set_daemon(bool daemon);

    /// The thread's identifier (get_ident() in the thread), or nullopt before start.
    [[nodiscard]] std::optional<unsigned long> ident() const;

    /// The kernel's id for the thread (get_native_id() in the thread), or nullopt before start.
    [[nodiscard]] std::optional<long> native_id() const;

    /// Handles are equal when they refer to the same thread.
    friend bool operator==(const Thread& a, const Thread& b) noexcept {
        return a.state_ == b.state_;
    }

protected:
    /// A thread that calls `target`, for derived classes that wrap the target (Timer).
    Thread(ThreadOptions options, UniqueFunction<void()> target);

    template <class F, class... Args>
    static UniqueFunction<void()> bind(F&& target, Args&&... args) {
        static_assert((std::is_constructible_v<std::decay_t<Args>, Args> && ...),
                      "Thread copies its arguments: pass std::ref(x) for an object the thread "
                      "must share rather than copy");
        return [fn = std::decay_t<F>(std::forward<F>(target)),
                ... xs = std::decay_t<Args>(std::forward<Args>(args))]() mutable {
            std::invoke(fn, xs...);
        };
    }

private:
    friend Thread current_thread();
    friend Thread main_thread();
    friend std::vector<Thread> enumerate();
    friend struct std::hash<Thread>;

    explicit Thread(std::shared_ptr<detail::ThreadState> state) : state_(std::move(state)) {}

    std::shared_ptr<detail::ThreadState> state_;
};

/// The Thread of the caller; a thread not started by concur gets a daemon "Dummy-N" entry.
Thread current_thread();

/// The main thread (the one that ran main()).
Thread main_thread();

/// Every thread alive now: the main thread, started threads that have not ended, and
/// foreign threads that have called current_thread().
std::vector<Thread> enumerate();

/// The number of threads enumerate() would return.
std::size_t active_count();

/// The calling thread's identifier: unique among living threads, reusable after one ends.
unsigned long get_ident() noexcept;

/// The calling thread's kernel id (Linux TID).
long get_native_id() noexcept;

/// Registers `fn` to run at process exit before the exit rule joins the non-daemon threads,
/// in reverse order of registration (Python's threading._register_atexit): the way pools ask
/// their idle workers to finish.
void register_atexit(UniqueFunction<void()> fn);

} // namespace concur::threading

template <>
struct std::hash<concur::threading::Thread> {
    std::size_t operator()(const concur::threading::Thread& t) const noexcept {
        return std::hash<const void*>{}(t.state_.get());
    }
};
