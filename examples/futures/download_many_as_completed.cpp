// download_many with submit + as_completed: a dictionary maps each future to its country code,
// results are handled as they finish, and errors are counted per item.
//
//   with futures.ThreadPoolExecutor(max_workers=3) as executor:
//       to_do_map = {}
//       for cc in sorted(cc_list):
//           future = executor.submit(download_one, cc)
//           to_do_map[future] = cc
//       for future in futures.as_completed(to_do_map):
//           try:
//               res = future.result()
//           except Exception as exc:
//               error_msg = str(exc)
//           ...
#include <concur/futures.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

#include "download_many.hpp"

namespace futures = concur::futures;

int main() {
    std::vector<std::string> cc_list = POP20_CC;
    std::sort(cc_list.begin(), cc_list.end());
    int ok = 0;
    int errors = 0;
    {
        futures::ThreadPoolExecutor executor({.max_workers = 3});
        std::map<futures::Future<std::string>, std::string> to_do_map;
        for (const auto& cc : cc_list) {
            auto future = executor.submit(download_one, cc);
            std::printf("Scheduled for %s: %s\n", cc.c_str(), future.repr().c_str());
            to_do_map.emplace(std::move(future), cc);
        }
        for (const auto& future : futures::as_completed(to_do_map)) {
            const std::string& cc = to_do_map.at(future);
            try {
                const std::string& res = future.result();
                std::printf("%s result: %zu bytes\n", cc.c_str(), res.size());
                ++ok;
            } catch (const std::exception& exc) {
                std::printf("*** Error for %s: %s\n", cc.c_str(), exc.what());
                ++errors;
            }
        }
    }
    std::printf("%d downloaded, %d errors\n", ok, errors);
    return ok == 18 && errors == 2 ? 0 : 1;
}
