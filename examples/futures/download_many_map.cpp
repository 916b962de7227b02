// Fluent Python's download_many with executor.map: results come back in input order, and an
// exception is raised when its item's turn comes.
//
//   def download_many(cc_list):
//       workers = min(MAX_WORKERS, len(cc_list))
//       with futures.ThreadPoolExecutor(workers) as executor:
//           res = executor.map(download_one, sorted(cc_list))
//       return len(list(res))
#include <concur/futures.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "download_many.hpp"

namespace futures = concur::futures;

constexpr int MAX_WORKERS = 20;

int download_many(std::vector<std::string> cc_list) {
    std::sort(cc_list.begin(), cc_list.end());
    const int workers = std::min(MAX_WORKERS, static_cast<int>(cc_list.size()));
    futures::ThreadPoolExecutor executor({.max_workers = workers});
    // download_one can throw: keep the errors per item rather than stop at the first.
    auto safe_download = [](const std::string& cc) -> std::string {
        try {
            return download_one(cc);
        } catch (const std::exception& e) {
            return std::string("error: ") + e.what();
        }
    };
    int count = 0;
    for (const std::string& result : executor.map(safe_download, cc_list)) {
        std::printf("%s\n", result.c_str());
        ++count;
    }
    return count;
}

int main() {
    const auto t0 = std::chrono::steady_clock::now();
    const int count = download_many(POP20_CC);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - t0;
    std::printf("%d flags downloaded in %.2fs\n", count, elapsed.count());
}
