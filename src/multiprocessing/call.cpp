#include "concur/multiprocessing/detail/call.hpp"

#include <istream>

namespace concur::multiprocessing::detail {

void run_message(std::string_view message, std::string& out) {
    ViewSource source(message);
    std::istream stream(&source);
    InputArchive archive(stream);
    CodeAddress where;
    archive(where);
    function_at<Runner>(where)(archive, out);
}

} // namespace concur::multiprocessing::detail
