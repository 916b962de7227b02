#include "concur/multiprocessing/detail/queue_core.hpp"

#include <climits>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

#include "concur/core/exceptions.hpp"
#include "concur/queue/exceptions.hpp"

namespace concur::multiprocessing::detail {

// What the feeder thread uses, shared with it so that it may outlive the QueueCore after
// cancel_join_thread() (then it ends after its current write, as Python's daemon feeder).
struct QueueCore::Feeder {
    std::mutex mutex;
    std::condition_variable wakeup;     // the feeder waits for work here
    std::condition_variable done;       // join_thread() waits for `finished` here
    std::deque<std::string> buffer;     // guarded by mutex
    bool closing = false;               // guarded by mutex
    bool finished = false;              // guarded by mutex
    std::atomic<bool> cancelled{false}; // read between writes, without the mutex
    Connection writer;                  // the feeder's own duplicate of the write end
    Lock wlock;
    BoundedSemaphore sem;
    std::mutex join_mutex; // one joiner at a time
    std::thread thread;

    void run() {
        feed();
        {
            std::scoped_lock guard(mutex);
            finished = true;
        }
        done.notify_all();
    }

    // Writes what put() buffered, a batch at a time under one hold of the write lock.
    void feed() {
        std::deque<std::string> batch;
        for (;;) {
            {
                std::unique_lock guard(mutex);
                wakeup.wait(guard, [&] { return !buffer.empty() || closing; });
                if (buffer.empty()) {
                    return; // closing, and everything is flushed
                }
                batch.swap(buffer);
            }
            std::scoped_lock write_guard(wlock);
            for (const std::string& message : batch) {
                if (cancelled.load(std::memory_order_relaxed)) {
                    return; // need not flush
                }
                try {
                    writer.send_bytes(message);
                } catch (const std::exception& error) {
                    // Nobody reads any more (the readers closed): the message is lost, as in
                    // Python, whose feeder reports it the same way.
                    sem.release();
                    if (!dynamic_cast<const BrokenPipeError*>(&error)) {
                        std::fprintf(stderr, "concur: multiprocessing.Queue feeder thread: %s\n",
                                     error.what());
                    }
                }
            }
            batch.clear();
        }
    }

