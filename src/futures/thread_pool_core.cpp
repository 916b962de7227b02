#include "thread_pool_core.hpp"

#include <chrono>
#include <thread>

#include "concur/core/exceptions.hpp"
#include "concur/core/futex.hpp"
#include "concur/core/spin.hpp"
#include "concur/core/traceback.hpp"
#include "concur/futures/exceptions.hpp"

namespace concur::futures::detail {

namespace {

// How long an idle worker looks for work before parking: a few microseconds, enough for the
// gap between two submits of a busy producer. Longer is worse where threads outnumber cores
// (measured: 2 cores, 4 workers), because a spinning worker takes its core from the producer.
constexpr int kSearchSpins = 256;
constexpr int kMaxPollPause = 64;
constexpr int kLastItemPause = 64;

// How long a submit that would start a thread waits for a busy worker to come back instead
// (worker_comes_back): about the cost of starting a thread.
constexpr auto kReuseWait = std::chrono::microseconds(50);

constexpr const char* kBrokenMessage =
    "A thread initializer failed, the thread pool is not usable anymore";

} // namespace

ThreadPoolCore::ThreadPoolCore(int max_workers, std::string prefix,
                               UniqueFunction<void()> initializer)
    : max_workers_(max_workers), prefix_(std::move(prefix)), initializer_(std::move(initializer)) {}

void ThreadPoolCore::submit(FutureStateBase* work) {
    const WorkQueue::PushResult pushed = queue_.push(work);
    if (!pushed.accepted) {
        if (queue_.state() == WorkQueue::State::kBroken) {
            throw BrokenThreadPool(kBrokenMessage);
        }
        throw RuntimeError("cannot schedule new futures after shutdown");
    }
    // Only a push after the queue ran dry may need a worker woken or started: behind a
    // non-empty queue there is a worker that will come back for more, and one that finds more
    // than it can take wakes the next (run_worker_loop). This keeps the workers' counters off
    // the submit path.
    if (pushed.notify) {
        try {
            notify(true);
        } catch (...) {
            // No worker could be started and none exists. The call is queued, so it cannot be
            // handed back (Executor::submit would free it under the queue): fail what is
            // queued with the error instead of leaving it to wait for a worker forever.
            drain(std::current_exception());
        }
    }
}

void ThreadPoolCore::notify(bool reuse_wait) {
    // seq_cst loads, ordered after the push's seq_cst exchange: see park().
    if (searching_.load(std::memory_order_seq_cst) != 0) {
        return;
    }
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
        wake_one();
    } else if (num_threads_.load(std::memory_order_relaxed) < max_workers_) {
        if (reuse_wait && num_threads_.load(std::memory_order_relaxed) > 0 && worker_comes_back()) {
            return;
        }
        spawn_worker();
    }
}

bool ThreadPoolCore::worker_comes_back() noexcept {
    // A worker that has just completed a call (its caller may be this thread, submitting the
    // next one) is on its way back to the queue, a fraction of a microsecond away. Wait for it
    // a little before starting another thread, which costs far more, so that back-to-back
    // submit/result pairs reuse one thread, as Python's idle semaphore makes them. Yield while
    // waiting: the worker's wake-up of this thread may have preempted it on this very CPU.
    // Bounded: when every worker is busy for long, the thread starts a little later.
    const auto until = std::chrono::steady_clock::now() + kReuseWait;
    for (int i = 1;; ++i) {
        if (i < 16) {
            cpu_relax();
        } else {
            std::this_thread::yield();
        }
        // seq_cst, as in notify(): a searcher seen here finds our push before it parks.
        if (searching_.load(std::memory_order_seq_cst) != 0) {
            return true;
        }
        if (sleepers_.load(std::memory_order_seq_cst) > 0) {
            wake_one();
            return true;
        }
        if (i % 4 == 0 && std::chrono::steady_clock::now() >= until) {
            return false;
        }
    }
}

