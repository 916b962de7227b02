// progress::tqdm over futures::as_completed, the flags downloader's use.
#include <concur/futures.hpp>
#include <concur/progress.hpp>

#include <gtest/gtest.h>

#include <cstdio>

namespace progress = concur::progress;

TEST(ProgressFutures, WrapsAsCompletedWithAnExplicitTotal) {
    concur::futures::ThreadPoolExecutor pool({.max_workers = 4});
    std::vector<concur::futures::Future<int>> fs;
    for (int i = 0; i < 10; ++i) {
        fs.push_back(pool.submit([i] { return i * i; }));
    }
    int sum = 0;
    progress::tqdm bar(concur::futures::as_completed(fs),
                       {.total = fs.size(), .file = stderr, .dynamic = false});
    for (auto& f : bar) {
        sum += f.result();
    }
    EXPECT_EQ(sum, 285);
    EXPECT_EQ(bar.bar().n(), 10U);
}
