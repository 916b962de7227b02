// The loop's signal handlers (Python's loop.add_signal_handler and remove_signal_handler).
//
// The process has one table, indexed by signal number. What the sigaction handler reads of it
// are lock-free atomics (the owning loop's pipe, asyncio::run's second-SIGINT rule); what add and
// remove keep besides (the owner, the disposition to restore) is under a mutex the handler never
// takes. A loop closes its pipe only once no handler can still be writing to it.
#include "signal_handlers.hpp"

#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <utility>

#include "concur/core/exceptions.hpp"

namespace concur::asyncio {

namespace detail {

namespace {

static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs lock-free atomics");

// asyncio::run's second-SIGINT rule, per signal.
enum KillRule : int {
    kOff = 0,       // deliveries go to the loop
    kArmed = 1,     // the first delivery goes to the loop; the next one kills
    kDelivered = 2, // one went to the loop: the next one kills
};

// What the signal handler reads. All accesses are seq_cst: with in_handler they form a Dekker
// pair (the handler counts itself in, then reads write_fd; a closing loop clears write_fd, then
// reads in_handler), so a loop that sees no handler running knows none still holds its fd.
struct HandlerSlot {
    std::atomic<int> write_fd{-1}; // the owning loop's self-pipe, or -1
    std::atomic<int> kill_rule{kOff};
};

// What add and remove keep, under g_table_mutex.
struct OwnerSlot {
    SignalHandlers* owner = nullptr;
    struct sigaction saved {}; // the disposition before concur took the signal
    std::uint64_t generation = 0;
};

HandlerSlot g_handler_slots[NSIG];
std::atomic<int> g_in_handler{0}; // signal handlers running now, in any thread
OwnerSlot g_owner_slots[NSIG];
std::mutex g_table_mutex;

// The handler of every signal a loop watches: async-signal-safe (atomics, write, sigaction,
// raise), and errno is left as it was.
void on_signal(int sig) {
    const int saved_errno = errno;
    g_in_handler.fetch_add(1);
    HandlerSlot& slot = g_handler_slots[sig];
    int rule = slot.kill_rule.load();
    if (rule == kDelivered) {
        // A second Ctrl-C in asyncio::run (Python raises KeyboardInterrupt at once): the
        // default action, as soon as this handler returns and unblocks the signal.
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        ::sigaction(sig, &dfl, nullptr);
        g_in_handler.fetch_sub(1);
        ::raise(sig);
        errno = saved_errno;
        return;
    }
    if (rule == kArmed) {
        slot.kill_rule.compare_exchange_strong(rule, kDelivered);
    }
    const int fd = slot.write_fd.load();
    if (fd >= 0) {
        // A full pipe drops the byte: the loop has that signal's callback pending already.
        const auto byte = static_cast<unsigned char>(sig);
        [[maybe_unused]] const ssize_t n = ::write(fd, &byte, 1);
    }
    g_in_handler.fetch_sub(1);
    errno = saved_errno;
}

// Waits until no signal handler runs: one that read a pipe's fd before it was cleared has then
// written and gone.
void wait_for_handlers() noexcept {
    while (g_in_handler.load() != 0) {
        std::this_thread::yield();
    }
}

void close_fd(int& fd) noexcept {
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
}

} // namespace

void check_signal(int sig) {
    sigset_t valid;
    sigfillset(&valid); // glibc leaves out the signals it reserves, as Python's valid_signals()
    if (sig < 1 || sig >= NSIG || sigismember(&valid, sig) != 1) {
        throw ValueError("invalid signal number " + std::to_string(sig));
    }
}

SignalHandlers::SignalHandlers(EventLoop& loop) : loop_(loop) {}

SignalHandlers::~SignalHandlers() {
    // The loop closed first (its destructor closes it), which released everything; this is for
    // a loop that could not.
    for (int sig = 1; sig < NSIG; ++sig) {
        if (callbacks_[sig]) {
            release(sig);
        }
    }
    wait_for_handlers();
    close_fd(write_fd_);
    close_fd(read_fd_);
}

void SignalHandlers::open_pipe() {
    if (read_fd_ >= 0) {
        return;
    }
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        const int e = errno;
        raise_os_error(e, "pipe2: " + std::generic_category().message(e));
    }
    try {
        loop_.add_reader(fds[0], [this] { read_pipe(); });
    } catch (...) {
        ::close(fds[0]);
        ::close(fds[1]);
        throw;
    }
    read_fd_ = fds[0];
    write_fd_ = fds[1];
    loop_.link_resource(this);
}

void SignalHandlers::read_pipe() {
    unsigned char buf[128];
    for (;;) {
        const ssize_t n = ::read(read_fd_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return; // EAGAIN: drained
        }
        for (ssize_t i = 0; i < n; ++i) {
            const int sig = buf[i];
            if (sig <= 0 || sig >= NSIG || !callbacks_[sig]) {
                continue; // removed since it was written
            }
            // As Python's _add_callback_signalsafe: the callback runs in the next iteration.
            loop_.call_soon([callback = callbacks_[sig]] { (*callback)(); });
        }
    }
}

void SignalHandlers::add(int sig, UniqueFunction<void()> callback) {
    if (sig == SIGKILL || sig == SIGSTOP) {
        throw RuntimeError("sig " + std::to_string(sig) + " cannot be caught");
    }
    auto shared = std::make_shared<UniqueFunction<void()>>(std::move(callback));
    open_pipe();
    std::lock_guard lock(g_table_mutex);
    OwnerSlot& owner = g_owner_slots[sig];
    HandlerSlot& slot = g_handler_slots[sig];
    // The pipe first, so that a signal arriving as the disposition changes reaches this loop.
    const int previous_fd = slot.write_fd.exchange(write_fd_);
    struct sigaction ours {};
    ours.sa_handler = &on_signal;
    sigemptyset(&ours.sa_mask);
    ours.sa_flags = SA_RESTART; // as Python's siginterrupt(sig, False)
    struct sigaction previous {};
    if (::sigaction(sig, &ours, &previous) != 0) {
        const int e = errno;
        slot.write_fd.store(previous_fd);
        if (e == EINVAL) {
            throw RuntimeError("sig " + std::to_string(sig) + " cannot be caught");
        }
        raise_os_error(e, "sigaction: " + std::generic_category().message(e));
    }
    if (owner.owner == nullptr) {
        owner.saved = previous;
    }
    // Another loop that owned the signal keeps its callback, unused, until it removes it.
    owner.owner = this;
    ++owner.generation;
    slot.kill_rule.store(kOff);
    callbacks_[sig] = std::move(shared);
}

bool SignalHandlers::remove(int sig) {
    if (!callbacks_[sig]) {
        return false;
    }
    callbacks_[sig].reset();
    release(sig);
    return true;
}

void SignalHandlers::release(int sig) noexcept {
    std::lock_guard lock(g_table_mutex);
    OwnerSlot& owner = g_owner_slots[sig];
    ++owner.generation;
    if (owner.owner != this) {
        return; // another loop took the signal over: its handler stays
    }
    HandlerSlot& slot = g_handler_slots[sig];
    slot.write_fd.store(-1);
    slot.kill_rule.store(kOff);
    ::sigaction(sig, &owner.saved, nullptr);
    owner.owner = nullptr;
    owner.saved = {};
}

void SignalHandlers::loop_closing() noexcept {
    for (int sig = 1; sig < NSIG; ++sig) {
        if (callbacks_[sig]) {
            callbacks_[sig].reset();
            release(sig);
        }
    }
    wait_for_handlers();
    // The loop forgets its watch on read_fd_ after this (close_watches); the descriptor is
    // closed already then, which it tolerates.
    close_fd(write_fd_);
    close_fd(read_fd_);
}

void SignalHandlersDeleter::operator()(SignalHandlers* handlers) const noexcept {
    delete handlers;
}

std::uint64_t signal_generation(int sig) noexcept {
    std::lock_guard lock(g_table_mutex);
    return g_owner_slots[sig].generation;
}

void kill_on_second_signal(int sig, std::uint64_t generation) noexcept {
    std::lock_guard lock(g_table_mutex);
    if (g_owner_slots[sig].generation == generation) {
        g_handler_slots[sig].kill_rule.store(kArmed);
    }
}

} // namespace detail

void EventLoop::add_signal_handler(int sig, UniqueFunction<void()> callback) {
    detail::check_signal(sig);
    if (is_closed()) {
        throw RuntimeError("Event loop is closed");
    }
    check_thread("add_signal_handler");
    if (!signals_) {
        signals_.reset(new detail::SignalHandlers(*this));
    }
    signals_->add(sig, std::move(callback));
}

bool EventLoop::remove_signal_handler(int sig) {
    detail::check_signal(sig);
    check_thread("remove_signal_handler");
    return signals_ && signals_->remove(sig);
}

} // namespace concur::asyncio
