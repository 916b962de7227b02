#include "concur/multiprocessing/context.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "concur/core/exceptions.hpp"
#include "identity.hpp"
#include "launch.hpp"

extern "C" void concur_multiprocessing_freeze_support_linked() __attribute__((weak));

namespace concur::multiprocessing {
namespace {

std::mutex method_mutex;
std::string default_method; // guarded by method_mutex; empty: never set

void check_method(std::string_view method) {
    if (method != "fork" && method != "spawn" && method != "forkserver") {
        throw ValueError("cannot find context for '" + std::string(method) + "'");
    }
}

// A program started by spawn whose main cannot reach freeze_support() stops before main runs
// its own work again.
[[maybe_unused]] const bool checked_at_start = [] {
    if (std::getenv("CONCUR_MULTIPROCESSING_CHILD") != nullptr &&
        concur_multiprocessing_freeze_support_linked == nullptr) {
        std::fputs("concur: this program was started by multiprocessing's spawn or forkserver "
                   "method, but its main does not call "
                   "concur::multiprocessing::freeze_support(argc, argv)\n",
                   stderr);
        std::_Exit(detail::kNoFreezeSupport);
    }
    return true;
}();

} // namespace

Context get_context(std::string_view method) {
    if (method.empty()) {
        return Context{get_start_method()};
    }
    check_method(method);
    return Context{std::string(method)};
}

void set_start_method(std::string_view method, bool force) {
    check_method(method);
    std::lock_guard lock(method_mutex);
    if (!default_method.empty() && !force) {
        throw RuntimeError("context has already been set");
    }
    default_method = std::string(method);
}

std::string get_start_method() {
    std::lock_guard lock(method_mutex);
    return default_method.empty() ? "fork" : default_method;
}

std::vector<std::string> get_all_start_methods() {
    return {"fork", "spawn", "forkserver"};
}

int cpu_count() noexcept {
    const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<int>(n) : 1;
}

} // namespace concur::multiprocessing
