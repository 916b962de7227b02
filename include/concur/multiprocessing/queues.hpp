// multiprocessing's queues: Queue and SimpleQueue, for objects sent between processes.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "concur/core/timeout.hpp"
#include "concur/multiprocessing/detail/queue_core.hpp"
#include "concur/multiprocessing/reduction.hpp"
#include "concur/queue/exceptions.hpp"

namespace concur::multiprocessing {

/// A FIFO queue between processes (Python's multiprocessing.Queue): a pipe, process-shared
/// locks, and in each process a feeder thread that writes what put() hands it, so that put()
/// returns at once however large the object. Copies are handles on the same queue; it works
/// in fork()ed children as is and travels to spawned ones as a Process argument. T is
/// serialised by put() itself (Python pickles in the feeder thread).
template <class T>
class Queue {
    static_assert(must_be_picklable<T>::value);

public:
    /// A queue holding at most `maxsize` items (zero or less: no limit).
    explicit Queue(int maxsize = 0) : core_(std::make_shared<detail::QueueCore>(maxsize)) {}

    /// Puts `obj`, waiting for a free place when `block`, for at most `timeout`; queue::Full if
    /// there is none. ValueError once closed.
    void put(const T& obj, bool block = true, Timeout timeout = std::nullopt) {
        core_->put(dumps(obj), block, timeout);
    }
    /// Removes and returns an item, waiting for one when `block`, for at most `timeout`;
    /// queue::Empty if there is none. ValueError once closed.
    T get(bool block = true, Timeout timeout = std::nullopt) {
        return loads<T>(core_->get(block, timeout));
    }
    void put_nowait(const T& obj) { put(obj, false); }
    T get_nowait() { return get(false); }

    /// The approximate number of items (put and not yet got, by any process).
    [[nodiscard]] int qsize() const noexcept { return core_->qsize(); }
    /// True if nothing is in the pipe now (approximate: a put() may still be in its feeder).
    [[nodiscard]] bool empty() { return core_->empty(); }
    /// True if the queue holds maxsize items (approximate).
    [[nodiscard]] bool full() const noexcept { return core_->full(); }

    /// This process puts no more; its feeder flushes what it holds, then ends. Also closes
    /// this process's read end.
    void close() { core_->close(); }
    /// Waits for the feeder to flush and end (after close()), for at most `timeout` (a concur
    /// addition); false if it has not ended by then. RuntimeError before close().
    bool join_thread(Timeout timeout = std::nullopt) { return core_->join_thread(timeout); }
    /// Lets this process's last handle go without waiting for the feeder to flush: what it
    /// holds may be lost.
    void cancel_join_thread() { core_->cancel_join_thread(); }

    template <class Archive>
    void save(Archive& archive) const {
        archive(*core_);
    }
    template <class Archive>
    void load(Archive& archive) {
        core_ = std::make_shared<detail::QueueCore>();
        archive(*core_);
    }

private:
    std::shared_ptr<detail::QueueCore> core_;
};

/// A simpler queue between processes (Python's multiprocessing.SimpleQueue): put() writes to
/// the pipe itself, so it waits while the pipe is full. Copies are handles on the same queue.
template <class T>
class SimpleQueue {
    static_assert(must_be_picklable<T>::value);

public:
    SimpleQueue() : core_(std::make_shared<detail::SimpleQueueCore>()) {}

    /// Puts `obj`; waits while the pipe is full.
    void put(const T& obj) { core_->put(dumps(obj)); }
    /// Removes and returns an item, waiting for one for at most `timeout` (a concur addition;
    /// queue::Empty when it passes). EOFError if every writer is gone.
    T get(Timeout timeout = std::nullopt) { return loads<T>(core_->get(timeout)); }
    /// True if nothing is in the pipe now.
    [[nodiscard]] bool empty() { return core_->empty(); }
    /// Closes this process's ends; using the queue afterwards is an OSError.
    void close() noexcept { core_->close(); }

    template <class Archive>
    void save(Archive& archive) const {
        archive(*core_);
    }
    template <class Archive>
    void load(Archive& archive) {
        core_ = std::make_shared<detail::SimpleQueueCore>();
        archive(*core_);
    }

private:
    std::shared_ptr<detail::SimpleQueueCore> core_;
};

} // namespace concur::multiprocessing
