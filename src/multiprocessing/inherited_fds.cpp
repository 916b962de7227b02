#include "concur/multiprocessing/detail/inherited_fds.hpp"

#include <mutex>
#include <string>

#include "concur/core/exceptions.hpp"

namespace concur::multiprocessing::detail {
namespace {

thread_local LaunchScope* current_scope = nullptr;

std::mutex inherited_mutex;
std::vector<int> inherited; // guarded by inherited_mutex

} // namespace

LaunchScope::LaunchScope() {
    if (current_scope != nullptr) {
        throw RuntimeError("a process start is already serialising its arguments");
    }
    current_scope = this;
}

LaunchScope::~LaunchScope() {
    current_scope = nullptr;
}

std::uint32_t share_fd(int fd) {
    if (current_scope == nullptr) {
        throw RuntimeError("objects holding a descriptor (pipes, connections, locks) should only "
                           "be shared between processes through inheritance: pass them as "
                           "Process arguments");
    }
    current_scope->fds_.push_back(fd);
    return static_cast<std::uint32_t>(current_scope->fds_.size() - 1);
}

int inherited_fd(std::uint32_t index) {
    std::lock_guard lock(inherited_mutex);
    if (index >= inherited.size()) {
        throw RuntimeError("this process inherited no descriptor #" + std::to_string(index));
    }
    return inherited[index];
}

void set_inherited_fds(std::vector<int> fds) {
    std::lock_guard lock(inherited_mutex);
    inherited = std::move(fds);
}

} // namespace concur::multiprocessing::detail
