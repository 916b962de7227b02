#include "concur/asyncio/runners.hpp"

#include <csignal>
#include <unistd.h>

#include "signal_handlers.hpp"

namespace concur::asyncio::detail {

void finish_run(EventLoop& loop) noexcept {
    try {
        std::vector<TaskInfo> pending = all_tasks(loop);
        for (TaskInfo& task : pending) {
            task.cancel();
        }
        if (!pending.empty()) {
            loop.run_until([&pending] {
                for (const TaskInfo& task : pending) {
                    if (!task.done()) {
                        return false;
                    }
                }
                return true;
            });
        }
        for (const TaskInfo& task : pending) {
            if (task.task->done() && !task.task->cancelled() && task.task->has_exception()) {
                loop.call_exception_handler({"unhandled exception during asyncio.run() shutdown",
                                             task.task->take_exception(),
                                             {},
                                             task.repr()});
            }
        }
        loop.shutdown_default_executor();
        loop.close();
    } catch (...) {
        // A destructor must not throw; what failed has been reported where it could be.
    }
}

// --- asyncio.run's SIGINT handler

struct RunSigint::State {
    TaskInfo main;
    int interrupts = 0;
    bool late = false;  // a SIGINT found the main task done
    bool active = true; // false once run() is over: a callback still queued does nothing
};

namespace {

bool on_main_thread() noexcept {
    return ::gettid() == ::getpid();
}

bool sigint_is_default() noexcept {
    struct sigaction current {};
    return ::sigaction(SIGINT, nullptr, &current) == 0 && (current.sa_flags & SA_SIGINFO) == 0 &&
           current.sa_handler == SIG_DFL;
}

} // namespace

RunSigint::RunSigint(EventLoop& loop, TaskInfo main_task, bool enabled) : loop_(loop) {
    // Python installs its handler only if SIGINT has default_int_handler, the handler Python
    // itself starts with; a C++ program starts with SIG_DFL.
    if (!enabled || !on_main_thread() || !sigint_is_default()) {
        return;
    }
    auto state = std::make_shared<State>();
    state->main = std::move(main_task);
    loop.add_signal_handler(SIGINT, [state] {
        if (!state->active) {
            return;
        }
        ++state->interrupts;
        if (!state->main.done()) {
            state->main.cancel();
        } else {
            state->late = true;
        }
    });
    generation_ = signal_generation(SIGINT);
    // Python raises KeyboardInterrupt from the second SIGINT's handler: C++ cannot throw from a
    // signal handler, so the second SIGINT gets its default action, from the handler itself
    // (which also works when the loop is stuck in a callback).
    kill_on_second_signal(SIGINT, generation_);
    state_ = std::move(state);
}

RunSigint::~RunSigint() {
    if (!state_) {
        return;
    }
    state_->active = false;
    if (signal_generation(SIGINT) == generation_) {
        try {
            loop_.remove_signal_handler(SIGINT); // SIG_DFL, the disposition it replaced
        } catch (...) {
        }
    }
}

int RunSigint::interrupts() const noexcept {
    return state_ ? state_->interrupts : 0;
}

void RunSigint::raise_if_late() const {
    if (state_ && state_->late) {
        throw KeyboardInterrupt();
    }
}

} // namespace concur::asyncio::detail
