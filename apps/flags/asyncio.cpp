// One Session on the event loop, a Semaphore throttling the requests in flight, results taken
// with as_completed (flags2_asyncio.py).
#include <concur/asyncio.hpp>
#include <concur/http.hpp>
#include <concur/progress.hpp>

#include "flags.hpp"

namespace asyncio = concur::asyncio;
namespace http = concur::http;
namespace progress = concur::progress;
using asyncio::Coroutine;

namespace flags {

namespace {

struct Outcome {
    std::string cc;
    DownloadStatus status;
    std::string error;
};

Coroutine<Outcome> download_one(http::Session& session, asyncio::Semaphore& semaphore,
                                const Options& options, std::string cc) {
    try {
        http::Response response;
        { // `async with semaphore:` around the request only; the file is saved after
            auto guard = co_await semaphore.lock_guard();
            http::RequestOptions request = request_options(options);
            response = co_await session.get(flag_url(options, cc), std::move(request));
        }
        co_return Outcome{cc, store(response, options, cc), {}};
    } catch (const std::exception& e) {
        co_return Outcome{cc, DownloadStatus::ERROR, e.what()};
    }
}

Coroutine<Counter> supervisor(const Options& options) {
    Counter counter;
    http::Session session({.limit = options.concurrency});
    asyncio::Semaphore semaphore(options.concurrency);
    std::vector<Coroutine<Outcome>> to_do;
    to_do.reserve(options.countries.size());
    for (const std::string& cc : options.countries) {
        to_do.push_back(download_one(session, semaphore, options, cc));
    }
    const std::size_t total = to_do.size();
    progress::tqdm to_do_iter(
        asyncio::as_completed(std::move(to_do)),
        {.total = total, .desc = "asyncio", .unit = "flag", .disable = !options.progress});
    for (auto next : to_do_iter) {
        Outcome outcome = co_await next;
        counter.add(outcome.cc, outcome.status, outcome.error);
    }
    co_return counter;
}

} // namespace

Counter download_asyncio(const Options& options) {
    return asyncio::run(supervisor(options));
}

} // namespace flags
