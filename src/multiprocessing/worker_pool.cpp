#include "concur/multiprocessing/detail/worker_pool.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "concur/core/exceptions.hpp"
#include "concur/core/owned_fd.hpp"
#include "concur/multiprocessing/detail/remote_exception.hpp"
#include "concur/multiprocessing/exceptions.hpp"
#include "concur/multiprocessing/process.hpp"
#include "pool_shared.hpp"

namespace concur::multiprocessing::detail {

namespace {

struct Worker {
    int slot = 0;
    std::unique_ptr<Process> process;
    std::mutex send_mutex; // one writer of the call ring at a time
    std::mutex fifo_mutex;
    std::deque<Completion*> fifo; // calls sent and not answered, in ring order
    int in_flight = 0;            // guarded by the pool's mutex
    int assigned = 0;             // calls given to this process, for max_tasks_per_child
    bool retiring = false;        // said it will exit
    // Set by the pool's thread once the process is reaped; read by threads reading answers or
    // waiting to write calls.
    std::atomic<bool> exited{false};
    std::atomic<int> pid{0};
};

bool always_alive(void* /*context*/) {
    return true;
}

} // namespace

class WorkerPoolCore : public std::enable_shared_from_this<WorkerPoolCore> {
public:
    explicit WorkerPoolCore(WorkerPoolOptions options) : options_(std::move(options)) {
        if (options_.processes < 1) {
            throw ValueError("Number of processes must be at least 1");
        }
        if (options_.max_tasks_per_child < 0) {
            throw ValueError("max_tasks_per_child must be >= 1");
        }
        size_ = PoolShared::size_for(options_.processes);
        memfd_ = OwnedFd(::memfd_create("concur-pool", MFD_CLOEXEC));
        if (!memfd_ || ::ftruncate(memfd_.get(), static_cast<off_t>(size_)) < 0) {
            raise_os_error(errno, "cannot create the pool's shared memory");
        }
        void* memory = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, memfd_.get(), 0);
        if (memory == MAP_FAILED) {
            raise_os_error(errno, "cannot map the pool's shared memory");
        }
        shared_ = static_cast<PoolShared*>(memory);
        for (int i = 0; i < options_.processes; ++i) {
            workers_.push_back(std::make_unique<Worker>());
            workers_.back()->slot = i;
        }
    }

    ~WorkerPoolCore() {
        for (auto& w : workers_) {
            if (w->process && w->process->pid()) {
                w->process->kill();
                w->process->join();
            }
        }
        ::munmap(shared_, size_);
    }

    void start() {
        for (auto& w : workers_) {
            start_worker(*w);
        }
        manager_ = std::thread([self = shared_from_this()] { self->manage(); });
    }

    void submit(std::string_view message, Completion* done) {
        Worker* w = nullptr;
        {
            std::unique_lock lock(mutex_);
            for (;;) {
                if (broken_) {
                    throw BrokenProcessPool(broken_reason_);
                }
                if (closed_) {
                    throw RuntimeError("cannot schedule new futures after shutdown");
                }
                w = pick(message.size());
                if (w != nullptr) {
                    break;
                }
                // Every worker is busy with no room, or retiring: wait for an answer or a
                // replacement (the slice only guards against a missed notification).
                changed_.wait_for(lock, std::chrono::milliseconds(10));
            }
            ++w->in_flight;
            ++w->assigned;
        }
        outstanding_.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard send(w->send_mutex);
        {
            std::lock_guard fifo(w->fifo_mutex);
            w->fifo.push_back(done);
        }
        // A worker that died takes the call with it: the manager fails it with the pool.
        (void)calls_of(*w).write_frame(message);
    }

    void shutdown(bool wait, bool cancel_pending) {
        if (cancel_pending) {
            for (auto& w : workers_) {
                std::lock_guard fifo(w->fifo_mutex);
                for (Completion* c : w->fifo) {
                    c->abandon();
                }
            }
        }
        {
            std::lock_guard lock(mutex_);
            if (closed_) {
                if (!wait) {
                    return;
                }
            } else {
                closed_ = true;
                for (auto& w : workers_) {
                    std::lock_guard send(w->send_mutex);
                    (void)calls_of(*w).write_frame({}); // the stop sentinel, after the calls
                }
                closing_.store(true, std::memory_order_relaxed);
            }
        }
        shared_->parent_bell.ring();
        if (wait) {
            join(Deadline{});
        }
    }

