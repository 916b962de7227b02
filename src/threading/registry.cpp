// The registry of living threads, the calling thread's identity, and Python's exit rule.
#include <algorithm>
#include <cstdlib>
#include <unistd.h>
#include <vector>

#include "concur/core/futex.hpp"
#include "concur/core/traceback.hpp"
#include "thread_state.hpp"

namespace concur::threading::detail {

namespace {

// Never destroyed: threads (daemon ones above all) may use it while static destructors run.
struct Registry {
    std::mutex mutex;
    std::vector<std::shared_ptr<ThreadState>> active;
    std::vector<UniqueFunction<void()>> atexit_calls;
    unsigned long thread_counter = 0;
    unsigned long dummy_counter = 0;
    bool exit_rule_installed = false;
};

Registry& registry() {
    static auto* instance = new Registry();
    return *instance;
}

std::shared_ptr<ThreadState> make_running_state(std::string name, bool daemon) {
    auto state = std::make_shared<ThreadState>();
    state->name = std::move(name);
    state->daemon = daemon;
    state->ident = get_ident();
    state->native_id = get_native_id();
    state->status.store(static_cast<std::uint32_t>(Status::kRunning), std::memory_order_release);
    return state;
}

// A thread concur did not start has a dummy entry while it lives, removed when it exits.
struct DummyGuard {
    std::shared_ptr<ThreadState> state;
    ~DummyGuard() {
        if (state) {
            unregister_active(state.get());
            state->status.store(static_cast<std::uint32_t>(Status::kFinished),
                                std::memory_order_release);
            // A thread blocked in join() on this entry would otherwise sleep forever.
            futex::wake_all(state->status);
        }
    }
};

thread_local std::shared_ptr<ThreadState> tls_current;
thread_local DummyGuard tls_dummy;

void run_exit_rule() {
    Registry& r = registry();
    // Python's threading._shutdown: first the registered calls (pools asking their workers to
    // finish), newest first, then join every non-daemon thread, including ones started
    // meanwhile.
    for (;;) {
        UniqueFunction<void()> call;
        {
            std::lock_guard lock(r.mutex);
            if (r.atexit_calls.empty()) {
                break;
            }
            call = std::move(r.atexit_calls.back());
            r.atexit_calls.pop_back();
        }
        try {
            call();
        } catch (...) {
            log_exception("Exception in threading atexit call:", std::current_exception());
        }
    }
    // Other threads may be joining the main thread: as CPython's _shutdown, mark it done here
    // rather than never. exit() runs the calling thread's thread_local destructors before the
    // atexit handlers, so the caller is told by its ident, not by current_state().
    const ThreadState* main = main_state().get();
    if (get_native_id() == static_cast<long>(::getpid())) {
        main_state()->status.store(static_cast<std::uint32_t>(Status::kFinished),
                                   std::memory_order_release);
        futex::wake_all(main_state()->status);
    }
    const unsigned long self = get_ident();
    for (;;) {
        std::shared_ptr<ThreadState> next;
        {
            std::lock_guard lock(r.mutex);
            for (auto& state : r.active) {
                if (state->ident != self && state.get() != main && !state->daemon) {
                    next = state;
                    break;
                }
            }
        }
        if (!next) {
            return;
        }
        // Join through the status word: the same wait as Thread::join.
        for (;;) {
            const std::uint32_t word = next->status.load(std::memory_order_acquire);
            if (word == static_cast<std::uint32_t>(Status::kFinished)) {
                break;
            }
            futex::wait(next->status, word);
        }
    }
}

} // namespace

std::shared_ptr<ThreadState> main_state() {
    // The process's first thread has TID == PID; its state is made once, in that thread or on
    // the first request from any other.
    static auto* instance = [] {
        auto state = std::make_shared<ThreadState>();
        state->name = "MainThread";
        state->daemon = false;
        state->native_id = static_cast<long>(::getpid());
        state->status.store(static_cast<std::uint32_t>(Status::kRunning),
                            std::memory_order_release);
        if (get_native_id() == state->native_id) {
            state->ident = get_ident();
        }
        return new std::shared_ptr<ThreadState>(state);
    }();
    return *instance;
}

// Made during static initialisation, which runs in the main thread, so that its ident is known.
[[maybe_unused]] const bool main_state_ready = (main_state(), true);

std::shared_ptr<ThreadState> current_state() {
    if (tls_current) {
        return tls_current;
    }
    if (get_native_id() == static_cast<long>(::getpid())) {
        tls_current = main_state();
        return tls_current;
    }
    std::string name;
    {
        std::lock_guard lock(registry().mutex);
        name = "Dummy-" + std::to_string(++registry().dummy_counter);
    }
    tls_current = make_running_state(std::move(name), true);
    tls_dummy.state = tls_current;
    register_active(tls_current);
    return tls_current;
}

void set_current_state(std::shared_ptr<ThreadState> state) {
    tls_current = std::move(state);
}

void register_active(const std::shared_ptr<ThreadState>& state) {
    std::lock_guard lock(registry().mutex);
    registry().active.push_back(state);
}

void unregister_active(const ThreadState* state) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    auto it = std::find_if(r.active.begin(), r.active.end(),
                           [state](const auto& s) { return s.get() == state; });
    if (it != r.active.end()) {
        r.active.erase(it);
    }
}

std::vector<std::shared_ptr<ThreadState>> active_states() {
    std::vector<std::shared_ptr<ThreadState>> states{main_state()};
    std::lock_guard lock(registry().mutex);
    states.insert(states.end(), registry().active.begin(), registry().active.end());
    return states;
}

std::string next_thread_name(const char* prefix) {
    std::lock_guard lock(registry().mutex);
    return std::string(prefix) + "-" + std::to_string(++registry().thread_counter);
}

void install_exit_rule() {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    if (!r.exit_rule_installed) {
        r.exit_rule_installed = true;
        std::atexit(run_exit_rule);
    }
}

} // namespace concur::threading::detail

namespace concur::threading {

void register_atexit(UniqueFunction<void()> fn) {
    detail::install_exit_rule();
    auto& r = detail::registry();
    std::lock_guard lock(r.mutex);
    r.atexit_calls.push_back(std::move(fn));
}

} // namespace concur::threading
