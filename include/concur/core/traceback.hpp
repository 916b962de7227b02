// Describing an exception in flight, as Python's traceback module prints one.
#pragma once

#include <exception>
#include <string>
#include <string_view>

namespace concur {

/// The demangled name of the exception's dynamic type ("std::runtime_error"); "" for null.
std::string exception_type_name(const std::exception_ptr& exc);

/// The exception's message (`what()`), or "" when its type has none.
std::string exception_message(const std::exception_ptr& exc);

/// "TypeName: message" (just "TypeName" when the message is empty), as Python's
/// traceback.format_exception_only.
std::string format_exception(const std::exception_ptr& exc);

/// Writes `context`, then the formatted exception (if any), to stderr in one write, so that
/// lines from several threads never interleave. The error reporting of callbacks and hooks.
void log_exception(std::string_view context, const std::exception_ptr& exc);

} // namespace concur
