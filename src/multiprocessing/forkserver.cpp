// The fork server: a fresh copy of the program, started once, that forks a child per request.
// Its children start from a clean single-threaded state; it reports each one's exit status on
// the child's boot socket, since only it can wait for them.
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "concur/core/exceptions.hpp"
#include "concur/multiprocessing/detail/forkserver.hpp"
#include "concur/multiprocessing/detail/inherited_fds.hpp"
#include "concur/multiprocessing/exceptions.hpp"
#include "concur/multiprocessing/reduction.hpp"
#include "fd_io.hpp"
#include "launch.hpp"

namespace concur::multiprocessing::detail {
namespace {

constexpr std::size_t kMaxFds = 64;

void send_fds(int sock, const std::vector<int>& fds) {
    const auto count = static_cast<std::uint32_t>(fds.size());
    iovec iov{const_cast<std::uint32_t*>(&count), sizeof count}; // NOLINT
    std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(cmsg), fds.data(), sizeof(int) * fds.size());
    while (::sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
        if (errno != EINTR) {
            raise_os_error(errno, "cannot reach the fork server");
        }
    }
}

// false on end of file.
bool recv_fds(int sock, std::vector<int>& fds) {
    std::uint32_t count = 0;
    iovec iov{&count, sizeof count};
    std::vector<char> control(CMSG_SPACE(sizeof(int) * kMaxFds));
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    ssize_t n = 0;
    while ((n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
    }
    if (n <= 0) {
        return false;
    }
    fds.clear();
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            const std::size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            const std::size_t at = fds.size();
            fds.resize(at + k);
            std::memcpy(fds.data() + at, CMSG_DATA(c), k * sizeof(int));
        }
    }
    return true;
}

struct Server {
    std::mutex mutex;
    int pid = -1;
    OwnedFd control;
};

Server& server() {
    static Server instance;
    return instance;
}

// Starts the server (mutex held).
void start_server(Server& s) {
    auto [mine, theirs] = socket_pair();
    const int target = std::max(10, theirs.get() + 1);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, theirs.get(), target);
    const int pid = spawn_self("--concur-multiprocessing-forkserver", target, actions);
    s.pid = pid;
    s.control = std::move(mine);
}

// Moves received descriptors above the numbers a program commonly uses, so that none is
// mistaken for, or closed as, one the child opens itself.
std::vector<int> place(std::vector<int> fds) {
    for (int& fd : fds) {
        const int high = ::fcntl(fd, F_DUPFD_CLOEXEC, 1000);
        ::close(fd);
        fd = high;
    }
    return fds;
}

} // namespace

int forkserver_pid() noexcept {
    Server& s = server();
    std::lock_guard lock(s.mutex);
    return s.control ? s.pid : -1;
}

void stop_forkserver() noexcept {
    Server& s = server();
    std::lock_guard lock(s.mutex);
    if (s.control) {
        s.control.close(); // the server exits on end of file
        int status = 0;
        while (::waitpid(s.pid, &status, 0) < 0 && errno == EINTR) {
        }
        s.pid = -1;
    }
}

Launched launch_forkserver(BootRecord record, const std::vector<int>& fds) {
    auto [mine, theirs] = socket_pair();
    std::vector<int> passed{theirs.get()};
    passed.insert(passed.end(), fds.begin(), fds.end());
    if (passed.size() > kMaxFds) {
        throw ValueError("too many descriptors for one process start");
    }
    Launched out;
    {
        Server& s = server();
        std::lock_guard lock(s.mutex);
        if (!s.control) {
            start_server(s);
        }
        std::string reply;
        try {
            send_fds(s.control.get(), passed);
            if (!recv_frame(s.control.get(), reply)) {
                throw ProcessError("the fork server has gone");
            }
        } catch (...) {
            s.control.close(); // started afresh next time
            int status = 0;
            ::waitpid(s.pid, &status, 0);
            throw;
        }
        if (reply.size() != sizeof out.pid) {
            throw ProcessError("the fork server sent a malformed reply");
        }
        std::memcpy(&out.pid, reply.data(), sizeof out.pid);
    }
    if (out.pid <= 0) {
        throw ProcessError("the fork server could not fork a new process");
    }
    theirs.close();
    record.fds.clear(); // the child learns its descriptors from the server
    send_frame(mine.get(), dumps(record));
    char ready = 0;
    if (!recv_exact(mine.get(), &ready, 1, Deadline::after(std::chrono::seconds(60)))) {
        throw ProcessError("the new process ended before it started");
    }
    const long pidfd = ::syscall(SYS_pidfd_open, out.pid, 0);
    out.pidfd = OwnedFd(static_cast<int>(pidfd));
    out.status = std::move(mine);
    return out;
}

void run_forkserver(int control) {
    struct Child {
        OwnedFd pidfd;
        OwnedFd boot;
    };
    std::map<int, Child> children;
    for (;;) {
        std::vector<pollfd> polls{{control, POLLIN, 0}};
        std::vector<int> pids;
        for (auto& [pid, child] : children) {
            polls.push_back({child.pidfd.get(), POLLIN, 0});
            pids.push_back(pid);
        }
        if (::poll(polls.data(), polls.size(), -1) < 0) {
            continue; // EINTR
        }
        for (std::size_t i = 1; i < polls.size(); ++i) {
            if (polls[i].revents == 0) {
                continue;
            }
            const int pid = pids[i - 1];
            int status = 0;
            if (::waitpid(pid, &status, 0) == pid) {
                try {
                    send_frame(
                        children[pid].boot.get(),
                        std::string_view(reinterpret_cast<const char*>(&status), sizeof status));
                } catch (...) {
                    // the parent has gone: nobody to tell
                }
            }
            children.erase(pid);
        }
        if (polls[0].revents == 0) {
            continue;
        }
        std::vector<int> fds;
        if (!recv_fds(control, fds) || fds.empty()) {
            ::_exit(0); // the parent has gone
        }
        const int pid = ::fork();
        if (pid == 0) {
            ::close(control);
            children.clear();
            std::vector<int> moved = place(fds);
            const int boot = moved[0];
            std::string frame;
            BootRecord record;
            try {
                if (!recv_frame(boot, frame)) {
                    ::_exit(1);
                }
                record = loads<BootRecord>(frame);
            } catch (...) {
                ::_exit(1);
            }
            set_inherited_fds(std::vector<int>(moved.begin() + 1, moved.end()));
            run_child(record, boot);
        }
        OwnedFd boot(fds[0]);
        for (std::size_t i = 1; i < fds.size(); ++i) {
            ::close(fds[i]);
        }
        const int reply = pid;
        try {
            send_frame(control,
                       std::string_view(reinterpret_cast<const char*>(&reply), sizeof reply));
        } catch (...) {
            ::_exit(0);
        }
        if (pid > 0) {
            const long pidfd = ::syscall(SYS_pidfd_open, pid, 0);
            children[pid] = Child{OwnedFd(static_cast<int>(pidfd)), std::move(boot)};
        }
    }
}

} // namespace concur::multiprocessing::detail
