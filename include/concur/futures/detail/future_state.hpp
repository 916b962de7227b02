// The state every futures::Future<T> handle points to. One allocation holds the state, the
// result and, for a future made by an executor, the call itself and its queue link: 64 bytes
// for a small task, allocated once per submit.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <new>
#include <type_traits>
#include <utility>

#include "concur/core/slot_pool.hpp"
#include "concur/core/timeout.hpp"
#include "concur/core/unique_function.hpp"

namespace concur::futures::detail {

class FutureStateBase;

/// Something to tell when a future finishes. Internal waiters (wait, as_completed) live on the
/// waiting thread's stack and are told with the future's list lock held, so that they can
/// unregister safely; done-callbacks are owned by the future and run after the lock is released.
struct Listener {
    Listener* next = nullptr;
    virtual ~Listener() = default;
    virtual void on_done(FutureStateBase& future) noexcept = 0;
    [[nodiscard]] virtual bool is_callback() const noexcept { return false; }
};

/// The link of a work queue: executors queue their futures without another allocation.
struct QueueLink {
    std::atomic<QueueLink*> next{nullptr};
};

/// The type-independent part: status, reference count, listeners, blocking waits.
class FutureStateBase : public QueueLink, public SlotAllocated {
public:
    // The status word, also the futex word blocking waiters sleep on.
    static constexpr std::uint32_t kPending = 0;
    static constexpr std::uint32_t kRunning = 1;
    static constexpr std::uint32_t kCompleting = 2; // a setter has claimed the result slot
    static constexpr std::uint32_t kCancelled = 3;
    static constexpr std::uint32_t kFinished = 4;
    static constexpr std::uint32_t kStatusMask = 7;
    static constexpr std::uint32_t kHasException = 8;  // with kFinished
    static constexpr std::uint32_t kSleepers = 16;     // a thread may sleep on the word
    static constexpr std::uint32_t kHasListeners = 32; // listeners_ is not empty
    static constexpr std::uint32_t kListLock = 64;     // guards listeners_

    FutureStateBase() = default;
    /// A state born with `refs` owners (an executor's task: the handle and the queue).
    explicit FutureStateBase(std::uint32_t refs) : refs_(refs) {}
    FutureStateBase(const FutureStateBase&) = delete;
    FutureStateBase& operator=(const FutureStateBase&) = delete;
    virtual ~FutureStateBase(); // deletes callbacks of a future that never finished

    void retain() noexcept {
        // Relaxed: a new reference is made from an existing one, which keeps the state alive.
        refs_.fetch_add(1, std::memory_order_relaxed);
    }
    void release() noexcept {
        // acq_rel: the last owner must see every other owner's writes before destroying.
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            delete this;
        }
    }

    [[nodiscard]] std::uint32_t status() const noexcept {
        return word_.load(std::memory_order_acquire) & kStatusMask;
    }
    [[nodiscard]] static bool is_done(std::uint32_t word) noexcept {
        const std::uint32_t s = word & kStatusMask;
        return s == kFinished || s == kCancelled;
    }
    [[nodiscard]] bool done() const noexcept {
        return is_done(word_.load(std::memory_order_acquire));
    }
    [[nodiscard]] bool has_exception() const noexcept {
        return (word_.load(std::memory_order_acquire) & kHasException) != 0;
    }

    /// Python's Future.cancel(): false if running or finished; true if (now) cancelled.
    bool cancel() noexcept;

    /// PENDING -> RUNNING (true), or CANCELLED -> stays cancelled (false). Other states are a
    /// RuntimeError ("Future in unexpected state").
    bool set_running_or_notify_cancel();

    /// Blocks until done or the deadline; returns done().
    bool wait_until(const Deadline& deadline) const noexcept;

    /// Adds a listener if not done (true); false if already done (the caller acts at once).
    bool add_listener(Listener* listener) noexcept;

    /// Removes a listener that has not been told yet; no-op if it is not there.
    void remove_listener(Listener* listener) noexcept;

    /// Executor hooks. run(): run the call and complete the future. drop(exc): the executor
    /// will never run it: cancel it (exc null) or fail it with exc. Exactly one of the two is
    /// called on a future an executor accepted.
    virtual void run() noexcept {}
    virtual void drop(std::exception_ptr /*exc*/) noexcept {}

    /// Called by a thread about to block on this future: a future whose result another
    /// process sends may let the waiter read it itself (until done or the deadline), rather
    /// than sleep until a helper thread does.
    virtual void help(const Deadline& /*deadline*/) const noexcept {}

protected:
    /// Claims the right to store a result: PENDING or RUNNING -> COMPLETING. False if the
    /// future is already cancelled, finished or being completed.
    bool claim() noexcept;

    /// An executor starting the call: PENDING -> COMPLETING in one step (running() is true,
    /// and the result slot is the call's alone). False if cancelled, or not pending.
    bool begin_run() noexcept;

