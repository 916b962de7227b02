// Start methods and contexts: how a new process begins (Python's multiprocessing.context).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace concur::multiprocessing {

/// A start method (Python's context object): "fork", "spawn" or "forkserver".
struct Context {
    std::string start_method;
    /// The method's name, as Python's get_start_method().
    [[nodiscard]] const std::string& get_start_method() const noexcept { return start_method; }
};

/// The context of a start method; ValueError for an unknown name. An empty name is the default.
Context get_context(std::string_view method = {});

/// Sets the default start method ("fork" on Linux until set). RuntimeError ("context has
/// already been set") if set before, unless `force`.
void set_start_method(std::string_view method, bool force = false);

/// The default start method; "fork" if none was set.
std::string get_start_method();

/// The start methods this platform has: {"fork", "spawn", "forkserver"}.
std::vector<std::string> get_all_start_methods();

/// The `if __name__ == "__main__":` of C++: call it first in main. In a process that the spawn
/// or forkserver method started (which runs this program again), it runs that process's work
/// and never returns; elsewhere it returns at once. A spawned program that lacks the call fails
/// at once with a message saying so.
void freeze_support(int argc, char** argv);

/// The number of CPUs in the system (Python's os.cpu_count()).
int cpu_count() noexcept;

} // namespace concur::multiprocessing
