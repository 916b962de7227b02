#include <concur/futures.hpp>
#include <gtest/gtest.h>
#include <map>
#include <thread>
using namespace concur::futures;
using namespace std::chrono_literals;
TEST(Smoke, SubmitWaitAsCompleted) {
    ThreadPoolExecutor ex({.max_workers = 2});
    std::vector<Future<int>> fs;
    for (int i = 0; i < 10; ++i) fs.push_back(ex.submit([i] { return i * 2; }));
    auto [done, not_done] = wait(fs);
    EXPECT_EQ(done.size(), 10u);
    EXPECT_TRUE(not_done.empty());
    int sum = 0;
    for (const auto& f : as_completed(fs)) sum += f.result();
    EXPECT_EQ(sum, 90);
    std::map<Future<int>, int> m;
    for (auto& f : fs) m.emplace(f, 1);
    int count = 0;
    for (const auto& f : as_completed(m)) { (void)f; ++count; }
    EXPECT_EQ(count, 10);
}
