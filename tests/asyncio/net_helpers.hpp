// Helpers of the networking tests: counting open descriptors, so that each test proves it
// leaves none behind.
#pragma once

#include <dirent.h>

#include <gtest/gtest.h>

namespace concur_test {

/// The number of descriptors this process has open.
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

/// A test that fails if it ends with more or fewer descriptors open than it began with.
class FdCountingTest : public ::testing::Test {
protected:
    void SetUp() override { fds_before_ = open_fds(); }
    void TearDown() override { EXPECT_EQ(open_fds(), fds_before_) << "descriptors leaked"; }

private:
    int fds_before_ = 0;
};

} // namespace concur_test
