// The shared state behind every Thread handle, and the registry of living threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "concur/core/unique_function.hpp"
#include "concur/threading/thread.hpp"

namespace concur::threading::detail {

enum class Status : std::uint32_t { kNew = 0, kStarting = 1, kRunning = 2, kFinished = 3 };

struct ThreadState {
    // Guards name and daemon, which any thread may read or (before start) write.
    mutable std::mutex mutex;
    std::string name;
    bool daemon = false;

    // Set before start; read and consumed by the new thread only.
    UniqueFunction<void()> target;
    Thread* self = nullptr; // whose run() to call when there is no target

    // The futex word join() and start() wait on. Release on every transition publishes ident
    // and native_id (written by the thread before kRunning) to whoever acquires the status.
    std::atomic<std::uint32_t> status{static_cast<std::uint32_t>(Status::kNew)};
    unsigned long ident = 0;
    long native_id = 0;

    [[nodiscard]] Status load_status() const {
        return static_cast<Status>(status.load(std::memory_order_acquire));
    }
};

/// The registry of living threads, and the state of the calling thread.
std::shared_ptr<ThreadState> current_state();
std::shared_ptr<ThreadState> main_state();
void register_active(const std::shared_ptr<ThreadState>& state);
void unregister_active(const ThreadState* state);
std::vector<std::shared_ptr<ThreadState>> active_states();
std::string next_thread_name(const char* prefix);
void set_current_state(std::shared_ptr<ThreadState> state);
/// Installs the exit rule (joining non-daemon threads at exit) once, at the first start().
void install_exit_rule();
/// Reports an exception that escaped a thread through the excepthook in force.
void report_uncaught(std::exception_ptr exc);

} // namespace concur::threading::detail
