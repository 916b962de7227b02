// Whether a thread is asleep in the kernel, read from /proc (Linux shows the system call a
// blocked thread is in, and its arguments): how a test knows a waiter really sleeps, rather
// than spins or has not arrived yet.
#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <sys/syscall.h>

namespace concur_test {

/// The address that thread `tid` of this process sleeps on in futex() (the system call's first
/// argument); nothing while it is not blocked in futex().
inline std::optional<std::uintptr_t> futex_address(long tid) {
    std::ifstream file("/proc/self/task/" + std::to_string(tid) + "/syscall");
    long number = -1;
    std::string first_argument;
    if (!(file >> number >> first_argument) || number != SYS_futex) {
        return std::nullopt;
    }
    return static_cast<std::uintptr_t>(std::stoull(first_argument, nullptr, 16));
}

/// True while thread `tid` is blocked in futex(), whatever the word.
inline bool in_futex(long tid) {
    return futex_address(tid).has_value();
}

/// True while thread `tid` sleeps in futex() on `address`: for a primitive whose futex word is
/// its first member, that the thread waits on that very object.
inline bool sleeping_on(long tid, const void* address) {
    return futex_address(tid) == reinterpret_cast<std::uintptr_t>(address);
}

} // namespace concur_test
