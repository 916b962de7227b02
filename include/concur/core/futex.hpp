// The Linux futex: sleep until a 32-bit word changes. Every blocking primitive in concur parks
// on one, so a wake-up costs a system call only when someone is actually asleep.
#pragma once

#include <atomic>
#include <cstdint>

#include "concur/core/timeout.hpp"

namespace concur::futex {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t),
              "a futex word must be a plain 32-bit integer");

/// Sleeps while `word == expected`, until woken, the deadline passes, or a spurious wake-up.
/// Returns false only when the deadline has passed; callers re-check their condition either way.
/// `shared` is for words in memory shared between processes.
bool wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
          const Deadline& deadline = {}, bool shared = false) noexcept;

/// Wakes up to `count` threads sleeping on `word`.
void wake(const std::atomic<std::uint32_t>& word, int count, bool shared = false) noexcept;

/// Wakes every thread sleeping on `word`.
void wake_all(const std::atomic<std::uint32_t>& word, bool shared = false) noexcept;

} // namespace concur::futex