void ThreadPoolCore::spawn_worker() {
    std::lock_guard lock(mutex_);
    const int n = num_threads_.load(std::memory_order_relaxed);
    if (n >= max_workers_ || stopping_.load(std::memory_order_relaxed)) {
        return;
    }
    // The new worker starts as a searcher, so that the submits that follow do not each start
    // one more: when it finds work it hands the search on (run_worker_loop). One that has an
    // initializer to run counts as a searcher once that is done (worker_main): until then it
    // takes no work, and idle workers must not leave new calls waiting for it.
    const bool searcher = !initializer_;
    if (searcher) {
        searching_.fetch_add(1, std::memory_order_seq_cst);
    }
    num_threads_.store(n + 1, std::memory_order_relaxed);
    threading::Thread thread(
        threading::ThreadOptions{.name = prefix_ + "_" + std::to_string(n), .daemon = false},
        [self = shared_from_this()] { self->worker_main(); });
    try {
        thread.start();
    } catch (...) {
        if (searcher) {
            searching_.fetch_sub(1, std::memory_order_seq_cst);
        }
        num_threads_.store(n, std::memory_order_relaxed);
        if (n == 0) {
            throw; // no worker at all: the submit fails rather than hangs
        }
        return; // the existing workers will run the call
    }
    threads_.push_back(std::move(thread));
}

void ThreadPoolCore::worker_main() {
    if (initializer_) {
        try {
            initializer_();
        } catch (...) {
            log_exception("Exception in initializer:", std::current_exception());
            break_pool();
            return;
        }
        searching_.fetch_add(1, std::memory_order_seq_cst); // see spawn_worker
    }
    run_worker_loop();
}

void ThreadPoolCore::run_worker_loop() {
    bool searching = true; // counted in searching_ by whoever started or woke us
    int busy = 0;          // consecutive turns lost to another consumer
    bool take_last = false;
    for (;;) {
        FutureStateBase* item = nullptr;
        bool was_last = false;
        const WorkQueue::Pop pop = queue_.try_pop(item, take_last, was_last);
        if (pop == WorkQueue::Pop::kLast) {
            // Only the newest item is left. A worker that takes it at once sits right behind
            // the producer, and then every push and pop trade the same cache lines: both slow
            // down, in lockstep. A short pause lets a few items gather; the cost is a fraction
            // of a microsecond of latency for a lone call.
            for (int k = 0; k < kLastItemPause; ++k) {
                cpu_relax();
            }
            take_last = true;
            continue;
        }
        take_last = false;
        if (pop == WorkQueue::Pop::kItem) {
            busy = 0;
            const bool left_search =
                searching && searching_.fetch_sub(1, std::memory_order_seq_cst) == 1;
            searching = false;
            if (left_search) {
                // The last searcher to find work passes the search on while work remains, so a
                // backlog wakes (or starts) workers one after another. Mark the queue idle
                // first (the store-then-look of park()): a push we do not see here sees the
                // mark, and its notify then sees that nobody is searching.
                queue_.mark_idle();
                if (queue_.maybe_nonempty()) {
                    notify();
                }
            } else if (was_last) {
                // The queue ran dry: the next push should look for an idle worker. Only now,
                // outside the search: a push that took this mark while we still counted as
                // searching would wake nobody, and the mark would be lost.
                queue_.mark_idle();
            }
            if (queue_.state() == WorkQueue::State::kBroken) {
                item->drop(std::make_exception_ptr(BrokenThreadPool(kBrokenMessage)));
            } else {
                item->run();
            }
            item->release();
            continue;
        }
        if (pop == WorkQueue::Pop::kBusy) {
            // Another worker is taking an item, or a push is half done. Spin a little, then give
            // the CPU away: on a machine with fewer cores than threads, the thread we wait for
            // may be the one that needs it.
            if (++busy < 16) {
                cpu_relax();
            } else {
                busy = 0;
                std::this_thread::yield();
            }
            continue;
        }
        if (!searching) {
            // One searcher is enough: more spinning workers would only take CPU time from the
            // threads that produce the work. The others park at once.
            std::uint32_t none = 0;
            searching = searching_.compare_exchange_strong(none, 1, std::memory_order_seq_cst);
        }
        if (searching) {
            bool seen = false;
            // Poll ever more rarely: a worker that has caught up with a busy producer and
            // polls at once takes each item the moment it lands, and the two then trade the
            // queue's cache lines for every item. Backing off lets a few items gather.
            for (int i = 0, pause = 1; i < kSearchSpins && !seen; i += pause) {
                for (int k = 0; k < pause; ++k) {
                    cpu_relax();
                }
                pause = pause < kMaxPollPause ? pause * 2 : pause;
                seen = queue_.poll();
            }
            if (seen) {
                continue;
            }
        }
        if (stopping_.load(std::memory_order_acquire) && !queue_.maybe_nonempty()) {
            if (searching) {
                searching_.fetch_sub(1, std::memory_order_seq_cst);
            }
            return;
        }
        if (searching) {
            searching = false;
            searching_.fetch_sub(1, std::memory_order_seq_cst);
        }
        park();
        searching = true; // whoever woke us counted us as searching
    }
}