    void join() {
        std::scoped_lock guard(join_mutex);
        if (thread.joinable()) {
            thread.join();
        }
    }
};

namespace {
// Python's SEM_VALUE_MAX: the size of an "unbounded" queue.
constexpr int kUnbounded = INT_MAX;
} // namespace

QueueCore::QueueCore(int maxsize) : maxsize_(maxsize <= 0 ? kUnbounded : maxsize), sem_(maxsize_) {
    auto [reader, writer] = Pipe(false);
    reader_ = std::move(reader);
    writer_ = std::move(writer);
}

QueueCore::~QueueCore() {
    std::shared_ptr<Feeder> feeder;
    {
        std::scoped_lock guard(feeder_mutex_);
        if (!feeder_) {
            return;
        }
        if (feeder_pid_ != ::getpid()) {
            // A feeder copied by fork() has no thread in this process: leave it be (freeing it
            // would destroy a joinable std::thread).
            new std::shared_ptr<Feeder>(std::move(feeder_)); // NOLINT: deliberate leak
            return;
        }
        feeder = std::move(feeder_);
    }
    // Close our read end first: if no other process reads, the feeder's writes fail rather
    // than block forever.
    reader_.close();
    const bool cancelled = join_cancelled_.load(std::memory_order_relaxed);
    {
        std::scoped_lock guard(feeder->mutex);
        feeder->closing = true;
        feeder->cancelled.store(cancelled, std::memory_order_relaxed);
    }
    feeder->wakeup.notify_one();
    if (cancelled) {
        std::scoped_lock guard(feeder->join_mutex);
        if (feeder->thread.joinable()) {
            feeder->thread.detach();
        }
    } else {
        feeder->join();
    }
}

void QueueCore::check_closed() const {
    if (closed_.load(std::memory_order_relaxed)) {
        throw ValueError("Queue is closed");
    }
}

std::shared_ptr<QueueCore::Feeder> QueueCore::feeder() {
    std::scoped_lock guard(feeder_mutex_);
    if (feeder_ && feeder_pid_ == ::getpid()) {
        return feeder_;
    }
    if (feeder_) {
        new std::shared_ptr<Feeder>(std::move(feeder_)); // NOLINT: a fork()ed copy, see above
    }
    auto created = std::make_shared<Feeder>();
    const int fd = ::fcntl(writer_.fileno(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        raise_os_error(errno, "dup of a queue's pipe failed");
    }
    created->writer = Connection(fd, false, true);
    created->wlock = wlock_;
    created->sem = sem_;
    // The thread shares the state, so that a detached feeder (cancel_join_thread) keeps it.
    created->thread = std::thread([state = created] { state->run(); });
    feeder_ = created;
    feeder_pid_ = ::getpid();
    return created;
}

void QueueCore::put(std::string message, bool block, Timeout timeout) {
    check_closed();
    if (!sem_.acquire(block, timeout)) {
        throw queue::Full();
    }
    std::shared_ptr<Feeder> f;
    try {
        f = feeder();
    } catch (...) {
        sem_.release(); // the place taken above is not used
        throw;
    }
    {
        std::scoped_lock guard(f->mutex);
        f->buffer.push_back(std::move(message));
    }
    f->wakeup.notify_one();
}

std::string QueueCore::get(bool block, Timeout timeout) {
    check_closed();
    std::string message;
    if (block && !timeout) {
        std::scoped_lock guard(rlock_);
        message = reader_.recv_bytes();
    } else {
        const Deadline deadline = Deadline::after(timeout);
        if (!rlock_.acquire(block, timeout)) {
            throw queue::Empty();
        }
        std::scoped_lock guard(std::adopt_lock, rlock_);
        if (!reader_.poll(block ? deadline.remaining()
                                : Timeout(std::chrono::duration<double>(0)))) {
            throw queue::Empty();
        }
        message = reader_.recv_bytes();
    }
    sem_.release();
    return message;
}

int QueueCore::qsize() const noexcept {
    return maxsize_ - sem_.get_value();
}

bool QueueCore::empty() {
    return !reader_.poll();
}

bool QueueCore::full() const noexcept {
    return sem_.get_value() == 0;
}

void QueueCore::close() {
    closed_.store(true, std::memory_order_relaxed);
    reader_.close();
    std::shared_ptr<Feeder> f;
    {
        std::scoped_lock guard(feeder_mutex_);
        if (feeder_pid_ == ::getpid()) {
            f = feeder_;
        }
    }
    if (f) {
        {
            std::scoped_lock guard(f->mutex);
            f->closing = true;
        }
        f->wakeup.notify_one();
    }
}

bool QueueCore::join_thread(Timeout timeout) {
    if (!closed_.load(std::memory_order_relaxed)) {
        throw RuntimeError("Queue is not closed: call close() before join_thread()");
    }
    std::shared_ptr<Feeder> f;
    {
        std::scoped_lock guard(feeder_mutex_);
        if (feeder_pid_ == ::getpid()) {
            f = feeder_;
        }
    }
    if (!f || join_cancelled_.load(std::memory_order_relaxed)) {
        return true;
    }
    {
        const Deadline deadline = Deadline::after(timeout);
        std::unique_lock guard(f->mutex);
        while (!f->finished) {
            if (deadline.is_never()) {
                f->done.wait(guard);
            } else if (f->done.wait_until(guard, deadline.when()) == std::cv_status::timeout &&
                       !f->finished) {
                return false;
            }
        }
    }
    f->join(); // it has finished: this returns at once
    return true;
}

void QueueCore::cancel_join_thread() {
    join_cancelled_.store(true, std::memory_order_relaxed);
}

// SimpleQueueCore

SimpleQueueCore::SimpleQueueCore() {
    auto [reader, writer] = Pipe(false);
    reader_ = std::move(reader);
    writer_ = std::move(writer);
}

void SimpleQueueCore::put(std::string_view message) {
    std::scoped_lock guard(wlock_);
    writer_.send_bytes(message);
}

std::string SimpleQueueCore::get(Timeout timeout) {
    if (!timeout) {
        std::scoped_lock guard(rlock_);
        return reader_.recv_bytes();
    }
    const Deadline deadline = Deadline::after(timeout);
    if (!rlock_.acquire(true, timeout)) {
        throw queue::Empty();
    }
    std::scoped_lock guard(std::adopt_lock, rlock_);
    if (!reader_.poll(deadline.remaining())) {
        throw queue::Empty();
    }
    return reader_.recv_bytes();
}

bool SimpleQueueCore::empty() {
    return !reader_.poll();
}

void SimpleQueueCore::close() noexcept {
    reader_.close();
    writer_.close();
}

} // namespace concur::multiprocessing::detail
