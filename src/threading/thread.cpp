#include "concur/threading/thread.hpp"

#include <cerrno>
#include <cxxabi.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <typeinfo>
#include <unistd.h>

#include "concur/core/exceptions.hpp"
#include "concur/core/futex.hpp"
#include "concur/core/spin.hpp"
#include "concur/threading/local.hpp"
#include "thread_state.hpp"

namespace concur::threading {

using detail::Status;
using detail::ThreadState;

namespace {

void name_system_thread(pthread_t thread, const std::string& name) {
    // The kernel keeps 15 bytes of a thread's name; the rest is for Python-style names only.
    pthread_setname_np(thread, name.substr(0, 15).c_str());
}

void set_status(ThreadState& state, Status status) {
    state.status.store(static_cast<std::uint32_t>(status), std::memory_order_release);
    futex::wake_all(state.status);
}

struct Launch {
    std::shared_ptr<ThreadState> state;
};

// The end of a thread's life: gone from enumerate(), then is_alive() false and join() returns.
void finish(ThreadState& state) {
    // The thread's threading::local values go first, so that join() returns after them, as in
    // CPython (C++ thread_local destructors would only run after the futex wake-up).
    detail::release_thread_locals();
    detail::unregister_active(&state);
    set_status(state, Status::kFinished);
}

// UBSan's null check flags the catch of abi::__forced_unwind, which has no C++ object behind
// its reference; the reference is never used.
__attribute__((no_sanitize("null"))) void* trampoline(void* arg) {
    std::shared_ptr<ThreadState> state = std::move(static_cast<Launch*>(arg)->state);
    delete static_cast<Launch*>(arg);
    state->ident = get_ident();
    state->native_id = get_native_id();
    {
        std::lock_guard lock(state->mutex);
        name_system_thread(pthread_self(), state->name);
    }
    detail::set_current_state(state);
    detail::register_active(state);
    set_status(*state, Status::kRunning);
    try {
        if (state->target) {
            UniqueFunction<void()> target = std::move(state->target);
            target();
        } else if (state->self != nullptr) {
            state->self->run();
        }
    } catch (abi::__forced_unwind&) {
        // pthread_exit() or cancellation: the thread ends quietly (as SystemExit ends a Python
        // thread). The unwind must go on, or the runtime aborts the process.
        finish(*state);
        throw;
    } catch (...) {
        detail::report_uncaught(std::current_exception());
    }
    finish(*state);
    return nullptr;
}

std::shared_ptr<ThreadState> new_state(ThreadOptions options) {
    auto state = std::make_shared<ThreadState>();
    // As in Python, an empty name means the default one.
    state->name = options.name && !options.name->empty() ? std::move(*options.name)
                                                         : detail::next_thread_name("Thread");
    state->daemon = options.daemon ? *options.daemon : current_thread().daemon();
    return state;
}

} // namespace

Thread::Thread() : Thread(ThreadOptions{}) {}

Thread::Thread(ThreadOptions options) : state_(new_state(std::move(options))) {}

Thread::Thread(ThreadOptions options, UniqueFunction<void()> target)
    : state_(new_state(std::move(options))) {
    state_->target = std::move(target);
}

void Thread::run() {
    // The default activity, also when called directly: run the target once.
    if (state_->target) {
        UniqueFunction<void()> target = std::move(state_->target);
        target();
    }
}

void Thread::start() {
    auto expected = static_cast<std::uint32_t>(Status::kNew);
    if (!state_->status.compare_exchange_strong(
            expected, static_cast<std::uint32_t>(Status::kStarting), std::memory_order_acq_rel)) {
        throw RuntimeError("threads can only be started once");
    }
    detail::install_exit_rule();
    // Only a derived class can have a run() worth calling; a plain Thread has nothing but its
    // target to run, and the handle that started it may be gone before the thread runs.
    state_->self = typeid(*this) == typeid(Thread) ? nullptr : this;

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    auto* launch = new Launch{state_};
    pthread_t handle{};
    const int rc = pthread_create(&handle, &attr, trampoline, launch);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        delete launch;
        state_->self = nullptr;
        state_->status.store(static_cast<std::uint32_t>(Status::kNew), std::memory_order_release);
        throw RuntimeError("can't start new thread");
    }
    // Python's start() returns once the thread runs: ident and native_id are then known.
    for (int i = 0; i < 200 && state_->load_status() == Status::kStarting; ++i) {
        cpu_relax();
    }
    while (state_->load_status() == Status::kStarting) {
        futex::wait(state_->status, static_cast<std::uint32_t>(Status::kStarting));
    }
}

bool Thread::join(Timeout timeout) const {
    const Status status = state_->load_status();
    if (status == Status::kNew) {
        throw RuntimeError("cannot join thread before it is started");
    }
    if (current_thread() == *this) {
        throw RuntimeError("cannot join current thread");
    }
    const Deadline deadline = Deadline::after(timeout);
    for (;;) {
        const std::uint32_t word = state_->status.load(std::memory_order_acquire);
        if (word == static_cast<std::uint32_t>(Status::kFinished)) {
            return true;
        }
        if (!futex::wait(state_->status, word, deadline)) {
            return state_->load_status() == Status::kFinished;
        }
    }
}

bool Thread::is_alive() const {
    const Status status = state_->load_status();
    return status == Status::kRunning || status == Status::kStarting;
}

std::string Thread::name() const {
    std::lock_guard lock(state_->mutex);
    return state_->name;
}

void Thread::set_name(std::string name) {
    std::lock_guard lock(state_->mutex);
    state_->name = std::move(name);
    // Only the thread itself renames its system thread (as CPython 3.14): another thread's
    // pthread_t is invalid once that detached thread has exited, which may happen at any time.
    if (state_->load_status() == Status::kRunning && state_->ident == get_ident()) {
        name_system_thread(pthread_self(), state_->name);
    }
}

bool Thread::daemon() const {
    std::lock_guard lock(state_->mutex);
    return state_->daemon;
}

void Thread::set_daemon(bool daemon) {
    if (state_->load_status() != Status::kNew) {
        throw RuntimeError("cannot set daemon status of active thread");
    }
    std::lock_guard lock(state_->mutex);
    state_->daemon = daemon;
}

std::optional<unsigned long> Thread::ident() const {
    if (state_->load_status() == Status::kNew || state_->load_status() == Status::kStarting) {
        return std::nullopt;
    }
    return state_->ident;
}

std::optional<long> Thread::native_id() const {
    if (state_->load_status() == Status::kNew || state_->load_status() == Status::kStarting) {
        return std::nullopt;
    }
    return state_->native_id;
}

Thread current_thread() {
    return Thread(detail::current_state());
}

Thread main_thread() {
    return Thread(detail::main_state());
}

std::vector<Thread> enumerate() {
    std::vector<Thread> threads;
    for (auto& state : detail::active_states()) {
        threads.push_back(Thread(std::move(state)));
    }
    return threads;
}

std::size_t active_count() {
    return detail::active_states().size();
}

unsigned long get_ident() noexcept {
    return static_cast<unsigned long>(pthread_self());
}

long get_native_id() noexcept {
    return static_cast<long>(::syscall(SYS_gettid));
}

} // namespace concur::threading
