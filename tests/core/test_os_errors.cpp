#include <cerrno>

#include <gtest/gtest.h>

#include "concur/core/exceptions.hpp"

namespace {

template <class E>
void expect_raises(int errno_value) {
    try {
        concur::raise_os_error(errno_value, "what");
        FAIL() << "nothing thrown";
    } catch (const E& e) {
        EXPECT_EQ(e.code().value(), errno_value);
        EXPECT_STREQ(e.what(), "what");
    }
}

TEST(OsErrors, ErrnoChoosesPythonsSubclass) {
    expect_raises<concur::ConnectionRefusedError>(ECONNREFUSED);
    expect_raises<concur::ConnectionResetError>(ECONNRESET);
    expect_raises<concur::ConnectionAbortedError>(ECONNABORTED);
    expect_raises<concur::BrokenPipeError>(EPIPE);
    expect_raises<concur::FileNotFoundError>(ENOENT);
    expect_raises<concur::FileExistsError>(EEXIST);
    expect_raises<concur::PermissionError>(EACCES);
    expect_raises<concur::PermissionError>(EPERM);
    expect_raises<concur::ProcessLookupError>(ESRCH);
    expect_raises<concur::ChildProcessError>(ECHILD);
    expect_raises<concur::BlockingIOError>(EAGAIN);
    expect_raises<concur::InterruptedError>(EINTR);
    expect_raises<concur::IsADirectoryError>(EISDIR);
    expect_raises<concur::NotADirectoryError>(ENOTDIR);
    expect_raises<concur::TimeoutError>(ETIMEDOUT);
}

TEST(OsErrors, ConnectionErrorsShareABase) {
    EXPECT_THROW(concur::raise_os_error(ECONNRESET, "x"), concur::ConnectionError);
    EXPECT_THROW(concur::raise_os_error(EPIPE, "x"), concur::ConnectionError);
    EXPECT_THROW(concur::raise_os_error(ECONNREFUSED, "x"), concur::OSError);
}

TEST(OsErrors, OtherErrnosArePlainOSError) {
    try {
        concur::raise_os_error(EMFILE, "too many");
        FAIL();
    } catch (const concur::ConnectionError&) {
        FAIL() << "EMFILE is no connection error";
    } catch (const concur::OSError& e) {
        EXPECT_EQ(e.code().value(), EMFILE);
    }
}

} // namespace
