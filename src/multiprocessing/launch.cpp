#include "launch.hpp"

#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "concur/core/exceptions.hpp"
#include "concur/multiprocessing/detail/call.hpp"
#include "concur/multiprocessing/detail/inherited_fds.hpp"
#include "concur/multiprocessing/detail/remote_exception.hpp"
#include "concur/multiprocessing/exceptions.hpp"
#include "fd_io.hpp"

extern char** environ;

namespace concur::multiprocessing::detail {
namespace {

// exec, the dynamic loader and static initialisation; sanitizer builds are slow at all three.
constexpr std::chrono::seconds kStartTimeout{60};

int open_pidfd(int pid) {
    const long fd = ::syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) {
        raise_os_error(errno, "pidfd_open");
    }
    return static_cast<int>(fd);
}

std::string describe_failed_start(int pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const int code = exitcode_of(status);
    if (code == kNoFreezeSupport) {
        return "the new process did not start: its program must call "
               "concur::multiprocessing::freeze_support(argc, argv) at the top of main, as a "
               "Python program needs `if __name__ == \"__main__\":` for the spawn and forkserver "
               "start methods";
    }
    return "the new process ended (exit code " + std::to_string(code) + ") before it started";
}

void report_exception(const std::string& name) {
    // Python prints the traceback; the type and message are what C++ has.
    std::fprintf(stderr, "Process %s:\n%s\n", name.c_str(), describe_current_exception().c_str());
}

[[noreturn]] void finish_child(int code, bool forked) {
    flush_std_streams();
    if (forked) {
        ::_exit(code); // the parent's atexit handlers and destructors are not ours to run
    }
    std::exit(code);
}

} // namespace

int exitcode_of(int wait_status) noexcept {
    if (WIFEXITED(wait_status)) {
        return WEXITSTATUS(wait_status);
    }
    if (WIFSIGNALED(wait_status)) {
        return -WTERMSIG(wait_status);
    }
    return 255;
}

void flush_std_streams() noexcept {
    try {
        std::cout.flush();
        std::cerr.flush();
    } catch (...) {
    }
    std::fflush(nullptr);
}

Launched launch_fork(const BootRecord& record, UniqueFunction<void()>& body) {
    flush_std_streams(); // or the child would print the parent's buffered output again
    const int pid = ::fork();
    if (pid < 0) {
        raise_os_error(errno, "fork");
    }
    if (pid == 0) {
        int code = 0;
        try {
            become_child(record);
            body();
        } catch (...) {
            report_exception(record.name);
            code = 1;
        }
        finish_child(code, true);
    }
    Launched out;
    out.pid = pid;
    out.pidfd = OwnedFd(open_pidfd(pid));
    return out;
}

int spawn_self(const char* mode, int fd, posix_spawn_file_actions_t& actions) {
    const std::string fd_arg = std::to_string(fd);
    std::vector<char*> argv{program_invocation_name, const_cast<char*>(mode), // NOLINT
                            const_cast<char*>(fd_arg.c_str()), nullptr};      // NOLINT
    // The mark that lets a program without freeze_support() stop before its main runs.
    std::string mark = "CONCUR_MULTIPROCESSING_CHILD=1";
    std::vector<char*> envp{mark.data()};
    for (char** e = environ; *e != nullptr; ++e) {
        if (std::strncmp(*e, "CONCUR_MULTIPROCESSING_CHILD=", 29) != 0) {
            envp.push_back(*e);
        }
    }
    envp.push_back(nullptr);
    pid_t pid = 0;
    flush_std_streams();
    const int rc =
        ::posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        raise_os_error(rc, "cannot start a new process: posix_spawn");
    }
    return pid;
}

Launched launch_spawn(BootRecord record, const std::vector<int>& fds) {
    auto [mine, theirs] = socket_pair();
    // The child's descriptors go above every source number, so no dup2 overwrites a source.
    int base = std::max(10, theirs.get() + 1);
    for (const int fd : fds) {
        base = std::max(base, fd + 1);
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    record.fds.clear();
    for (std::size_t i = 0; i < fds.size(); ++i) {
        const int target = base + static_cast<int>(i);
        posix_spawn_file_actions_adddup2(&actions, fds[i], target);
        record.fds.push_back(target);
    }
    const int boot_target = base + static_cast<int>(fds.size());
    posix_spawn_file_actions_adddup2(&actions, theirs.get(), boot_target);

    const int pid = spawn_self("--concur-multiprocessing-child", boot_target, actions);
    theirs.close();
    Launched out;
    out.pid = pid;
    out.pidfd = OwnedFd(open_pidfd(pid));
    try {
        send_frame(mine.get(), dumps(record));
        char ready = 0;
        if (!recv_exact(mine.get(), &ready, 1, Deadline::after(kStartTimeout))) {
            out.pidfd.close();
            throw ProcessError(describe_failed_start(pid));
        }
    } catch (const OSError&) {
        out.pidfd.close();
        throw ProcessError(describe_failed_start(pid));
    }
    return out;
}

void run_child(BootRecord& record, int boot_fd) {
    int code = 0;
    try {
        become_child(record);
        if (boot_fd >= 0) {
            send_all(boot_fd, "R");
            ::close(boot_fd); // the fork server keeps its own copy, to report the exit status
        }
        std::string result;
        run_message(record.target, result);
    } catch (...) {
        report_exception(record.name);
        code = 1;
    }
    finish_child(code, record.start_method == "forkserver");
}

} // namespace concur::multiprocessing::detail
