// The exception types shared by every concur module, named after Python's built-ins and the
// exceptions of concurrent.futures and asyncio.
#pragma once

#include <cerrno>
#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace concur {

/// Python's ValueError: an argument has the right type but a bad value.
using ValueError = std::invalid_argument;

/// Python's RuntimeError: the operation is not allowed in the object's current state.
using RuntimeError = std::runtime_error;

/// Python's NotImplementedError (a RuntimeError): the object does not support the operation.
class NotImplementedError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Python's BaseException: the root of errors that `catch (const std::exception&)` does not
/// catch, as `except Exception:` does not catch them in Python.
class BaseException {
public:
    explicit BaseException(std::string message = {}) : message_(std::move(message)) {}
    BaseException(const BaseException&) = default;
    BaseException& operator=(const BaseException&) = default;
    virtual ~BaseException() = default;

    /// The message given at construction (may be empty).
    [[nodiscard]] virtual const char* what() const noexcept { return message_.c_str(); }

private:
    std::string message_;
};

/// Python's TypeError: an operation or argument of the wrong kind, such as a send() of a value
/// into a generator that has not started. A logic error: the call is wrong, whatever the state.
class TypeError : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

/// Python's StopIteration: next() (or send(), throw_()) found the iterator exhausted. An
/// Exception, as in Python; `what()` is empty, as `str(StopIteration())` is.
class StopIteration : public std::exception {
public:
    [[nodiscard]] const char* what() const noexcept override { return ""; }
};

/// The operation was cancelled. One type serves futures and coroutines alike, so a
/// cancellation crosses from one to the other unchanged. It is a BaseException, as asyncio's
/// CancelledError is, so that `catch (const std::exception&)` cannot swallow a cancellation.
/// (Python's concurrent.futures.CancelledError is an Exception: see python-differences.md.)
class CancelledError : public BaseException {
public:
    using BaseException::BaseException;
};

/// Python's KeyboardInterrupt: the user pressed Ctrl-C (SIGINT). asyncio::run() raises it when a
/// SIGINT cancelled its main task. A BaseException, so that `catch (const std::exception&)`
/// does not swallow it.
class KeyboardInterrupt : public BaseException {
public:
    using BaseException::BaseException;
};

/// Python's OSError: a system-level failure. `code()` holds the errno value; `what()` is the
/// message alone, as `str(exc)` is in Python.
class OSError : public std::system_error {
public:
    OSError(int errno_value, std::string message)
        : std::system_error(errno_value, std::generic_category()), message_(std::move(message)) {}

    [[nodiscard]] const char* what() const noexcept override { return message_.c_str(); }

private:
    std::string message_;
};

/// Python's OSError subclasses, chosen by errno as Python chooses them (see raise_os_error()).
#define CONCUR_OS_ERROR_SUBCLASS(Name, Base)                                                       \
    class Name : public Base {                                                                     \
    public:                                                                                        \
        using Base::Base;                                                                          \
    };
/// The peer or the system ended a connection (Python's ConnectionError and its subclasses).
CONCUR_OS_ERROR_SUBCLASS(ConnectionError, OSError)
CONCUR_OS_ERROR_SUBCLASS(BrokenPipeError, ConnectionError)
CONCUR_OS_ERROR_SUBCLASS(ConnectionAbortedError, ConnectionError)
CONCUR_OS_ERROR_SUBCLASS(ConnectionRefusedError, ConnectionError)
CONCUR_OS_ERROR_SUBCLASS(ConnectionResetError, ConnectionError)
/// A non-blocking operation would block (EAGAIN).
CONCUR_OS_ERROR_SUBCLASS(BlockingIOError, OSError)
/// waitpid() has no such child (ECHILD).
CONCUR_OS_ERROR_SUBCLASS(ChildProcessError, OSError)
CONCUR_OS_ERROR_SUBCLASS(FileExistsError, OSError)
CONCUR_OS_ERROR_SUBCLASS(FileNotFoundError, OSError)
CONCUR_OS_ERROR_SUBCLASS(InterruptedError, OSError)
CONCUR_OS_ERROR_SUBCLASS(IsADirectoryError, OSError)
CONCUR_OS_ERROR_SUBCLASS(NotADirectoryError, OSError)
CONCUR_OS_ERROR_SUBCLASS(PermissionError, OSError)
/// No such process (ESRCH).
CONCUR_OS_ERROR_SUBCLASS(ProcessLookupError, OSError)
#undef CONCUR_OS_ERROR_SUBCLASS

/// The OSError subclass Python raises for `errno_value`, as an exception_ptr.
std::exception_ptr make_os_error(int errno_value, std::string message);
/// Throws the OSError subclass Python raises for `errno_value` (ECONNREFUSED:
/// ConnectionRefusedError, ENOENT: FileNotFoundError...), OSError itself for the others.
[[noreturn]] void raise_os_error(int errno_value, std::string message);

/// Python's TimeoutError (an OSError with errno ETIMEDOUT): a blocking call ran out of time.
class TimeoutError : public OSError {
public:
    explicit TimeoutError(std::string message = {}) : OSError(ETIMEDOUT, std::move(message)) {}
};

/// An operation on a future that is not allowed in its state, such as a second set_result
/// (Python's concurrent.futures.InvalidStateError and asyncio.InvalidStateError).
class InvalidStateError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// An executor can no longer run work: a worker failed to start, died, or its initializer threw
/// (Python's concurrent.futures.BrokenExecutor).
class BrokenExecutor : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Python's KeyError: a key (for selectors, a file descriptor) is not in the mapping, or is
/// already there when it must not be. A std::out_of_range, the standard library's own
/// "no such key" (map::at).
class KeyError : public std::out_of_range {
public:
    using std::out_of_range::out_of_range;
};

/// Several exceptions raised together (Python's ExceptionGroup and BaseExceptionGroup): what a
/// TaskGroup raises when children fail. `what()` is "message (N sub-exceptions)".
class ExceptionGroup : public std::exception {
public:
    ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions)
        : message_(std::move(message)), exceptions_(std::move(exceptions)),
          what_(message_ + " (" + std::to_string(exceptions_.size()) +
                (exceptions_.size() == 1 ? " sub-exception)" : " sub-exceptions)")) {}

    [[nodiscard]] const char* what() const noexcept override { return what_.c_str(); }
    /// The message alone.
    [[nodiscard]] const std::string& message() const noexcept { return message_; }
    /// The exceptions, in the order they were raised.
    [[nodiscard]] const std::vector<std::exception_ptr>& exceptions() const noexcept {
        return exceptions_;
    }

private:
    std::string message_;
    std::vector<std::exception_ptr> exceptions_;
    std::string what_;
};

} // namespace concur
