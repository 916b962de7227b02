// errno to OSError subclass, as Python's OSError.__new__ maps it.
#include <cerrno>

#include "concur/core/exceptions.hpp"

namespace concur {

namespace {

template <class E>
std::exception_ptr make(int errno_value, std::string&& message) {
    return std::make_exception_ptr(E(errno_value, std::move(message)));
}

} // namespace

std::exception_ptr make_os_error(int errno_value, std::string message) {
    switch (errno_value) {
    case EAGAIN:
    case EALREADY:
    case EINPROGRESS:
        return make<BlockingIOError>(errno_value, std::move(message));
    case ECHILD:
        return make<ChildProcessError>(errno_value, std::move(message));
    case EPIPE:
    case ESHUTDOWN:
        return make<BrokenPipeError>(errno_value, std::move(message));
    case ECONNABORTED:
        return make<ConnectionAbortedError>(errno_value, std::move(message));
    case ECONNREFUSED:
        return make<ConnectionRefusedError>(errno_value, std::move(message));
    case ECONNRESET:
        return make<ConnectionResetError>(errno_value, std::move(message));
    case EEXIST:
        return make<FileExistsError>(errno_value, std::move(message));
    case ENOENT:
        return make<FileNotFoundError>(errno_value, std::move(message));
    case EISDIR:
        return make<IsADirectoryError>(errno_value, std::move(message));
    case ENOTDIR:
        return make<NotADirectoryError>(errno_value, std::move(message));
    case EINTR:
        return make<InterruptedError>(errno_value, std::move(message));
    case EACCES:
    case EPERM:
        return make<PermissionError>(errno_value, std::move(message));
    case ESRCH:
        return make<ProcessLookupError>(errno_value, std::move(message));
    case ETIMEDOUT:
        return std::make_exception_ptr(TimeoutError(std::move(message)));
    default:
        return make<OSError>(errno_value, std::move(message));
    }
}

void raise_os_error(int errno_value, std::string message) {
    std::rethrow_exception(make_os_error(errno_value, std::move(message)));
}

} // namespace concur
