// Child processes: posix_spawn with the streams, directory, environment, session and
// descriptors Python's Popen sets up, then a pidfd watched by the loop, which reaps the child
// as soon as it exits (Python's PidfdChildWatcher).
//
// posix_spawn (glibc: clone(CLONE_VM|CLONE_VFORK), then exec) covers every option, reports an
// exec failure as its return value, and leaves no child behind when it fails; it also runs in
// a multithreaded process, under the sanitizers, without fork's hazards.
#include "concur/asyncio/detail/child_process.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <spawn.h>
#include <string_view>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "concur/asyncio/locks.hpp"
#include "concur/core/exceptions.hpp"
#include "concur/core/traceback.hpp"

extern char** environ; // NOLINT: POSIX declares it nowhere

namespace concur::asyncio::detail {

namespace {

std::string errno_text(int e) {
    return "[Errno " + std::to_string(e) + "] " + std::generic_category().message(e);
}

[[noreturn]] void raise_errno(int e, const std::string& what) {
    raise_os_error(e, what + ": " + errno_text(e));
}

// Python's os.waitstatus_to_exitcode.
int exit_code(int status) {
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
        return -WTERMSIG(status);
    }
    return 255;
}

// A child whose loop closed before it exited: one thread blocks in waitpid() until it does, so
// that it does not stay a zombie (Python's ThreadedChildWatcher does this for every child).
void reap_in_background(pid_t pid) noexcept {
    try {
        std::thread([pid] {
            int status = 0;
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
        }).detach();
    } catch (...) {
        // No thread to be had: the child stays a zombie until this process exits.
    }
}

int pidfd_open(pid_t pid) noexcept {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

int pidfd_send_signal(int pidfd, int sig) noexcept {
    return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

// Kills a child that was started but cannot be watched, and reaps it.
void kill_and_reap(pid_t pid, int pidfd) noexcept {
    if (pidfd >= 0) {
        pidfd_send_signal(pidfd, SIGKILL);
    } else {
        ::kill(pid, SIGKILL); // not reaped yet: the pid is still this child's
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

} // namespace

/// A child and its watch: kept alive by its handles, and by itself while the loop watches its
/// pidfd, so that it is reaped even when every handle is gone. Loop thread only.
class ChildProcess final : public LoopResource {
public:
    ChildProcess(EventLoop& loop, pid_t pid, int pidfd) noexcept
        : loop_(&loop), pid_(pid), pidfd_(pidfd) {}
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess() {
        if (pidfd_ >= 0) {
            ::close(pidfd_);
        }
    }

    /// Watches the pidfd; `self` is this object, kept alive until the child is reaped.
    void start(std::shared_ptr<ChildProcess> self) {
        loop_->add_reader(pidfd_, [this] { on_exit(); });
        loop_->link_resource(this);
        self_ = std::move(self);
    }

    // The loop closes with the child still running: it is reaped in the background. The pidfd
    // stays open for send_signal(); the loop forgets its watch.
    void loop_closing() noexcept override {
        const std::shared_ptr<ChildProcess> keep = std::move(self_);
        loop_ = nullptr;
        if (!returncode_) {
            reap_in_background(pid_);
        }
    }

    EventLoop* loop_;
    pid_t pid_;
    int pidfd_;
    std::optional<int> returncode_;
    Event exited_;

private:
    // The pidfd is readable: the child has exited.
    void on_exit() {
        int status = 0;
        pid_t r = 0;
        do {
            r = ::waitpid(pid_, &status, WNOHANG);
        } while (r < 0 && errno == EINTR);
        if (r == 0) {
            return; // not yet
        }
        if (r == pid_) {
            returncode_ = exit_code(status);
        } else {
            // ECHILD: reaped by someone else (SIGCHLD set to SIG_IGN, a waitpid(-1)...).
            log_exception("Unknown child process pid " + std::to_string(pid_) +
                              ", will report returncode 255",
                          nullptr);
            returncode_ = 255;
        }
        const std::shared_ptr<ChildProcess> keep = std::move(self_); // `this` lives to the end
        loop_->remove_reader(pidfd_);
        ::close(pidfd_);
        pidfd_ = -1;
        loop_->unlink_resource(this);
        exited_.set();
    }

    std::shared_ptr<ChildProcess> self_;
};

pid_t ChildHandle::pid() const noexcept {
    return state_->pid_;
}

std::optional<int> ChildHandle::returncode() const noexcept {
    return state_->returncode_;
}

void ChildHandle::send_signal(int sig) {
    ChildProcess& child = *state_;
    if (child.returncode_) {
        throw ProcessLookupError(ESRCH, errno_text(ESRCH));
    }
    if (pidfd_send_signal(child.pidfd_, sig) != 0) {
        const int e = errno;
        if (e != ESRCH) { // ESRCH: it has exited, and is not reaped yet
            raise_errno(e, "send_signal");
        }
    }
}

Coroutine<int> wait_child(ChildHandle child) {
    if (!child) {
        throw ValueError("wait_child() of an empty ChildHandle");
    }
    ChildProcess& state = *child.state();
    if (!state.returncode_) {
        if (state.loop_ == nullptr) {
            throw RuntimeError("the child's event loop is closed");
        }
        if (&get_running_loop() != state.loop_) {
            throw RuntimeError("the child belongs to a different event loop");
        }
        co_await state.exited_.wait();
    }
    co_return *state.returncode_;
}

// --- starting a child

namespace {

// The descriptors the parent makes for the child (pipe ends, /dev/null, copies), closed when
// the spawn is over, whatever happened.
struct ChildEnds {
    std::vector<int> fds;
    int devnull = -1;
    ChildEnds() = default;
    ChildEnds(const ChildEnds&) = delete;
    ChildEnds& operator=(const ChildEnds&) = delete;
    ~ChildEnds() {
        for (int fd : fds) {
            ::close(fd);
        }
    }
    int keep(int fd) {
        fds.push_back(fd);
        return fd;
    }
};

// The descriptor the child gets as stream `target` (0, 1, 2), or -1 to inherit the parent's.
int child_end(std::optional<int> spec, int target, ChildEnds& ends, PipeFd& parent_end) {
    if (!spec) {
        return -1;
    }
    if (*spec == PIPE) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) {
            raise_errno(errno, "pipe2");
        }
        const bool child_reads = target == 0;
        ends.keep(child_reads ? p[0] : p[1]);
        parent_end = PipeFd(child_reads ? p[1] : p[0]);
        const int flags = ::fcntl(parent_end.get(), F_GETFL);
        if (flags < 0 || ::fcntl(parent_end.get(), F_SETFL, flags | O_NONBLOCK) != 0) {
            raise_errno(errno, "fcntl");
        }
        return child_reads ? p[0] : p[1];
    }
    if (*spec == DEVNULL) {
        if (ends.devnull < 0) {
            const int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
            if (fd < 0) {
                raise_errno(errno, "open /dev/null");
            }
            ends.devnull = ends.keep(fd);
        }
        return ends.devnull;
    }
    if (*spec < 0) {
        throw ValueError("a standard stream is PIPE, DEVNULL, STDOUT (stderr only), a file "
                         "descriptor, or std::nullopt");
    }
    return *spec;
}

struct FileActions {
    posix_spawn_file_actions_t actions{};
    FileActions() { posix_spawn_file_actions_init(&actions); }
    FileActions(const FileActions&) = delete;
    FileActions& operator=(const FileActions&) = delete;
    ~FileActions() { posix_spawn_file_actions_destroy(&actions); }
    void check(int r) const {
        if (r != 0) {
            raise_errno(r, "posix_spawn_file_actions");
        }
    }
};

struct Attributes {
    posix_spawnattr_t attr{};
    Attributes() { posix_spawnattr_init(&attr); }
    Attributes(const Attributes&) = delete;
    Attributes& operator=(const Attributes&) = delete;
    ~Attributes() { posix_spawnattr_destroy(&attr); }
};

// The program's path when the child's PATH is not the parent's (Python looks the program up in
// the PATH of the environment it passes); the errno of the search when nothing fits.
std::string find_in_path(const std::string& program, const std::map<std::string, std::string>& env,
                         int& error) {
    const auto it = env.find("PATH");
    const std::string path = it != env.end() ? it->second : "/bin:/usr/bin"; // os.defpath
    error = ENOENT;
    std::string_view rest = path;
    for (;;) {
        const std::size_t colon = rest.find(':');
        std::string dir(rest.substr(0, colon));
        std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + program;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            if (::access(candidate.c_str(), X_OK) == 0) {
                return candidate;
            }
            error = EACCES; // as execvp: remembered, the search goes on
        }
        if (colon == std::string_view::npos) {
            return {};
        }
        rest.remove_prefix(colon + 1);
    }
}

} // namespace

SpawnedChild spawn_child(EventLoop& loop, const SpawnOptions& options) {
    if (options.args.empty()) {
        throw ValueError("spawn_child() needs a program");
    }
    if (options.stdin_ == STDOUT || options.stdout_ == STDOUT) {
        throw ValueError("STDOUT can only be used for stderr");
    }
    if (loop.is_closed()) {
        throw RuntimeError("Event loop is closed");
    }
    loop.check_thread("subprocess_exec");

    SpawnedChild result;
    ChildEnds ends;
    int source[3] = {
        child_end(options.stdin_, 0, ends, result.stdin_),
        child_end(options.stdout_, 1, ends, result.stdout_),
        options.stderr_ == STDOUT ? -1 : child_end(options.stderr_, 2, ends, result.stderr_),
    };
    // A source among 0..2 could be overwritten by an earlier dup2 (CPython's #12607): the child
    // gets a copy above 2 instead.
    for (int target = 0; target < 3; ++target) {
        if (source[target] >= 0 && source[target] <= 2 && source[target] != target) {
            const int copy = ::fcntl(source[target], F_DUPFD_CLOEXEC, 3);
            if (copy < 0) {
                raise_errno(errno, "fcntl");
            }
            source[target] = ends.keep(copy);
        }
    }

    FileActions fa;
    for (int target = 0; target < 3; ++target) {
        if (source[target] >= 0) {
            // dup2(fd, fd) clears close-on-exec (glibc ≥ 2.29), as the child needs.
            fa.check(posix_spawn_file_actions_adddup2(&fa.actions, source[target], target));
        }
    }
    if (options.stderr_ == STDOUT) {
        fa.check(posix_spawn_file_actions_adddup2(&fa.actions, 1, 2));
    }
    if (options.cwd) {
        fa.check(posix_spawn_file_actions_addchdir_np(&fa.actions, options.cwd->c_str()));
    }
    if (options.close_fds || !options.pass_fds.empty()) {
        std::vector<int> pass;
        for (const int fd : options.pass_fds) {
            if (fd > 2) {
                pass.push_back(fd);
            }
        }
        std::sort(pass.begin(), pass.end());
        pass.erase(std::unique(pass.begin(), pass.end()), pass.end());
        int low = 3;
        for (const int fd : pass) {
            fa.check(posix_spawn_file_actions_adddup2(&fa.actions, fd, fd)); // inheritable
            for (; low < fd; ++low) {
                fa.check(posix_spawn_file_actions_addclose(&fa.actions, low)); // EBADF is ignored
            }
            low = fd + 1;
        }
        fa.check(posix_spawn_file_actions_addclosefrom_np(&fa.actions, low));
    }

    Attributes at;
    // Python's restore_signals=True: the child starts with these two at their default action
    // (exec resets caught signals itself; an ignored SIGPIPE would stay ignored).
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGXFSZ);
    posix_spawnattr_setsigdefault(&at.attr, &defaults);
    short flags = POSIX_SPAWN_SETSIGDEF;
    if (options.start_new_session) {
        flags |= POSIX_SPAWN_SETSID;
    }
    if (options.process_group) {
        flags |= POSIX_SPAWN_SETPGROUP;
        posix_spawnattr_setpgroup(&at.attr, *options.process_group);
    }
    posix_spawnattr_setflags(&at.attr, flags);

