#include "concur/multiprocessing/detail/inherited_fds.hpp"

#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>

#include "concur/core/exceptions.hpp"

namespace concur::multiprocessing::detail {
namespace {

thread_local LaunchScope* current_scope = nullptr;

std::mutex inherited_mutex;
std::vector<int> inherited;             // guarded by inherited_mutex
std::atomic<bool> any_inherited{false}; // spares the common case the lock

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
    any_inherited.store(!inherited.empty(), std::memory_order_release);
}

void close_inherited_fds() noexcept {
    if (!any_inherited.load(std::memory_order_acquire)) {
        return;
    }
    std::lock_guard lock(inherited_mutex);
    for (const int fd : inherited) {
        ::close(fd);
    }
    inherited.clear();
    any_inherited.store(false, std::memory_order_release);
}

} // namespace concur::multiprocessing::detail
