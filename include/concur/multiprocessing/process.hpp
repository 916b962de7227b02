// multiprocessing.Process: a function run in a child process.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "concur/core/timeout.hpp"
#include "concur/core/unique_function.hpp"
#include "concur/multiprocessing/context.hpp"
#include "concur/multiprocessing/detail/call.hpp"
#include "concur/multiprocessing/detail/inherited_fds.hpp"
#include "concur/multiprocessing/exceptions.hpp"

namespace concur::multiprocessing {

namespace detail {
struct ProcessState;
} // namespace detail

/// Python's keyword arguments of Process(): `Process({.name = "w1", .daemon = true}, fn, 1)`.
struct ProcessOptions {
    /// The process's name; "Process-N" (with the parent's numbering) when empty.
    std::string name = {};
    /// Whether it is a daemon: ended when its parent exits, and not allowed children. By
    /// default the creating process's flag.
    std::optional<bool> daemon = std::nullopt;
    /// "fork", "spawn" or "forkserver"; empty for the default (get_start_method()).
    std::string start_method = {};
};

/// A process running `target(args...)` (Python's multiprocessing.Process). The target is a
/// function, a captureless lambda or a serialisable callable; the arguments are serialisable
/// (a type that is not fails to compile). Or derive and override run() (fork method only).
/// The parent waits at exit for non-daemon children and terminates daemon ones.
class Process {
public:
    /// A process that calls run(), for classes that override it.
    explicit Process(ProcessOptions options = {});

    template <class F, class... Args>
    requires std::is_invocable_v<F&, Args&&...>
    explicit Process(F target, Args... args)
        : Process(ProcessOptions{}, std::move(target), std::move(args)...) {}

    template <class F, class... Args>
    requires std::is_invocable_v<F&, Args&&...> Process(ProcessOptions options, F target,
                                                        Args... args)
        : Process(std::move(options)) {
        static_assert(detail::must_be_sendable<F>::value &&
                      (must_be_picklable<Args>::value && ...));
        auto call = std::make_shared<std::tuple<F, Args...>>(std::move(target), std::move(args)...);
        set_target([call] { std::apply([](auto& fn, auto&... a) { fn(std::move(a)...); }, *call); },
                   [call](std::string& out) {
                       std::apply([&](const auto& fn,
                                      const auto&... a) { detail::dump_call(out, fn, a...); },
                                  *call);
                   });
    }

    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    Process(Process&&) noexcept;
    Process& operator=(Process&&) noexcept;
    /// Leaves a running child running (the parent still waits for it at exit, as Python does).
    virtual ~Process();

    /// Starts the child. Starting twice, or from a daemon process, is a ProcessError; a spawned
    /// child that cannot start (no freeze_support() in main, exec failure) is a ProcessError.
    void start();

    /// The child's activity: calls the target. Override it in a derived class.
    virtual void run();

    /// Waits for the child to end, at most `timeout`; returns true if it has. Joining a process
    /// never started is a ProcessError.
    bool join(Timeout timeout = std::nullopt);

    /// True from start() until the child ends.
    [[nodiscard]] bool is_alive();

    /// The exit code: nullopt while running (or not started), the code the child exited with,
    /// 1 if its target threw, or -N if signal N ended it.
    [[nodiscard]] std::optional<int> exitcode();

    /// The child's process id; nullopt before start().
    [[nodiscard]] std::optional<int> pid() const;

    /// Sends SIGTERM / SIGKILL to the child (nothing if it has ended).
    void terminate();
    void kill();

    /// Releases the child's resources; ValueError if it is still running. Other methods then
    /// raise ValueError.
    void close();

    [[nodiscard]] std::string name() const;
    void set_name(std::string name);
    [[nodiscard]] bool daemon() const;
    /// ProcessError after start().
    void set_daemon(bool daemon);

    /// The child's start method.
    [[nodiscard]] std::string start_method() const;

private:
    void set_target(UniqueFunction<void()> run_here, UniqueFunction<void(std::string&)> dump);

    std::shared_ptr<detail::ProcessState> state_;
};

/// What current_process() and parent_process() describe.
struct ProcessInfo {
    std::string name;
    int pid = 0;
    bool daemon = false;
};

/// This process: "MainProcess" in the main program, else the Process it runs.
ProcessInfo current_process();

/// The parent of this process, or nullopt in the main program.
std::optional<ProcessInfo> parent_process();

/// The children started by this process that are still running (joining those that ended).
std::vector<ProcessInfo> active_children();

} // namespace concur::multiprocessing
