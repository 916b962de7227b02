#include "concur/multiprocessing/detail/call.hpp"

namespace concur::multiprocessing::detail {

void run_message(std::string_view message, std::string& out) {
    const auto where = take_plain<CodeAddress>(message);
    function_at<Runner>(where)(message, out);
}

} // namespace concur::multiprocessing::detail
