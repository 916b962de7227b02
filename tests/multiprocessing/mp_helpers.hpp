// What the multiprocessing tests share: temporary files, and a check that a test leaves no
// child process and no descriptor behind.
#pragma once

#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "concur/multiprocessing/detail/forkserver.hpp"

namespace mp_test {

inline std::string temp_path(const std::string& stem) {
    static int counter = 0;
    return (std::filesystem::temp_directory_path() / ("concur_mp_" + std::to_string(::getpid()) +
                                                      "_" + stem + "_" + std::to_string(++counter)))
        .string();
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    std::filesystem::remove(path);
    return s.str();
}

inline int open_fds() {
    int n = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (::readdir(d) != nullptr) {
            ++n;
        }
        ::closedir(d);
    }
    return n;
}

/// True if this process has a child (running or not yet reaped).
inline bool has_children() {
    siginfo_t info{};
    const int rc = ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT);
    return rc == 0; // ECHILD: none at all
}

/// Fails a test that leaves a child process or a descriptor behind.
class ChildCheckingTest : public testing::Test {
protected:
    void SetUp() override { fds_ = open_fds(); }
    void TearDown() override {
        concur::multiprocessing::detail::stop_forkserver();
        EXPECT_FALSE(has_children()) << "a child process was left behind";
        EXPECT_EQ(open_fds(), fds_) << "a descriptor was left open";
    }
    using Test = testing::Test;
    static std::string temp_path(const std::string& stem) { return mp_test::temp_path(stem); }
    static std::string read_file(const std::string& path) { return mp_test::read_file(path); }

private:
    int fds_ = 0;
};

} // namespace mp_test
