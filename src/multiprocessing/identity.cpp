#include "identity.hpp"

#include <cstdlib>

#include "launch.hpp"

namespace concur::multiprocessing::detail {
namespace {
std::atomic<bool> bootstrapped{false};
} // namespace

void mark_bootstrapped() noexcept {
    bootstrapped.store(true, std::memory_order_relaxed);
}

bool spawned_without_bootstrap() noexcept {
    return !bootstrapped.load(std::memory_order_relaxed) &&
           std::getenv("CONCUR_MULTIPROCESSING_CHILD") != nullptr;
}

Identity& identity() {
    static Identity instance;
    return instance;
}

std::mutex& identity_mutex() {
    static std::mutex instance;
    return instance;
}

void become_child(const BootRecord& record) {
    std::lock_guard lock(identity_mutex());
    Identity& id = identity();
    id.name = record.name;
    id.daemon = record.daemon;
    id.is_child = true;
    id.parent_pid = record.parent_pid;
    id.parent_name = record.parent_name;
    id.children_started = 0;
}

} // namespace concur::multiprocessing::detail
