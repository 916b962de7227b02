// Exceptions crossing a process boundary: the worker writes what it caught; the caller
// rebuilds the same type where it knows it (standard and concur exceptions), else RemoteError.
#pragma once

#include <exception>
#include <string>
#include <string_view>

namespace concur::multiprocessing::detail {

/// Appends the exception being handled (call inside a catch block) to `out`: its type's name,
/// its message, its errno if it has one, and `context` (where it was raised).
void dump_current_exception(std::string& out, std::string_view context);

/// "type: message" of the exception being handled (call inside a catch block), for reports.
std::string describe_current_exception();

/// The exception a dump_current_exception() record describes, rebuilt.
std::exception_ptr load_exception(std::string_view record);

} // namespace concur::multiprocessing::detail
