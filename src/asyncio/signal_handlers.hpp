// A loop's signal handlers (Python's loop.add_signal_handler), and what asyncio::run needs of
// the process-wide table behind them. Private to src/asyncio.
//
// One sigaction handler serves every signal of every loop: it writes the signal number, one
// byte, to the self-pipe of the loop that owns the signal; that loop reads the pipe with its
// own reader and schedules the callback with call_soon(). A signal has one owning loop at a
// time (Python's set_wakeup_fd is process-wide too).
#pragma once

#include <csignal>
#include <cstdint>
#include <memory>

#include "concur/asyncio/detail/loop_resource.hpp"
#include "concur/asyncio/events.hpp"
#include "concur/core/unique_function.hpp"

namespace concur::asyncio::detail {

/// ValueError("invalid signal number N") unless `sig` is a signal Python's
/// signal.valid_signals() lists (1..NSIG-1 without the C library's reserved ones).
void check_signal(int sig);

/// The handlers of one loop, made on its first add_signal_handler(). Loop thread only.
class SignalHandlers final : public LoopResource {
public:
    explicit SignalHandlers(EventLoop& loop);
    SignalHandlers(const SignalHandlers&) = delete;
    SignalHandlers& operator=(const SignalHandlers&) = delete;
    ~SignalHandlers();

    /// add_signal_handler() once `sig` is valid and the loop open.
    void add(int sig, UniqueFunction<void()> callback);
    /// remove_signal_handler() once `sig` is valid.
    bool remove(int sig);
    /// The loop closes: every handler is removed, dispositions restored, the pipe closed.
    void loop_closing() noexcept override;

private:
    void open_pipe();
    void read_pipe();
    /// Drops this loop's claim on `sig`: the disposition goes back if the loop still owns it.
    void release(int sig) noexcept;

    EventLoop& loop_;
    int read_fd_ = -1;
    int write_fd_ = -1;
    // Shared with the call_soon() callbacks already scheduled, which run even if the handler
    // is removed or replaced in between (as Python's queued Handle does).
    std::shared_ptr<UniqueFunction<void()>> callbacks_[NSIG];
};

/// Each add or remove of a handler for `sig`, by any loop, changes this number: asyncio::run
/// knows by it whether the SIGINT handler it added is still the one in place.
[[nodiscard]] std::uint64_t signal_generation(int sig) noexcept;

/// asyncio::run's rule for SIGINT (Python's Runner raises KeyboardInterrupt at the second
/// Ctrl-C): from now until the handler of `sig` changes, a second delivery of `sig` restores its
/// default disposition and raises it again, from the signal handler itself. Nothing happens if
/// the handler changed since `generation`.
void kill_on_second_signal(int sig, std::uint64_t generation) noexcept;

} // namespace concur::asyncio::detail
