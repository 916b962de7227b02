#include <atomic>

#include "thumbnail_maker/tool/interrupt.hpp"

namespace thumbnail_maker {

namespace {
std::atomic<bool> g_interrupted{false};

extern "C" void on_sigint(int) {
    g_interrupted.store(true, std::memory_order_relaxed);
    std::signal(SIGINT, SIG_DFL);
}
} // namespace

InterruptFlag::InterruptFlag() {
    g_interrupted.store(false);
    struct sigaction action {};
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &previous_);
}

InterruptFlag::~InterruptFlag() {
    ::sigaction(SIGINT, &previous_, nullptr);
}

bool InterruptFlag::is_set() const noexcept {
    return g_interrupted.load(std::memory_order_relaxed);
}

void ignore_sigint() {
    std::signal(SIGINT, SIG_IGN);
}

} // namespace thumbnail_maker
