#include "concur/futures/detail/future_state.hpp"

#include <sched.h>

#include "concur/core/exceptions.hpp"
#include "concur/core/futex.hpp"
#include "concur/core/spin.hpp"

namespace concur::futures::detail {

namespace {

// A waiter spins this many times before sleeping: long enough to catch a result a few hundred
// nanoseconds away on another core, short enough not to matter when the wait is long.
constexpr int kSpinsBeforeSleep = 128;

} // namespace

FutureStateBase::~FutureStateBase() {
    // Only callbacks can remain: internal waiters hold a reference while registered.
    for (Listener* l = listeners_; l != nullptr;) {
        Listener* following = l->next;
        delete l;
        l = following;
    }
}

std::uint32_t FutureStateBase::lock_list() const noexcept {
    std::uint32_t word = word_.load(std::memory_order_relaxed);
    for (int spins = 0;; ++spins) {
        if ((word & kListLock) == 0) {
            // Acquire: pairs with unlock_list's release, so listeners_ is seen as last left.
            if (word_.compare_exchange_weak(word, word | kListLock, std::memory_order_acquire,
                                            std::memory_order_relaxed)) {
                return word | kListLock;
            }
            continue;
        }
        if (spins > 64) {
            sched_yield(); // the holder may have been preempted
        } else {
            cpu_relax();
        }
        word = word_.load(std::memory_order_relaxed);
    }
}

void FutureStateBase::unlock_list() const noexcept {
    word_.fetch_and(~kListLock, std::memory_order_release);
}

bool FutureStateBase::claim() noexcept {
    std::uint32_t word = word_.load(std::memory_order_relaxed);
    for (;;) {
        const std::uint32_t status = word & kStatusMask;
        if (status != kPending && status != kRunning) {
            return false;
        }
        // Relaxed is enough: a failed claimer writes nothing, and readers synchronise with the
        // release in publish(), which follows the result's write.
        if (word_.compare_exchange_weak(word, (word & ~kStatusMask) | kCompleting,
                                        std::memory_order_relaxed, std::memory_order_relaxed)) {
            return true;
        }
    }
}

void FutureStateBase::publish(bool exception) noexcept {
    std::uint32_t word = word_.load(std::memory_order_relaxed);
    for (;;) {
        // Never finish while a listener is being added: the adder checked that we were not done
        // and is linking its node, which we must then see in kHasListeners.
        if ((word & kListLock) != 0) {
            cpu_relax();
            word = word_.load(std::memory_order_relaxed);
            continue;
        }
        const std::uint32_t done =
            (word & ~(kStatusMask | kSleepers)) | kFinished | (exception ? kHasException : 0);
        // Release: the result stored before this is visible to whoever acquires the status.
        if (word_.compare_exchange_weak(word, done, std::memory_order_release,
                                        std::memory_order_relaxed)) {
            notify_done(word);
            return;
        }
    }
}

bool FutureStateBase::cancel() noexcept {
    std::uint32_t word = word_.load(std::memory_order_relaxed);
    for (;;) {
        const std::uint32_t status = word & kStatusMask;
        if (status == kCancelled) {
            return true;
        }
        if (status != kPending) {
            return false; // running, being completed, or finished
        }
        if ((word & kListLock) != 0) {
            cpu_relax();
            word = word_.load(std::memory_order_relaxed);
            continue;
        }
        if (word_.compare_exchange_weak(word, (word & ~(kStatusMask | kSleepers)) | kCancelled,
                                        std::memory_order_release, std::memory_order_relaxed)) {
            notify_done(word);
            return true;
        }
    }
}

bool FutureStateBase::begin_run() noexcept {
    std::uint32_t word = word_.load(std::memory_order_relaxed);
    while ((word & kStatusMask) == kPending) {
        // Relaxed, as claim(): the call's inputs were published by the queue's hand-over.
        if (word_.compare_exchange_weak(word, (word & ~kStatusMask) | kCompleting,
                                        std::memory_order_relaxed, std::memory_order_relaxed)) {
            return true;
        }
    }
    return false;
}

bool FutureStateBase::set_running_or_notify_cancel() {
    std::uint32_t word = word_.load(std::memory_order_relaxed);
    for (;;) {
        const std::uint32_t status = word & kStatusMask;
        if (status == kCancelled) {
            return false;
        }
        if (status != kPending) {
            throw RuntimeError("Future in unexpected state");
        }
        if (word_.compare_exchange_weak(word, (word & ~kStatusMask) | kRunning,
                                        std::memory_order_acquire, std::memory_order_relaxed)) {
            return true;
        }
    }
}

void FutureStateBase::notify_done(std::uint32_t old_word) noexcept {
    if ((old_word & kSleepers) != 0) {
        futex::wake_all(word_);
    }
    if ((old_word & kHasListeners) == 0) {
        return;
    }
    // Waiters are told under the lock (their nodes live on their stacks and unregister under
    // it); callbacks are collected, in the order they were added, and run after.
    lock_list();
    Listener* callbacks = nullptr;
    for (Listener* l = listeners_; l != nullptr;) {
        Listener* following = l->next;
        if (l->is_callback()) {
            l->next = callbacks;
            callbacks = l;
        } else {
            l->on_done(*this);
        }
        l = following;
    }
    listeners_ = nullptr;
    word_.fetch_and(~kHasListeners, std::memory_order_relaxed);
    unlock_list();
    while (callbacks != nullptr) {
        Listener* following = callbacks->next;
        callbacks->on_done(*this);
        delete callbacks;
        callbacks = following;
    }
}

bool FutureStateBase::wait_until(const Deadline& deadline) const noexcept {
    std::uint32_t word = word_.load(std::memory_order_acquire);
    if (!is_done(word)) {
        help(deadline);
        word = word_.load(std::memory_order_acquire);
    }
    for (int i = 0; i < kSpinsBeforeSleep && !is_done(word); ++i) {
        cpu_relax();
        word = word_.load(std::memory_order_acquire);
    }
    while (!is_done(word)) {
        if ((word & kSleepers) == 0) {
            // Announce ourselves so that publish() knows to make the wake-up system call.
            if (!word_.compare_exchange_weak(word, word | kSleepers, std::memory_order_acquire,
                                             std::memory_order_acquire)) {
                continue;
            }
            word |= kSleepers;
        }
        if (!futex::wait(word_, word, deadline)) {
            return done();
        }
        word = word_.load(std::memory_order_acquire);
    }
    return true;
}

bool FutureStateBase::add_listener(Listener* listener) noexcept {
    const std::uint32_t word = lock_list();
    if (is_done(word)) {
        unlock_list();
        return false;
    }
    listener->next = listeners_;
    listeners_ = listener;
    if ((word & kHasListeners) == 0) {
        word_.fetch_or(kHasListeners, std::memory_order_relaxed);
    }
    unlock_list();
    return true;
}

void FutureStateBase::remove_listener(Listener* listener) noexcept {
    lock_list();
    for (Listener** link = &listeners_; *link != nullptr; link = &(*link)->next) {
        if (*link == listener) {
            *link = listener->next;
            break;
        }
    }
    if (listeners_ == nullptr) {
        word_.fetch_and(~kHasListeners, std::memory_order_relaxed);
    }
    unlock_list();
}

} // namespace concur::futures::detail
