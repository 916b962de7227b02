// Describing exceptions as Python's traceback module does.
#include <concur/core.hpp>
#include <gtest/gtest.h>

#include <stdexcept>

namespace {
struct Custom : std::runtime_error {
    using std::runtime_error::runtime_error;
};
} // namespace

TEST(Traceback, TypeAndMessage) {
    const auto e = std::make_exception_ptr(std::runtime_error("boom"));
    EXPECT_EQ(concur::exception_type_name(e), "std::runtime_error");
    EXPECT_EQ(concur::exception_message(e), "boom");
    EXPECT_EQ(concur::format_exception(e), "std::runtime_error: boom");
}

TEST(Traceback, DynamicTypeOfADerivedException) {
    const auto e = std::make_exception_ptr(Custom("x"));
    EXPECT_EQ(concur::format_exception(e), "(anonymous namespace)::Custom: x");
}

TEST(Traceback, ConcurExceptions) {
    EXPECT_EQ(concur::format_exception(std::make_exception_ptr(concur::CancelledError())),
              "concur::CancelledError");
    EXPECT_EQ(concur::format_exception(std::make_exception_ptr(concur::TimeoutError("late"))),
              "concur::TimeoutError: late");
}

TEST(Traceback, NonExceptionTypes) {
    EXPECT_EQ(concur::format_exception(std::make_exception_ptr(42)), "int");
    EXPECT_EQ(concur::format_exception(nullptr), "");
}

TEST(Traceback, LogExceptionWritesContextAndException) {
    testing::internal::CaptureStderr();
    concur::log_exception("Exception in callback:", std::make_exception_ptr(std::logic_error("x")));
    EXPECT_EQ(testing::internal::GetCapturedStderr(),
              "Exception in callback:\nstd::logic_error: x\n");
}

TEST(Exceptions, PythonHierarchy) {
    // TimeoutError is an OSError (a std::system_error with ETIMEDOUT); what() is the message.
    const concur::TimeoutError t("3 (of 4) futures unfinished");
    const std::system_error& as_system = t;
    EXPECT_EQ(as_system.code().value(), ETIMEDOUT);
    EXPECT_STREQ(t.what(), "3 (of 4) futures unfinished");
    // CancelledError is not a std::exception, as Python's is not an Exception.
    EXPECT_FALSE((std::is_base_of_v<std::exception, concur::CancelledError>));
    EXPECT_TRUE((std::is_base_of_v<std::runtime_error, concur::BrokenExecutor>));
    EXPECT_TRUE((std::is_same_v<concur::ValueError, std::invalid_argument>));
}
