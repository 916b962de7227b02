#include <concur/threading.hpp>
#include <gtest/gtest.h>
TEST(Thread, Smoke) { int x = 0; concur::threading::Thread t([&x]{ x = 1; }); t.start(); t.join(); EXPECT_EQ(x, 1); }
