// Subprocesses (Python's asyncio.subprocess): programs run from coroutines, their standard
// streams as StreamReader and StreamWriter, waited for on the loop, never left as zombies.
#pragma once

#include <concepts>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <type_traits>
#include <utility>
#include <vector>

#include "concur/asyncio/coroutine.hpp"
#include "concur/asyncio/detail/child_process.hpp"
#include "concur/asyncio/streams.hpp"

namespace concur::asyncio {

namespace subprocess {

/// A new pipe to the child (Python's asyncio.subprocess.PIPE).
inline constexpr int PIPE = detail::PIPE;
/// stderr goes where stdout goes (Python's asyncio.subprocess.STDOUT).
inline constexpr int STDOUT = detail::STDOUT;
/// /dev/null (Python's asyncio.subprocess.DEVNULL).
inline constexpr int DEVNULL = detail::DEVNULL;

/// The keyword arguments of create_subprocess_exec()/create_subprocess_shell(): Python's
/// stdin, stdout, stderr (underscored: they are C macros), limit, and the Popen ones.
struct Options {
    /// std::nullopt inherits the parent's stream; PIPE, DEVNULL, STDOUT (stderr only), or a
    /// descriptor.
    std::optional<int> stdin_ = std::nullopt;
    std::optional<int> stdout_ = std::nullopt;
    std::optional<int> stderr_ = std::nullopt;
    /// The buffer limit of the StreamReaders.
    std::size_t limit = DEFAULT_LIMIT;
    std::optional<std::string> cwd = std::nullopt;
    /// The child's whole environment; std::nullopt: the parent's.
    std::optional<std::map<std::string, std::string>> env = std::nullopt;
    bool start_new_session = false;
    std::optional<pid_t> process_group = std::nullopt;
    bool close_fds = true;
    std::vector<int> pass_fds = {};
};

/// A child process (Python's asyncio.subprocess.Process). A handle: copies share the child.
class Process {
public:
    /// The child's process id.
    [[nodiscard]] pid_t pid() const noexcept { return child_.pid(); }
    /// std::nullopt while the child runs; then its exit status, or -N if signal N ended it.
    [[nodiscard]] std::optional<int> returncode() const noexcept { return child_.returncode(); }
    /// The child's stdin, stdout and stderr as streams, when they were given as PIPE.
    std::optional<StreamWriter> stdin_;
    std::optional<StreamReader> stdout_;
    std::optional<StreamReader> stderr_;

    /// Waits for the child to exit and returns its returncode. With stdout or stderr a PIPE,
    /// read them meanwhile (or use communicate()): a child blocked on a full pipe never exits.
    /// Cancel safety: the child goes on, and is still reaped when it exits.
    Coroutine<int> wait();
    /// Sends `input` to stdin (then closes it), reads stdout and stderr to their end, waits for
    /// the child to exit, and returns (stdout, stderr) — each std::nullopt unless a PIPE. A
    /// child that stops reading its stdin early is not an error (BrokenPipeError is ignored).
    Coroutine<std::pair<std::optional<std::string>, std::optional<std::string>>>
    communicate(std::optional<std::string> input = std::nullopt);
    /// Sends `sig` to the child. ProcessLookupError once it has been waited for.
    void send_signal(int sig) { child_.send_signal(sig); }
    void terminate() { child_.terminate(); }
    void kill() { child_.kill(); }

private:
    friend Coroutine<Process> create_process(detail::SpawnOptions spawn, std::size_t limit);
    detail::ChildHandle child_;
};

} // namespace subprocess

/// Runs `args[0]` (looked up in PATH) with the arguments that follow (Python's
/// asyncio.create_subprocess_exec). FileNotFoundError, PermissionError... if it cannot start.
Coroutine<subprocess::Process> create_subprocess_exec(std::vector<std::string> args,
                                                      subprocess::Options options = {});

namespace detail {
template <class A>
concept SubprocessArgument = std::convertible_to<A, std::string_view> ||
    std::same_as<std::remove_cvref_t<A>, subprocess::Options>;
inline void collect_argument(std::vector<std::string>& args, subprocess::Options&,
                             std::string_view arg) {
    args.emplace_back(arg);
}
inline void collect_argument(std::vector<std::string>&, subprocess::Options& options,
                             subprocess::Options given) {
    options = std::move(given);
}
} // namespace detail

/// Python's spelling, create_subprocess_exec(program, *args, **options):
/// create_subprocess_exec("ls", "-l", subprocess::Options{.stdout_ = subprocess::PIPE}).
template <class Program, class... Args>
requires std::convertible_to<Program, std::string_view> &&(detail::SubprocessArgument<Args>&&...)
    Coroutine<subprocess::Process> create_subprocess_exec(Program&& program, Args&&... args) {
    std::vector<std::string> argv{std::string(std::string_view(program))};
    subprocess::Options options;
    (detail::collect_argument(argv, options, std::forward<Args>(args)), ...);
    return create_subprocess_exec(std::move(argv), std::move(options));
}

/// Runs `cmd` with /bin/sh -c (Python's asyncio.create_subprocess_shell).
Coroutine<subprocess::Process> create_subprocess_shell(std::string cmd,
                                                       subprocess::Options options = {});

} // namespace concur::asyncio
