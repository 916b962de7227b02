// One request after the other, on one keep-alive connection (a requests.Session).
#include <concur/http.hpp>
#include <concur/progress.hpp>

#include "flags.hpp"

namespace http = concur::http;
namespace progress = concur::progress;

namespace flags {

Counter download_sequential(const Options& options) {
    Counter counter;
    http::BlockingSession session;
    const http::RequestOptions request = request_options(options);
    progress::tqdm bar(options.countries,
                       {.desc = "sequential", .unit = "flag", .disable = !options.progress});
    for (const std::string& cc : bar) {
        try {
            counter.add(cc, store(session.get(flag_url(options, cc), request), options, cc));
        } catch (const std::exception& e) {
            counter.add(cc, DownloadStatus::ERROR, e.what());
        }
    }
    return counter;
}

} // namespace flags
