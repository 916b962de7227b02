// threading.Timer: call a function after a delay, unless cancelled first.
#pragma once

#include <chrono>
#include <memory>
#include <utility>

#include "concur/threading/event.hpp"
#include "concur/threading/thread.hpp"

namespace concur::threading {

/// A thread that calls `function(args...)` once `interval` has passed after start(), unless
/// cancel() came first (Python's threading.Timer).
class Timer : public Thread {
public:
    template <class F, class... Args>
    requires std::is_invocable_v < std::decay_t<F>
    &, std::decay_t<Args>&... >
           Timer(std::chrono::duration<double> interval, F&& function, Args&&... args)
        : Timer(std::make_shared<Event>(), interval,
                bind(std::forward<F>(function), std::forward<Args>(args)...)) {}

    /// Stops the timer, and its function, if it is still waiting; does nothing afterwards.
    void cancel() noexcept { finished_->set(); }

    /// Set once the timer has fired or been cancelled (Python's Timer.finished).
    [[nodiscard]] const Event& finished() const noexcept { return *finished_; }

private:
    Timer(std::shared_ptr<Event> finished, std::chrono::duration<double> interval,
          UniqueFunction<void()> function)
        : Thread(ThreadOptions{},
                 [finished, interval, function = std::move(function)]() mutable {
                     finished->wait(interval);
                     if (!finished->is_set()) {
                         function();
                     }
                     finished->set();
                 }),
          finished_(std::move(finished)) {}

    std::shared_ptr<Event> finished_;
};

} // namespace concur::threading
