// Helpers of the multiprocessing tests: count descriptors, fork a child that runs a function
// and exits with its result, and wait for it.
#pragma once

#include <dirent.h>

#include <cerrno>
#include <exception>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "concur/multiprocessing/detail/forkserver.hpp"

namespace concur_test {

/// A fresh path in the temporary directory.
inline std::string temp_path(const std::string& stem) {
    static int counter = 0;
    return (std::filesystem::temp_directory_path() / ("concur_mp_" + std::to_string(::getpid()) +
                                                      "_" + stem + "_" + std::to_string(++counter)))
        .string();
}

/// The file's contents; the file is removed.
inline std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    std::filesystem::remove(path);
    return s.str();
}

/// The number of descriptors this process has open.
inline int open_fd_count() {
    int count = 0;
    if (DIR* dir = ::opendir("/proc/self/fd")) {
        while (const dirent* entry = ::readdir(dir)) {
            if (entry->d_name[0] != '.') {
                ++count;
            }
        }
        ::closedir(dir);
    }
    return count - 1; // the directory stream itself
}

/// Forks a child that runs `body` (returning its exit code; an exception is 99) and _exit()s.
template <class F>
pid_t fork_child(F body) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        int code = 99;
        try {
            code = body();
        } catch (...) {
        }
        ::_exit(code);
    }
    return pid;
}

/// Waits for `pid`; its exit code, or 128 + the signal that ended it.
inline int wait_child(pid_t pid) {
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) {
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// True if this process has no child left to wait for.
inline bool no_children() {
    return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

/// Checks, at the end of a test, that it left no descriptor and no child behind.
class NoLeaks : public ::testing::Test {
protected:
    void SetUp() override { fds_before_ = open_fd_count(); }
    void TearDown() override {
        // The fork server is started on demand and lives on: not a leak of the test's.
        concur::multiprocessing::detail::stop_forkserver();
        // A feeder thread let go by cancel_join_thread() closes its descriptors as it ends:
        // give it a generous while.
        for (int i = 0; i < 500 && open_fd_count() != fds_before_; ++i) {
            ::usleep(10000);
        }
        EXPECT_EQ(open_fd_count(), fds_before_) << "a descriptor was left open";
        EXPECT_TRUE(no_children()) << "a child process was left behind";
    }

private:
    int fds_before_ = 0;
};

} // namespace concur_test