    void terminate(std::exception_ptr error) {
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
            terminating_ = true;
            for (auto& w : workers_) {
                if (w->process) {
                    w->process->terminate();
                }
            }
        }
        fail_all(error);
        stop_.store(true);
        shared_->parent_bell.seq.fetch_add(1);
        futex::wake_all(shared_->parent_bell.seq, true);
    }

    bool join(const Deadline& deadline) {
        std::unique_lock lock(join_mutex_);
        if (manager_.joinable()) {
            // The manager ends when every worker has; a timed join waits for that flag.
            if (!wait_finished(deadline)) {
                return false;
            }
            manager_.join();
        }
        return true;
    }

    [[nodiscard]] bool broken() const {
        std::lock_guard lock(mutex_);
        return broken_;
    }
    [[nodiscard]] int processes() const noexcept { return options_.processes; }

private:
    RingEnd calls_of(Worker& w) {
        return RingEnd{&shared_->slots[w.slot].calls, &shared_->slots[w.slot].worker_bell,
                       &WorkerPoolCore::worker_alive, &w, kSpin};
    }
    RingEnd answers_of(Worker& w) {
        return RingEnd{&shared_->slots[w.slot].answers, &shared_->parent_bell,
                       &WorkerPoolCore::worker_alive, &w, kSpin};
    }

    // Whether the other side of a worker's rings is still there. Called by any thread that
    // waits on a ring, so it does not touch `process` (the pool's thread replaces it); a worker
    // that died but is not reaped yet is seen without reaping it (WNOWAIT).
    static bool worker_alive(void* context) {
        const auto* w = static_cast<const Worker*>(context);
        if (w->exited.load(std::memory_order_acquire)) {
            return false;
        }
        const int pid = w->pid.load(std::memory_order_acquire);
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0) {
            return info.si_pid != pid; // our child: dead once it has a status to collect
        }
        return ::kill(pid, 0) == 0 || errno == EPERM; // the fork server's child
    }

    // The worker with the fewest calls in flight that may take one more (mutex_ held), among
    // those that are idle or have room for the whole message: a big message is never left
    // half-written behind a busy worker while another one has nothing to do. Null: wait.
    Worker* pick(std::size_t size) {
        Worker* best = nullptr;
        for (auto& w : workers_) {
            if (w->retiring || w->exited ||
                (options_.max_tasks_per_child > 0 && w->assigned >= options_.max_tasks_per_child)) {
                continue;
            }
            if (w->in_flight > 0 && free_space(*w) < size + 4) {
                continue;
            }
            if (best == nullptr || w->in_flight < best->in_flight) {
                best = w.get();
            }
        }
        return best;
    }

    // Room in a worker's call ring (we are its only writer, under send_mutex or mutex_).
    std::size_t free_space(Worker& w) const {
        const Ring& calls = shared_->slots[w.slot].calls;
        return kRingCapacity - static_cast<std::size_t>(calls.tail.load(std::memory_order_relaxed) -
                                                        calls.head.load(std::memory_order_acquire));
    }

    void start_worker(Worker& w) {
        PoolSlot& slot = shared_->slots[w.slot];
        // A new worker in a slot starts with empty rings (its predecessor has exited).
        for (Ring* r : {&slot.calls, &slot.answers}) {
            r->head.store(0);
            r->tail.store(0);
        }
        WorkerArgs args{memfd_.get(),
                        size_,
                        w.slot,
                        static_cast<int>(::getpid()),
                        options_.max_tasks_per_child,
                        options_.initializer};
        ++started_;
        w.process = std::make_unique<Process>(
            ProcessOptions{.name = options_.name_prefix + "-" + std::to_string(started_),
                           .daemon = true,
                           .start_method = options_.start_method},
            pool_worker_main, args);
        w.process->start();
        w.pid.store(*w.process->pid(), std::memory_order_release);
        w.assigned = 0;
        w.retiring = false;
        w.exited = false;
    }

    void manage() {
        std::string frame;
        int idle = 0;
        bool saw_closing = false;
        while (!stop_.load()) {
            bool progress = false;
            bool helped = false;
            // Looking costs two loads per worker; the lock is taken only for an answer.
            if (any_answer()) {
                if (collect_mutex_.try_lock()) {
                    progress = poll_answers(frame);
                    collect_mutex_.unlock();
                } else {
                    helped = true; // a waiter is reading the answers itself
                }
            }
            if (progress) {
                idle = 0;
                continue;
            }
            if (!helped && ++idle < kSpin) {
                cpu_relax();
                continue;
            }
            idle = 0;
            if (check_workers()) {
                break;
            }
            if (helped || help_is_recent()) {
                // Waiters read the answers: sleep unannounced, so that workers make no
                // wake-up call for us, and look again soon in case they stopped.
                const std::uint32_t seq = shared_->parent_bell.seq.load();
                futex::wait(shared_->parent_bell.seq, seq,
                            Deadline::after(std::chrono::microseconds(500)), true);
                continue;
            }
            // Woken once by shutdown(), to trade the long sleep for the short one below.
            wait_on(
                shared_->parent_bell,
                [&] {
                    return stop_.load() || any_answer() ||
                           (!saw_closing && closing_.load(std::memory_order_relaxed));
                },
                always_alive, nullptr, 0,
                // Workers with more calls queued do not ring for every answer, and workers that
                // exit ring nothing: look often while calls are out or the pool is closing.
                Deadline::after(outstanding_.load(std::memory_order_relaxed) > 0 ||
                                        closing_.load(std::memory_order_relaxed)
                                    ? std::chrono::milliseconds(1)
                                    : std::chrono::milliseconds(100)));
            saw_closing = closing_.load(std::memory_order_relaxed);
        }
        for (auto& w : workers_) {
            if (w->process && w->process->pid()) {
                w->process->join();
            }
        }
        {
            std::lock_guard lock(mutex_);
            finished_ = true;
        }
        changed_.notify_all();
    }

