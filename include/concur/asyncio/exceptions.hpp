// The exceptions of Python's asyncio (asyncio.exceptions, and the queue exceptions asyncio
// exports from asyncio.queues).
#pragma once

#include <stdexcept>
#include <string>

#include "concur/core/exceptions.hpp"

namespace concur::asyncio {

// One type serves concurrent.futures and asyncio alike, as Python 3.8+ aliases them.
using concur::CancelledError;
using concur::InvalidStateError;
using concur::TimeoutError;

/// Raised by Barrier::wait() when the barrier is broken (abort()), or reset while a task waits
/// (Python's asyncio.BrokenBarrierError, a RuntimeError). Its own type, as in Python, not
/// threading::BrokenBarrierError.
class BrokenBarrierError : public std::runtime_error {
public:
    explicit BrokenBarrierError(const std::string& message = "the barrier is broken")
        : std::runtime_error(message) {}
};

/// Raised by Queue::get_nowait() on an empty queue (Python's asyncio.QueueEmpty).
class QueueEmpty : public std::runtime_error {
public:
    explicit QueueEmpty(const std::string& message = "queue is empty")
        : std::runtime_error(message) {}
};

/// Raised by Queue::put_nowait() on a full queue (Python's asyncio.QueueFull).
class QueueFull : public std::runtime_error {
public:
    explicit QueueFull(const std::string& message = "queue is full")
        : std::runtime_error(message) {}
};

/// Raised by put() on a queue that has been shut down, and by get() on one that has been shut
/// down and is empty (Python 3.13's asyncio.QueueShutDown).
class QueueShutDown : public std::runtime_error {
public:
    explicit QueueShutDown(const std::string& message = "queue is shut down")
        : std::runtime_error(message) {}
};

} // namespace concur::asyncio