void ThreadPoolCore::park() noexcept {
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    // Re-check after announcing ourselves (seq_cst, against a push's store-then-load of the
    // idle flag): either we see the new work here, or that push sees the flag, and its notify
    // sees us in sleepers_ and wakes us.
    queue_.mark_idle();
    if (queue_.maybe_nonempty() || stopping_.load(std::memory_order_seq_cst)) {
        std::uint32_t sleepers = sleepers_.load(std::memory_order_seq_cst);
        while (sleepers > 0) {
            if (sleepers_.compare_exchange_weak(sleepers, sleepers - 1,
                                                std::memory_order_seq_cst)) {
                searching_.fetch_add(1, std::memory_order_seq_cst);
                return;
            }
        }
        // A waker claimed us already: its permit is on the way, take it below.
    }
    for (;;) {
        std::uint32_t permits = permits_.load(std::memory_order_acquire);
        while (permits > 0) {
            if (permits_.compare_exchange_weak(permits, permits - 1, std::memory_order_acquire)) {
                return;
            }
        }
        futex::wait(permits_, 0);
    }
}

void ThreadPoolCore::wake_one() noexcept {
    std::uint32_t sleepers = sleepers_.load(std::memory_order_seq_cst);
    while (sleepers > 0) {
        if (sleepers_.compare_exchange_weak(sleepers, sleepers - 1, std::memory_order_seq_cst)) {
            searching_.fetch_add(1, std::memory_order_seq_cst);
            permits_.fetch_add(1, std::memory_order_release);
            futex::wake(permits_, 1);
            return;
        }
    }
}

void ThreadPoolCore::wake_all() noexcept {
    const std::uint32_t sleepers = sleepers_.exchange(0, std::memory_order_seq_cst);
    if (sleepers > 0) {
        searching_.fetch_add(sleepers, std::memory_order_seq_cst);
        permits_.fetch_add(sleepers, std::memory_order_release);
        futex::wake_all(permits_);
    }
}

void ThreadPoolCore::drain(const std::exception_ptr& exc) noexcept {
    for (;;) {
        FutureStateBase* item = nullptr;
        const WorkQueue::Pop pop = queue_.try_pop(item);
        if (pop == WorkQueue::Pop::kEmpty) {
            return;
        }
        if (pop == WorkQueue::Pop::kBusy) {
            std::this_thread::yield(); // a worker holds the consumer turn
            continue;
        }
        item->drop(exc);
        item->release();
    }
}

void ThreadPoolCore::break_pool() {
    queue_.close(WorkQueue::State::kBroken);
    drain(std::make_exception_ptr(BrokenThreadPool(kBrokenMessage)));
}

void ThreadPoolCore::shutdown(bool wait, bool cancel_futures) {
    queue_.close(WorkQueue::State::kShutdown);
    if (cancel_futures) {
        drain(nullptr);
    }
    // A submit starts its worker after leaving the gate, and stopping_ keeps a worker from
    // starting: a call pushed into a pool that has no thread yet would never run. Every push
    // is complete now (close), so start that first worker here.
    if (num_threads_.load(std::memory_order_relaxed) == 0 && queue_.maybe_nonempty()) {
        try {
            spawn_worker();
        } catch (...) {
            drain(std::current_exception());
        }
    }
    std::vector<threading::Thread> threads;
    {
        std::lock_guard lock(mutex_);
        stopping_.store(true, std::memory_order_seq_cst);
        threads = threads_;
    }
    wake_all();
    if (wait) {
        const threading::Thread self = threading::current_thread();
        for (const auto& thread : threads) {
            if (!(thread == self)) {
                thread.join();
            }
        }
    }
}

} // namespace concur::futures::detail
