// Child processes for asyncio's subprocesses (the base of create_subprocess_exec and
// create_subprocess_shell): starting a program with its standard streams redirected, and
// waiting for it on the loop without leaving a zombie (Python's PidfdChildWatcher).
#pragma once

#include <csignal>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

#include "concur/asyncio/coroutine.hpp"
#include "concur/asyncio/events.hpp"
#include "concur/core/owned_fd.hpp"

namespace concur::asyncio::detail {

/// A standard stream of the child: a new pipe (the parent's end is returned), as Python's
/// subprocess.PIPE (the same values as Python's).
inline constexpr int PIPE = -1;
/// The child's stderr goes where its stdout goes (stderr only), as Python's subprocess.STDOUT.
inline constexpr int STDOUT = -2;
/// The stream is /dev/null, as Python's subprocess.DEVNULL.
inline constexpr int DEVNULL = -3;

/// Python's Popen keyword arguments that asyncio's subprocess functions pass on.
struct SpawnOptions {
    /// The program and its arguments. The program is looked up in PATH unless it holds a '/'
    /// (execvp's rule; with `env` given, in that environment's PATH, as Python does).
    std::vector<std::string> args = {};
    /// Runs `/bin/sh -c args[0] args[1:]...` instead (Python's shell=True).
    bool shell = false;
    /// Each standard stream: std::nullopt inherits the parent's (Python's None); PIPE, DEVNULL,
    /// STDOUT (stderr only), or a descriptor the child gets as that stream. (stdin, stdout and
    /// stderr are C macros, hence the underscore.)
    std::optional<int> stdin_ = std::nullopt;
    std::optional<int> stdout_ = std::nullopt;
    std::optional<int> stderr_ = std::nullopt;
    /// The child's working directory; std::nullopt: the parent's.
    std::optional<std::string> cwd = std::nullopt;
    /// The child's whole environment; std::nullopt: the parent's.
    std::optional<std::map<std::string, std::string>> env = std::nullopt;
    /// setsid() in the child.
    bool start_new_session = false;
    /// setpgid(0, process_group) in the child (0: a new group led by the child).
    std::optional<pid_t> process_group = std::nullopt;
    /// Closes every descriptor from 3 up in the child, except pass_fds (Python's default).
    bool close_fds = true;
    /// Descriptors the child keeps, at the same numbers; implies close_fds, as in Python.
    std::vector<int> pass_fds = {};
};

/// The parent's end of one of the child's pipes (non-blocking, close-on-exec).
using PipeFd = concur::OwnedFd;

class ChildProcess;

/// A started child, bound to the loop that started it, which reaps it as soon as it exits
/// (whether anyone waits or not). A handle: copies share one child. Loop thread only.
class ChildHandle {
public:
    ChildHandle() = default;
    explicit ChildHandle(std::shared_ptr<ChildProcess> state) noexcept : state_(std::move(state)) {}

    explicit operator bool() const noexcept { return state_ != nullptr; }
    /// The child's process id.
    [[nodiscard]] pid_t pid() const noexcept;
    /// Python's returncode: std::nullopt until the child has been reaped; then its exit status,
    /// or -N if signal N ended it.
    [[nodiscard]] std::optional<int> returncode() const noexcept;
    /// Sends `sig` to the child (through its pidfd: never to a recycled pid). A child that has
    /// exited but is not yet reaped is not an error (Python swallows that ProcessLookupError);
    /// once it has been reaped, ProcessLookupError, as Python's Process.send_signal() raises
    /// once the process has finished.
    void send_signal(int sig);
    /// send_signal(SIGTERM).
    void terminate() { send_signal(SIGTERM); }
    /// send_signal(SIGKILL).
    void kill() { send_signal(SIGKILL); }

    [[nodiscard]] ChildProcess* state() const noexcept { return state_.get(); }

private:
    std::shared_ptr<ChildProcess> state_;
};

/// What spawn_child() returns: the child, and the parent's end of each stream given as PIPE
/// (empty for the others).
struct SpawnedChild {
    ChildHandle process;
    PipeFd stdin_;
    PipeFd stdout_;
    PipeFd stderr_;
};

/// Starts a child (Python's Popen, as asyncio's subprocess transport makes it) on `loop`,
/// which must be open and is the running loop or one not running. A program that cannot be
/// started raises the OSError subclass Python raises (FileNotFoundError for a missing program
/// or cwd, PermissionError when it is not executable...), with nothing left behind. ValueError
/// for empty args or STDOUT anywhere but stderr_. Linux ≥ 5.3 (pidfd_open).
SpawnedChild spawn_child(EventLoop& loop, const SpawnOptions& options);

/// Waits until the child has exited and returns its returncode (Python's Process.wait()); at
/// once if it has. Any number of tasks of the child's loop may wait at the same time.
/// RuntimeError from another loop's task, or if the child's loop closed before it exited. Cancel
/// safety: only this wait ends (CancelledError); the child is still reaped when it exits.
Coroutine<int> wait_child(ChildHandle child);

} // namespace concur::asyncio::detail
