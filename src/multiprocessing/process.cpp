#include "concur/multiprocessing/process.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "concur/core/owned_fd.hpp"
#include "fd_io.hpp"
#include "identity.hpp"
#include "launch.hpp"

namespace concur::multiprocessing {
namespace detail {

struct ProcessState {
    std::mutex mutex;
    std::string name;
    std::optional<bool> daemon;
    std::string method;
    UniqueFunction<void()> run_here;
    UniqueFunction<void(std::string&)> dump;
    bool started = false;
    bool closed = false;
    int pid = -1;
    OwnedFd pidfd;
    OwnedFd status; // forkserver children: where the server reports the exit status
    std::optional<int> exitcode;

    // Collects the exit status if the child has ended (waiting at most until `deadline`);
    // mutex held.
    bool reap(const Deadline& deadline) {
        if (exitcode || !started) {
            return exitcode.has_value();
        }
        const int watched = status ? status.get() : pidfd.get();
        if (!wait_readable(watched, deadline)) {
            return false;
        }
        int wait_status = 0;
        if (status) {
            std::string frame;
            if (recv_frame(status.get(), frame) && frame.size() == sizeof wait_status) {
                std::memcpy(&wait_status, frame.data(), sizeof wait_status);
            } else {
                wait_status = SIGKILL; // the server went away: the child's fate is unknown
            }
            status.close();
        } else {
            while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
            }
        }
        exitcode = exitcode_of(wait_status);
        pidfd.close();
        return true;
    }

    void signal(int sig) {
        std::lock_guard lock(mutex);
        if (started && !exitcode && pidfd) {
            ::syscall(SYS_pidfd_send_signal, pidfd.get(), sig, nullptr, 0);
        }
    }
};

namespace {

struct Children {
    std::mutex mutex;
    std::vector<std::shared_ptr<ProcessState>> list;
};

Children& children() {
    static Children instance;
    return instance;
}

// Python's _exit_function: terminate daemonic children, then wait for every child.
void at_exit() {
    std::vector<std::shared_ptr<ProcessState>> list;
    {
        std::lock_guard lock(children().mutex);
        list.swap(children().list);
    }
    for (auto& s : list) {
        if (s->daemon.value_or(false)) {
            s->signal(SIGTERM);
        }
    }
    for (auto& s : list) {
        std::lock_guard lock(s->mutex);
        s->reap(Deadline{});
    }
}

// Forgets children that have ended, as Python's _cleanup() does at each start.
void prune() {
    std::lock_guard lock(children().mutex);
    auto& list = children().list;
    std::erase_if(list, [](const std::shared_ptr<ProcessState>& s) {
        std::lock_guard inner(s->mutex);
        return s->reap(Deadline::after(std::chrono::seconds(0)));
    });
}

void register_child(std::shared_ptr<ProcessState> state) {
    static const bool registered = [] {
        std::atexit(at_exit);
        return true;
    }();
    (void)registered;
    std::lock_guard lock(children().mutex);
    // A forked child inherits its parent's list, which is not its own.
    static pid_t owner = ::getpid();
    if (owner != ::getpid()) {
        children().list.clear();
        owner = ::getpid();
    }
    children().list.push_back(std::move(state));
}

} // namespace
} // namespace detail

Process::Process(ProcessOptions options) : state_(std::make_shared<detail::ProcessState>()) {
    state_->name = std::move(options.name);
    state_->daemon = options.daemon;
    state_->method = std::move(options.start_method);
    if (!state_->method.empty()) {
        (void)get_context(state_->method); // ValueError for an unknown method
    }
}

Process::Process(Process&&) noexcept = default;
Process& Process::operator=(Process&&) noexcept = default;
Process::~Process() = default;

void Process::set_target(UniqueFunction<void()> run_here, UniqueFunction<void(std::string&)> dump) {
    state_->run_here = std::move(run_here);
    state_->dump = std::move(dump);
}

void Process::run() {
    if (state_->run_here) {
        state_->run_here();
    }
}

