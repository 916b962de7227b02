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
    std::condition_variable wakeup;
    std::deque<std::string> buffer; // guarded by mutex
    bool closing = false;           // guarded by mutex
    bool cancelled = false;         // guarded by mutex
    Connection writer;              // the feeder's own duplicate of the write end
    Lock wlock;
    BoundedSemaphore sem;
    std::thread thread;

    void run() {
        for (;;) {
            std::unique_lock guard(mutex);
            wakeup.wait(guard, [&] { return !buffer.empty() || closing; });
            if (buffer.empty() || cancelled) {
                return; // closing, and everything is flushed (or need not be)
            }
            std::string message = std::move(buffer.front());
            buffer.pop_front();
            guard.unlock();
            try {
                std::scoped_lock write_guard(wlock);
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
    {
        std::scoped_lock guard(feeder->mutex);
        feeder->closing = true;
        feeder->cancelled = join_cancelled_.load(std::memory_order_relaxed);
    }
    feeder->wakeup.notify_one();
    if (!feeder->thread.joinable()) {
        return; // join_thread() already did
    }
    if (feeder->cancelled) {
        feeder->thread.detach();
    } else {
        feeder->thread.join();
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
    created->writer = Connection(::fcntl(writer_.fileno(), F_DUPFD_CLOEXEC, 0), false, true);
    if (created->writer.fileno() < 0) {
        raise_os_error(errno, "dup of a queue's pipe failed");
    }
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
    const std::shared_ptr<Feeder> f = feeder();
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

void QueueCore::join_thread() {
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
    if (f && f->thread.joinable() && !join_cancelled_.load(std::memory_order_relaxed)) {
        f->thread.join();
    }
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
