// The tests' own main: a copy of this program started by spawn or the fork server must reach
// freeze_support() before GoogleTest runs anything.
#include <gtest/gtest.h>

#include "concur/multiprocessing/context.hpp"

int main(int argc, char** argv) {
    concur::multiprocessing::freeze_support(argc, argv);
    testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
