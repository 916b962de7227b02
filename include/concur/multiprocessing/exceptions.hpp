// The exceptions of multiprocessing, under the names Python gives them.
#pragma once

#include <string>

#include "concur/core/exceptions.hpp"

namespace concur::multiprocessing {

using concur::TimeoutError;

/// The base of multiprocessing's own errors (Python's multiprocessing.ProcessError).
class ProcessError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A buffer given to recv_bytes_into() is too small for the message (Python's BufferTooShort).
class BufferTooShort : public ProcessError {
public:
    using ProcessError::ProcessError;
};

/// The other end of a connection was closed with nothing left to read (Python's built-in
/// EOFError, which Connection.recv() raises).
class EOFError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A worker process died (crash, _exit, a signal) or its initializer failed: the pool runs no
/// more work. Pending and new work fail with this (Python's
/// concurrent.futures.process.BrokenProcessPool).
class BrokenProcessPool : public BrokenExecutor {
public:
    using BrokenExecutor::BrokenExecutor;
};

/// An exception raised in another process whose type this one cannot rebuild: it carries the
/// type's name, its message and where it was raised (Python's multiprocessing RemoteError).
class RemoteError : public std::runtime_error {
public:
    RemoteError(std::string type_name, std::string message, std::string context)
        : std::runtime_error(type_name + ": " + message + " (" + context + ")"),
          type_name_(std::move(type_name)), message_(std::move(message)),
          context_(std::move(context)) {}

    /// The exception's type in the process that raised it, e.g. "app::ParseError".
    [[nodiscard]] const std::string& type_name() const noexcept { return type_name_; }
    /// Its what().
    [[nodiscard]] const std::string& message() const noexcept { return message_; }
    /// The raising process and call, e.g. "in process SpawnPoolWorker-1 (pid 1234)".
    [[nodiscard]] const std::string& context() const noexcept { return context_; }

private:
    std::string type_name_;
    std::string message_;
    std::string context_;
};

} // namespace concur::multiprocessing
