// Fluent Python's flags2_asyncio: many downloads started at once, a Semaphore letting at most
// `concur_req` of them talk to the server at a time; results taken as they complete, errors
// counted per item. The network is faked: each flag takes 0.1 s, two are missing (404).
//
//   async def download_one(cc, semaphore, verbose):
//       try:
//           async with semaphore:
//               image = await get_flag(cc)
//       except web.HTTPNotFound:
//           status = HTTPStatus.not_found
//           msg = 'not found'
//       else:
//           save_flag(image, cc.lower() + '.gif')
//           status = HTTPStatus.ok
//           msg = 'OK'
//       if verbose and msg:
//           print(cc, msg)
//       return Result(status, cc)
//
//   async def downloader_coro(cc_list, verbose, concur_req):
//       counter = collections.Counter()
//       semaphore = asyncio.Semaphore(concur_req)
//       to_do = [download_one(cc, semaphore, verbose) for cc in sorted(cc_list)]
//       for future in asyncio.as_completed(to_do):
//           res = await future
//           counter[res.status] += 1
//       return counter
#include <concur/asyncio.hpp>
#include <concur/asyncio/locks.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace asyncio = concur::asyncio;
using namespace std::chrono_literals;

const std::vector<std::string> POP20_CC = {"CN", "IN", "US", "ID", "BR", "PK", "NG",
                                           "BD", "RU", "JP", "MX", "PH", "VN", "ET",
                                           "EG", "DE", "IR", "TR", "CD", "FR"};

struct HTTPNotFound : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class HTTPStatus { ok, not_found };
struct Result {
    HTTPStatus status;
    std::string cc;
};

int active = 0;      // downloads talking to the server now
int most_active = 0; // the most there ever were at once

/// The fake network: 0.1 s per flag, a 404 for the codes the server lacks.
asyncio::Coroutine<std::string> get_flag(std::string cc) {
    most_active = std::max(most_active, ++active);
    co_await asyncio::sleep(100ms);
    --active;
    if (cc == "CD" || cc == "ET") {
        throw HTTPNotFound("404 Not Found: " + cc);
    }
    co_return cc.substr(0, 1) + "-flag-bytes-" + cc;
}

asyncio::Coroutine<Result> download_one(std::string cc, asyncio::Semaphore& semaphore,
                                        bool verbose) {
    HTTPStatus status;
    const char* msg;
    try {
        auto guard = co_await semaphore.lock_guard(); // async with semaphore:
        std::string image = co_await get_flag(cc);
        status = HTTPStatus::ok; // save_flag(image, ...) would go here
        msg = "OK";
    } catch (const HTTPNotFound&) {
        status = HTTPStatus::not_found;
        msg = "not found";
    }
    if (verbose) {
        std::printf("%s %s\n", cc.c_str(), msg);
    }
    co_return Result{status, cc};
}

asyncio::Coroutine<std::map<HTTPStatus, int>> downloader_coro(std::vector<std::string> cc_list,
                                                              bool verbose, int concur_req) {
    std::map<HTTPStatus, int> counter;
    asyncio::Semaphore semaphore(concur_req);
    std::sort(cc_list.begin(), cc_list.end());
    std::vector<asyncio::Task<Result>> to_do;
    for (const auto& cc : cc_list) {
        to_do.push_back(asyncio::create_task(download_one(cc, semaphore, verbose)));
    }
    for (auto future : asyncio::as_completed(to_do)) {
        Result res = co_await future;
        counter[res.status] += 1;
    }
    co_return counter;
}

int main() {
    const int concur_req = 3;
    const auto start = std::chrono::steady_clock::now();
    auto counter = asyncio::run(downloader_coro(POP20_CC, true, concur_req));
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    std::printf("%d flags downloaded, %d not found, in %.2f s\n", counter[HTTPStatus::ok],
                counter[HTTPStatus::not_found], elapsed.count());
    std::printf("at most %d downloads at once (concur_req = %d)\n", most_active, concur_req);
    return most_active <= concur_req ? 0 : 1;
}
