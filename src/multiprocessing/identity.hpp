// This process's identity as multiprocessing sees it: main program or child, name, parent.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

namespace concur::multiprocessing::detail {

struct Identity {
    std::string name = "MainProcess";
    bool daemon = false;
    bool is_child = false;
    int parent_pid = 0;
    std::string parent_name;
    int children_started = 0; // numbers the "Process-N" names
};

/// The identity, under its lock.
Identity& identity();
std::mutex& identity_mutex();

/// freeze_support() has taken over this process (a spawned child).
void mark_bootstrapped() noexcept;

/// True in a program started by spawn or forkserver until freeze_support() took over.
bool spawned_without_bootstrap() noexcept;

} // namespace concur::multiprocessing::detail
