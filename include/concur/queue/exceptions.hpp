// The exceptions of Python's queue module.
#pragma once

#include <stdexcept>
#include <string>

namespace concur::queue {

/// Raised by a non-blocking get() (or get_nowait()) on an empty queue, and by a get() whose
/// timeout passes before an item arrives (Python's queue.Empty).
class Empty : public std::runtime_error {
public:
    explicit Empty(const std::string& message = "queue is empty") : std::runtime_error(message) {}
};

/// Raised by a non-blocking put() (or put_nowait()) on a full queue, and by a put() whose
/// timeout passes before a slot frees up (Python's queue.Full).
class Full : public std::runtime_error {
public:
    explicit Full(const std::string& message = "queue is full") : std::runtime_error(message) {}
};

/// Raised by put() on a queue that has been shut down, and by get() on one that has been shut
/// down and is empty (Python's queue.ShutDown, new in 3.13).
class ShutDown : public std::runtime_error {
public:
    explicit ShutDown(const std::string& message = "queue is shut down")
        : std::runtime_error(message) {}
};

} // namespace concur::queue