    std::vector<std::string> args;
    if (options.shell) {
        args = {"/bin/sh", "-c"};
    }
    args.insert(args.end(), options.args.begin(), options.args.end());
    std::vector<char*> argv;
    for (std::string& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);

    std::vector<std::string> env_strings;
    std::vector<char*> envp;
    if (options.env) {
        for (const auto& [key, value] : *options.env) {
            env_strings.push_back(key + "=" + value);
        }
        for (std::string& e : env_strings) {
            envp.push_back(e.data());
        }
        envp.push_back(nullptr);
    }
    char** const child_env = options.env ? envp.data() : environ;

    const std::string& program = args.front();
    pid_t pid = -1;
    int r = 0;
    if (program.find('/') != std::string::npos) {
        r = ::posix_spawn(&pid, program.c_str(), &fa.actions, &at.attr, argv.data(), child_env);
    } else if (options.env) {
        const std::string path = find_in_path(program, *options.env, r);
        if (!path.empty()) {
            r = ::posix_spawn(&pid, path.c_str(), &fa.actions, &at.attr, argv.data(), child_env);
        }
    } else {
        r = ::posix_spawnp(&pid, program.c_str(), &fa.actions, &at.attr, argv.data(), child_env);
    }
    if (r != 0) {
        // Python names the file concerned: the directory when it is the one that is missing.
        const bool bad_cwd = options.cwd && ::access(options.cwd->c_str(), X_OK) != 0;
        raise_os_error(r, errno_text(r) + ": '" + (bad_cwd ? *options.cwd : program) + "'");
    }

    const int pidfd = pidfd_open(pid);
    if (pidfd < 0) {
        const int e = errno;
        kill_and_reap(pid, -1);
        raise_errno(e, "pidfd_open");
    }
    auto state = std::make_shared<ChildProcess>(loop, pid, pidfd);
    try {
        state->start(state);
    } catch (...) {
        kill_and_reap(pid, pidfd);
        throw;
    }
    result.process = ChildHandle(std::move(state));
    return result;
}

} // namespace concur::asyncio::detail
