// threading.excepthook: what happens to an exception that escapes a thread.
#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <string>

#include "concur/threading/thread.hpp"

namespace concur::threading {

/// What excepthook receives (Python's threading.ExceptHookArgs).
struct ExceptHookArgs {
    /// The exception's dynamic type name ("std::runtime_error").
    std::string exc_type;
    /// The exception itself: std::rethrow_exception(exc_value) to inspect it.
    std::exception_ptr exc_value;
    /// The thread it escaped from.
    std::optional<Thread> thread;
};

using ExceptHook = std::function<void(const ExceptHookArgs&)>;

/// The default hook (Python's threading.__excepthook__): prints
/// "Exception in thread NAME:" and "Type: message" to stderr.
void default_excepthook(const ExceptHookArgs& args);

/// Replaces the hook called for an exception escaping any thread (assigning
/// threading.excepthook in Python); an empty function restores the default. An exception thrown
/// by the hook itself is reported on stderr and ignored.
void set_excepthook(ExceptHook hook);

/// The hook in force.
ExceptHook get_excepthook();

} // namespace concur::threading