void Process::start() {
    if (detail::spawned_without_bootstrap()) {
        std::fputs("concur: a process started by spawn or forkserver is starting a process before "
                   "its bootstrapping finished: call "
                   "concur::multiprocessing::freeze_support(argc, argv) first in main\n",
                   stderr);
        std::_Exit(detail::kNoFreezeSupport);
    }
    auto& s = *state_;
    std::unique_lock lock(s.mutex);
    if (s.closed) {
        throw ValueError("process object is closed");
    }
    if (s.started) {
        throw ProcessError("cannot start a process twice");
    }
    detail::BootRecord record;
    {
        std::lock_guard id_lock(detail::identity_mutex());
        auto& id = detail::identity();
        if (id.daemon) {
            throw ProcessError("daemonic processes are not allowed to have children");
        }
        ++id.children_started;
        if (s.name.empty()) {
            s.name = id.is_child ? id.name + ":" + std::to_string(id.children_started)
                                 : "Process-" + std::to_string(id.children_started);
        }
        if (!s.daemon) {
            s.daemon = id.daemon;
        }
        record.parent_name = id.name;
    }
    if (s.method.empty()) {
        s.method = get_start_method();
    }
    lock.unlock();
    detail::prune();
    lock.lock();
    record.name = s.name;
    record.daemon = *s.daemon;
    record.parent_pid = ::getpid();
    record.start_method = s.method;
    detail::Launched launched;
    if (s.method == "fork") {
        UniqueFunction<void()> body = [this] { run(); };
        launched = detail::launch_fork(record, body);
    } else {
        if (!s.dump) {
            throw ProcessError("a Process that overrides run() can start only by the fork method; "
                               "for " +
                               s.method + ", give Process a function and its arguments");
        }
        std::vector<int> fds;
        {
            detail::LaunchScope scope;
            s.dump(record.target);
            fds = scope.fds();
        }
        launched = s.method == "spawn" ? detail::launch_spawn(std::move(record), fds)
                                       : detail::launch_forkserver(std::move(record), fds);
    }
    s.pid = launched.pid;
    s.pidfd = std::move(launched.pidfd);
    s.status = std::move(launched.status);
    s.started = true;
    // The target and its arguments now belong to the child, as CPython's start() drops them:
    // the parent's copy of a pipe end must not keep the pipe open.
    s.run_here = {};
    s.dump = {};
    lock.unlock();
    detail::register_child(state_);
}

bool Process::join(Timeout timeout) {
    std::lock_guard lock(state_->mutex);
    if (state_->closed) {
        throw ValueError("process object is closed");
    }
    if (!state_->started) {
        throw ProcessError("can only join a started process");
    }
    return state_->reap(Deadline::after(timeout));
}

bool Process::is_alive() {
    std::lock_guard lock(state_->mutex);
    if (state_->closed) {
        throw ValueError("process object is closed");
    }
    return state_->started && !state_->reap(Deadline::after(std::chrono::seconds(0)));
}

std::optional<int> Process::exitcode() {
    std::lock_guard lock(state_->mutex);
    if (state_->closed) {
        throw ValueError("process object is closed");
    }
    state_->reap(Deadline::after(std::chrono::seconds(0)));
    return state_->exitcode;
}

std::optional<int> Process::pid() const {
    std::lock_guard lock(state_->mutex);
    return state_->started ? std::optional<int>(state_->pid) : std::nullopt;
}

void Process::terminate() {
    state_->signal(SIGTERM);
}
void Process::kill() {
    state_->signal(SIGKILL);
}

void Process::close() {
    std::lock_guard lock(state_->mutex);
    if (state_->started && !state_->reap(Deadline::after(std::chrono::seconds(0)))) {
        throw ValueError("Cannot close a process while it is still running. You should first "
                         "call join() or terminate().");
    }
    state_->closed = true;
    state_->run_here = {};
    state_->dump = {};
}

std::string Process::name() const {
    std::lock_guard lock(state_->mutex);
    return state_->name;
}
void Process::set_name(std::string name) {
    std::lock_guard lock(state_->mutex);
    state_->name = std::move(name);
}
bool Process::daemon() const {
    std::lock_guard lock(state_->mutex);
    if (state_->daemon) {
        return *state_->daemon;
    }
    std::lock_guard id_lock(detail::identity_mutex());
    return detail::identity().daemon;
}
void Process::set_daemon(bool daemon) {
    std::lock_guard lock(state_->mutex);
    if (state_->started) {
        throw ProcessError("process has already started");
    }
    state_->daemon = daemon;
}
std::string Process::start_method() const {
    std::lock_guard lock(state_->mutex);
    return state_->method.empty() ? get_start_method() : state_->method;
}

ProcessInfo current_process() {
    std::lock_guard lock(detail::identity_mutex());
    const auto& id = detail::identity();
    return {id.name, static_cast<int>(::getpid()), id.daemon};
}

std::optional<ProcessInfo> parent_process() {
    std::lock_guard lock(detail::identity_mutex());
    const auto& id = detail::identity();
    if (!id.is_child) {
        return std::nullopt;
    }
    return ProcessInfo{id.parent_name, id.parent_pid, false};
}

std::vector<ProcessInfo> active_children() {
    detail::prune();
    std::vector<ProcessInfo> out;
    std::lock_guard lock(detail::children().mutex);
    for (auto& s : detail::children().list) {
        std::lock_guard inner(s->mutex);
        out.push_back({s->name, s->pid, s->daemon.value_or(false)});
    }
    return out;
}

} // namespace concur::multiprocessing
