// Busy-waiting politely: a brief spin before parking saves the system calls and context switches
// of a sleep when the wait is short, which on a loaded machine it usually is.
#pragma once

namespace concur {

/// Tells the CPU we are spinning (x86 `pause`, ARM `yield`): saves power and lets a sibling
/// hyper-thread run.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    asm volatile("yield" ::: "memory");
#endif
}

} // namespace concur
