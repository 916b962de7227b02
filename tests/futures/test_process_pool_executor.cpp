#include <gtest/gtest.h>

#include <chrono>
#include <numeric>
#include <string>
#include <vector>

#include "concur/futures/as_completed.hpp"
#include "concur/futures/process_pool_executor.hpp"
#include "concur/futures/wait.hpp"

namespace {

int square(int x) {
    return x * x;
}

TEST(ProcessPoolExecutorSmoke, SubmitAndMap) {
    concur::futures::ProcessPoolExecutor ex({.max_workers = 2});
    EXPECT_EQ(ex.submit(square, 7).result(), 49);
    std::vector<int> inputs(5000);
    std::iota(inputs.begin(), inputs.end(), 0);
    long long sum = 0;
    for (int v : ex.map(square, inputs, {.chunksize = 100})) {
        sum += v;
    }
    long long expect = 0;
    for (int i : inputs) {
        expect += static_cast<long long>(i) * i;
    }
    EXPECT_EQ(sum, expect);
}

} // namespace
