// A ThreadPoolExecutor of `concurrency` workers, each on the blocking facade (its own
// keep-alive connection), results taken with as_completed (flags2_threadpool.py).
#include <concur/futures.hpp>
#include <concur/http.hpp>
#include <concur/progress.hpp>

#include <map>

#include "flags.hpp"

namespace futures = concur::futures;
namespace http = concur::http;
namespace progress = concur::progress;

namespace flags {

Counter download_threads(const Options& options) {
    Counter counter;
    const http::RequestOptions request = request_options(options);
    futures::ThreadPoolExecutor executor({.max_workers = options.concurrency});
    std::map<futures::Future<DownloadStatus>, std::string> to_do_map;
    for (const std::string& cc : options.countries) {
        auto download_one = [&options, &request, cc] {
            return store(http::get(flag_url(options, cc), request), options, cc);
        };
        to_do_map.emplace(executor.submit(download_one), cc);
    }
    progress::tqdm done_iter(futures::as_completed(to_do_map), {.total = to_do_map.size(),
                                                                .desc = "threads",
                                                                .unit = "flag",
                                                                .disable = !options.progress});
    for (const auto& future : done_iter) {
        const std::string& cc = to_do_map.at(future);
        try {
            counter.add(cc, future.result());
        } catch (const std::exception& e) {
            counter.add(cc, DownloadStatus::ERROR, e.what());
        }
    }
    return counter;
}

} // namespace flags