public:
    // help_collect(): collect_mutex_ is what makes one reader at a time.
    void help(bool (*done)(const void*), const void* context, const Deadline& deadline) {
        if (!collect_mutex_.try_lock()) {
            return;
        }
        last_help_.store(now_ns(), std::memory_order_relaxed);
        thread_local std::string frame;
        int idle = 0;
        while (!done(context) && !stop_.load(std::memory_order_relaxed)) {
            if (poll_answers(frame)) {
                idle = 0;
            } else if (++idle > kSpin || deadline.expired()) {
                break;
            } else {
                cpu_relax();
            }
        }
        last_help_.store(now_ns(), std::memory_order_relaxed);
        collect_mutex_.unlock();
    }

private:
    static std::int64_t now_ns() {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }
    [[nodiscard]] bool help_is_recent() const {
        return now_ns() - last_help_.load(std::memory_order_relaxed) < 2'000'000;
    }

    [[nodiscard]] bool any_answer() const {
        for (const auto& w : workers_) {
            if (shared_->slots[w->slot].answers.readable()) {
                return true;
            }
        }
        return false;
    }

    // Reads every answer there is (collect_mutex_ held); true if there was one.
    bool poll_answers(std::string& frame) {
        bool progress = false;
        for (auto& w : workers_) {
            Ring& answers = shared_->slots[w->slot].answers;
            while (!w->exited && answers.readable()) {
                RingEnd end = answers_of(*w);
                if (!end.read_frame(frame)) {
                    break; // died in the middle of an answer
                }
                handle(*w, frame);
                progress = true;
            }
        }
        return progress;
    }

    void handle(Worker& w, const std::string& frame) {
        const char kind = frame.empty() ? kAnswerRetiring : frame[0];
        if (kind == kAnswerRetiring) {
            std::lock_guard lock(mutex_);
            w.retiring = true;
            return;
        }
        if (kind == kAnswerInitFailed) {
            break_pool("A process in the process pool failed in its initializer: " +
                       describe(frame));
            return;
        }
        Completion* done = nullptr;
        {
            std::lock_guard fifo(w.fifo_mutex);
            if (w.fifo.empty()) {
                return;
            }
            done = w.fifo.front();
            w.fifo.pop_front();
        }
        {
            std::lock_guard lock(mutex_);
            --w.in_flight;
        }
        outstanding_.fetch_sub(1, std::memory_order_relaxed);
        changed_.notify_all(); // a submit may wait for a worker with room
        done->finish(kind == kAnswerResult, std::string_view(frame).substr(1));
    }

    static std::string describe(const std::string& frame) {
        try {
            std::rethrow_exception(load_exception(std::string_view(frame).substr(1)));
        } catch (const std::exception& e) {
            return e.what();
        } catch (...) {
            return "an exception";
        }
    }

    // Notices workers that ended: replaces those that retired, breaks the pool for any other.
    // True when the manager's work is over.
    bool check_workers() {
        std::unique_lock lock(mutex_);
        bool all_exited = true;
        for (auto& w : workers_) {
            if (!w->exited && w->process && !w->process->is_alive()) {
                // Answers written before it ended come first.
                if (shared_->slots[w->slot].answers.readable()) {
                    return false;
                }
                w->exited = true;
                std::size_t pending = 0;
                {
                    std::lock_guard fifo(w->fifo_mutex);
                    pending = w->fifo.size();
                }
                const bool planned = (w->retiring || closed_) && pending == 0;
                if (!planned && !terminating_) {
                    lock.unlock();
                    break_pool("A process in the process pool was terminated abruptly while the "
                               "future was running or pending.");
                    return false;
                }
                if (w->retiring && !closed_) {
                    start_worker(*w);
                    changed_.notify_all();
                }
            }
            all_exited = all_exited && w->exited;
        }
        return all_exited && closed_;
    }

    void break_pool(const std::string& reason) {
        {
            std::lock_guard lock(mutex_);
            if (broken_) {
                return;
            }
            broken_ = true;
            closed_ = true;
            terminating_ = true;
            broken_reason_ = reason;
            for (auto& w : workers_) {
                if (w->process) {
                    w->process->kill();
                }
            }
        }
        changed_.notify_all();
        fail_all(std::make_exception_ptr(BrokenProcessPool(reason)));
    }

    void fail_all(const std::exception_ptr& error) {
        for (auto& w : workers_) {
            std::deque<Completion*> lost;
            {
                std::lock_guard fifo(w->fifo_mutex);
                lost.swap(w->fifo);
            }
            for (Completion* c : lost) {
                c->fail(error);
            }
        }
    }

    bool wait_finished(const Deadline& deadline) {
        std::unique_lock lock(mutex_);
        while (!finished_) {
            if (const Timeout left = deadline.remaining()) {
                if (changed_.wait_for(lock, *left) == std::cv_status::timeout && !finished_) {
                    return false;
                }
            } else {
                changed_.wait(lock);
            }
        }
        return true;
    }

    WorkerPoolOptions options_;
    OwnedFd memfd_;
    std::size_t size_ = 0;
    PoolShared* shared_ = nullptr;
    std::vector<std::unique_ptr<Worker>> workers_;
    int started_ = 0;
    std::thread manager_;
    std::atomic<bool> stop_{false};
    // Set by shutdown(): workers are on their way out and ring no bell when they go.
    std::atomic<bool> closing_{false};
    std::mutex join_mutex_;
    std::mutex collect_mutex_;                 // one reader of the answer rings at a time
    std::atomic<std::int64_t> last_help_{0};   // when a waiter last read answers itself
    std::atomic<std::int64_t> outstanding_{0}; // calls submitted and not yet answered

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool closed_ = false;
    bool terminating_ = false;
    bool broken_ = false;
    bool finished_ = false;
    std::string broken_reason_;
};

WorkerPool::WorkerPool(WorkerPoolOptions options)
    : core_(std::make_shared<WorkerPoolCore>(std::move(options))) {
    core_->start();
}

WorkerPool::~WorkerPool() {
    core_->terminate(std::make_exception_ptr(CancelledError()));
    core_->join(Deadline{});
}

void WorkerPool::submit(std::string_view message, Completion* done) {
    core_->submit(message, done);
}
void WorkerPool::shutdown(bool wait, bool cancel_pending) {
    core_->shutdown(wait, cancel_pending);
}
void WorkerPool::terminate(std::exception_ptr error) {
    core_->terminate(std::move(error));
}
bool WorkerPool::join(const Deadline& deadline) {
    return core_->join(deadline);
}
bool WorkerPool::broken() const {
    return core_->broken();
}
int WorkerPool::processes() const noexcept {
    return core_->processes();
}

} // namespace concur::multiprocessing::detail

namespace concur::multiprocessing::detail {

void help_collect(WorkerPoolCore& core, bool (*done)(const void* context), const void* context,
                  const Deadline& deadline) noexcept {
    core.help(done, context, deadline);
}

} // namespace concur::multiprocessing::detail