    /// COMPLETING -> FINISHED after the result (or exception) has been stored; wakes sleepers,
    /// tells waiters, runs callbacks.
    void publish(bool exception) noexcept;

    [[nodiscard]] std::uint32_t load_word() const noexcept {
        return word_.load(std::memory_order_acquire);
    }

private:
    std::uint32_t lock_list() const noexcept;
    void unlock_list() const noexcept;
    void notify_done(std::uint32_t old_word) noexcept;

    // refs_: owners (handles, the executor's queue). word_: status and flags; transitions to a
    // done status use release so the result written before them is visible to an acquire load
    // that sees the status.
    std::atomic<std::uint32_t> refs_{1};
    mutable std::atomic<std::uint32_t> word_{kPending};
    Listener* listeners_ = nullptr; // guarded by kListLock
};

/// The state of a Future<T>: the base plus the result's storage.
template <class T>
class FutureState : public FutureStateBase {
public:
    FutureState() {} // NOLINT: the union's members are constructed when the result arrives
    explicit FutureState(std::uint32_t refs) : FutureStateBase(refs) {} // NOLINT: as above
    ~FutureState() override {
        const std::uint32_t word = load_word();
        if ((word & kStatusMask) == kFinished) {
            if ((word & kHasException) != 0) {
                exception_.~exception_ptr();
            } else {
                value_.~T();
            }
        }
    }

    /// Stores the result and completes the future; false if it could not be claimed.
    template <class... Args>
    bool set_value(Args&&... args) noexcept {
        if (!claim()) {
            return false;
        }
        store_value(std::forward<Args>(args)...);
        return true;
    }

    /// Stores the result of a claimed future and completes it.
    template <class... Args>
    void store_value(Args&&... args) noexcept {
        try {
            ::new (static_cast<void*>(&value_)) T(std::forward<Args>(args)...);
        } catch (...) {
            ::new (static_cast<void*>(&exception_)) std::exception_ptr(std::current_exception());
            publish(true);
            return;
        }
        publish(false);
    }

    bool set_exception(std::exception_ptr exc) noexcept {
        if (!claim()) {
            return false;
        }
        store_exception(std::move(exc));
        return true;
    }

    /// Stores the exception of a claimed future and completes it.
    void store_exception(std::exception_ptr exc) noexcept {
        ::new (static_cast<void*>(&exception_)) std::exception_ptr(std::move(exc));
        publish(true);
    }

    /// The stored value; valid once finished without exception.
    T& value() noexcept { return value_; }
    /// The stored exception; valid once finished with one.
    [[nodiscard]] const std::exception_ptr& exception() const noexcept { return exception_; }

private:
    // One slot for either outcome keeps a small task's state within 64 bytes.
    union {
        T value_;
        std::exception_ptr exception_;
    };
};

template <>
class FutureState<void> : public FutureStateBase {
public:
    FutureState() = default;
    explicit FutureState(std::uint32_t refs) : FutureStateBase(refs) {}
    bool set_value() noexcept {
        if (!claim()) {
            return false;
        }
        store_value();
        return true;
    }
    void store_value() noexcept { publish(false); }
    bool set_exception(std::exception_ptr exc) noexcept {
        if (!claim()) {
            return false;
        }
        store_exception(std::move(exc));
        return true;
    }
    void store_exception(std::exception_ptr exc) noexcept {
        exception_ = std::move(exc);
        publish(true);
    }
    [[nodiscard]] const std::exception_ptr& exception() const noexcept { return exception_; }

private:
    std::exception_ptr exception_;
};

/// A future that carries its own call: what Executor::submit allocates.
template <class R, class Fn>
class TaskState final : public FutureState<R> {
public:
    /// Born with two owners, the Future handle and the executor's queue: no atomic increment
    /// on the submit path.
    explicit TaskState(Fn&& fn) : FutureState<R>(2) {
        ::new (static_cast<void*>(&fn_)) Fn(std::move(fn));
    }
    ~TaskState() override {} // NOLINT: fn_ is destroyed by run() or drop(), exactly once

    void run() noexcept override {
        if (!this->begin_run()) {
            fn_.~Fn(); // cancelled before it started
            return;
        }
        bool alive = true;
        try {
            if constexpr (std::is_void_v<R>) {
                fn_();
                alive = false;
                fn_.~Fn(); // free what the call holds before anyone is told it is done
                this->store_value();
            } else {
                R result = fn_();
                alive = false;
                fn_.~Fn();
                this->store_value(std::move(result));
            }
        } catch (...) {
            if (alive) {
                fn_.~Fn();
            }
            this->store_exception(std::current_exception());
        }
    }

    void drop(std::exception_ptr exc) noexcept override {
        fn_.~Fn();
        if (exc) {
            this->set_exception(std::move(exc));
        } else {
            this->cancel();
        }
    }

private:
    union {
        Fn fn_;
    };
};

} // namespace concur::futures::detail
