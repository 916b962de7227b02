// Starting a child process by each start method, and the child's side of the start.
#pragma once

#include <spawn.h>

#include <string>
#include <vector>

#include "concur/core/owned_fd.hpp"
#include "concur/core/unique_function.hpp"

namespace concur::multiprocessing::detail {

/// Who a child is, and what it runs: the spawn and forkserver methods send this to it.
struct BootRecord {
    std::string name;
    bool daemon = false;
    int parent_pid = 0;
    std::string parent_name;
    std::string start_method;
    std::vector<int> fds; // the child's inherited descriptors (spawn: their numbers there)
    std::string target;   // a dump_call() message

    template <class Archive>
    void serialize(Archive& archive) {
        archive(name, daemon, parent_pid, parent_name, start_method, fds, target);
    }
};

/// A started child. `status`: for fork and spawn, -1 (the parent reaps it with waitpid); for
/// the forkserver method, the socket on which the server reports the wait status.
struct Launched {
    int pid = -1;
    OwnedFd pidfd;
    OwnedFd status;
};

/// Runs this program again (posix_spawn of /proc/self/exe) as `program mode fd`, with
/// `actions` (consumed), marked as a multiprocessing child; returns its pid.
int spawn_self(const char* mode, int fd, posix_spawn_file_actions_t& actions);

/// Forks; the child runs `body` with `record`'s identity and exits with its code.
Launched launch_fork(const BootRecord& record, UniqueFunction<void()>& body);

/// Runs this program again with `record` (fds: this process's descriptors to pass), and waits
/// until the child has read it.
Launched launch_spawn(BootRecord record, const std::vector<int>& fds);

/// Asks the fork server (started on first use) for a child running `record`.
Launched launch_forkserver(BootRecord record, const std::vector<int>& fds);

/// The child's side: takes `record`'s identity, tells the parent it started (on boot_fd, if
/// any), runs the target and exits: 0, or 1 if the target threw.
[[noreturn]] void run_child(BootRecord& record, int boot_fd);

/// The exit status of a spawned program that never reached freeze_support().
inline constexpr int kNoFreezeSupport = 121;

/// Runs the fork server on `control` (this program started with --concur-forkserver).
[[noreturn]] void run_forkserver(int control);

/// Sets this process's identity (a child's, after fork or exec).
void become_child(const BootRecord& record);

/// The wait status -> Python's exitcode: the exit code, or -N for signal N.
int exitcode_of(int wait_status) noexcept;

/// Flushes C and C++ standard streams: a forked child must, before _exit.
void flush_std_streams() noexcept;

} // namespace concur::multiprocessing::detail
