// Ctrl-C for the blocking modes: the first SIGINT asks the run to stop after the images in
// hand; the handler then steps aside, so a second Ctrl-C ends the program at once (as Python's
// second KeyboardInterrupt during shutdown).
#pragma once

#include <csignal>

namespace thumbnail_maker {

class InterruptFlag {
public:
    /// Installs the SIGINT handler; the destructor restores the previous one.
    InterruptFlag();
    ~InterruptFlag();
    InterruptFlag(const InterruptFlag&) = delete;
    InterruptFlag& operator=(const InterruptFlag&) = delete;

    /// True once SIGINT has arrived.
    [[nodiscard]] bool is_set() const noexcept;

private:
    struct sigaction previous_ {};
};

/// For the worker processes: ignore SIGINT, which a terminal sends to the whole process group,
/// so that the parent alone decides how to stop.
void ignore_sigint();

} // namespace thumbnail_maker
