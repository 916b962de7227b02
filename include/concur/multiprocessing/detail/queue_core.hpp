// The untyped cores of multiprocessing's queues: serialised messages through a one-way Pipe,
// with process-shared locks so that several readers and writers each move whole messages.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <sys/types.h>

#include "concur/core/timeout.hpp"
#include "concur/multiprocessing/connection.hpp"
#include "concur/multiprocessing/synchronize.hpp"

namespace concur::multiprocessing::detail {

/// multiprocessing.Queue's machinery, as CPython's: put() hands the message to a feeder thread
/// of this process, which writes it to the pipe under `wlock`, so that put() never blocks on a
/// full pipe; get() reads under `rlock`; `sem` counts the free places.
class QueueCore {
public:
    QueueCore() = default; // for deserialisation
    explicit QueueCore(int maxsize);
    QueueCore(const QueueCore&) = delete;
    QueueCore& operator=(const QueueCore&) = delete;
    ~QueueCore();

    void put(std::string message, bool block, Timeout timeout);
    std::string get(bool block, Timeout timeout);
    [[nodiscard]] int qsize() const noexcept;
    [[nodiscard]] bool empty();
    [[nodiscard]] bool full() const noexcept;
    void close();
    bool join_thread(Timeout timeout);
    void cancel_join_thread();

    template <class Archive>
    void save(Archive& archive) const {
        archive(maxsize_, reader_, writer_, rlock_, wlock_, sem_);
    }
    template <class Archive>
    void load(Archive& archive) {
        archive(maxsize_, reader_, writer_, rlock_, wlock_, sem_);
    }

private:
    struct Feeder;
    // The feeder of this process, started on first use; a feeder copied by fork() is left alone.
    std::shared_ptr<Feeder> feeder();
    void check_closed() const;

    int maxsize_ = 0;
    Connection reader_;
    Connection writer_;
    Lock rlock_;
    Lock wlock_;
    BoundedSemaphore sem_;
    std::mutex feeder_mutex_;
    std::shared_ptr<Feeder> feeder_; // guarded by feeder_mutex_
    pid_t feeder_pid_ = 0;           // guarded by feeder_mutex_
    // Set by close() and cancel_join_thread() of this process, read by any of its threads.
    std::atomic<bool> closed_{false};
    std::atomic<bool> join_cancelled_{false};
};

/// multiprocessing.SimpleQueue's machinery: put() writes the message itself under `wlock`.
class SimpleQueueCore {
public:
    SimpleQueueCore(); // a new queue (and what deserialisation starts from)

    void put(std::string_view message);
    std::string get(Timeout timeout);
    [[nodiscard]] bool empty();
    void close() noexcept;

    template <class Archive>
    void serialize(Archive& archive) {
        archive(reader_, writer_, rlock_, wlock_);
    }

private:
    Connection reader_;
    Connection writer_;
    Lock rlock_;
    Lock wlock_;
};

} // namespace concur::multiprocessing::detail
