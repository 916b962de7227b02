// A one-way byte stream in memory shared by two processes: a ring with a futex doorbell for
// each side, so that a waiting side spins briefly, then sleeps, and is woken only if asleep.
// One producer and one consumer at a time (callers serialise their own side).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "concur/core/futex.hpp"
#include "concur/core/spin.hpp"
#include "concur/core/timeout.hpp"
#include <chrono>

namespace concur::multiprocessing::detail {

/// A futex word to sleep on, and how many sleep on it.
struct alignas(64) Bell {
    std::atomic<std::uint32_t> seq{0};
    std::atomic<std::uint32_t> sleepers{0};

    /// Wakes every sleeper, if there is one (after the caller published its change).
    void ring() noexcept;
};

/// Returns false when the other side is gone, so that a wait gives up instead of hanging.
using AliveCheck = bool (*)(void* context);

/// Waits until `ready()` holds: spins for `spin` iterations, then sleeps on `bell` in slices
/// of 100 ms, asking `alive` after each. False if `alive` said no or the deadline passed.
template <class Ready>
bool wait_on(Bell& bell, Ready&& ready, AliveCheck alive, void* context, int spin,
             const Deadline& deadline = {}) {
    for (int i = 0; i < spin; ++i) {
        if (ready()) {
            return true;
        }
        cpu_relax();
    }
    for (;;) {
        const std::uint32_t seq = bell.seq.load(std::memory_order_acquire);
        // seq_cst: either the ringer sees us asleep, or we see what it published.
        bell.sleepers.fetch_add(1, std::memory_order_seq_cst);
        if (ready()) {
            bell.sleepers.fetch_sub(1, std::memory_order_relaxed);
            return true;
        }
        Deadline slice = Deadline::after(std::chrono::milliseconds(100));
        if (deadline.remaining() && *deadline.remaining() < *slice.remaining()) {
            slice = deadline;
        }
        futex::wait(bell.seq, seq, slice, /*shared=*/true);
        bell.sleepers.fetch_sub(1, std::memory_order_relaxed);
        if (ready()) {
            return true;
        }
        if ((alive != nullptr && !alive(context)) || deadline.expired()) {
            return false;
        }
    }
}

inline constexpr std::size_t kRingCapacity = std::size_t{1} << 18; // a power of two

struct Ring {
    alignas(64) std::atomic<std::uint64_t> tail{0}; // bytes written, by the producer
    alignas(64) std::atomic<std::uint64_t> head{0}; // bytes read, by the consumer
    Bell space;                                     // the producer sleeps here when full
    // The free bytes a sleeping producer waits for: woken for a sizeable gap, not for each
    // frame the consumer takes.
    alignas(64) std::atomic<std::uint64_t> space_wanted{0};
    alignas(64) char data[kRingCapacity];

    [[nodiscard]] bool readable() const noexcept {
        return tail.load(std::memory_order_acquire) != head.load(std::memory_order_relaxed);
    }
};

/// The two ends of one ring, and the bell that tells the consumer of new bytes.
struct RingEnd {
    Ring* ring = nullptr;
    Bell* data_bell = nullptr;
    AliveCheck alive = nullptr; // is the other side still there?
    void* context = nullptr;
    int spin = 0;

    /// Writes a frame (32-bit length, then the bytes), waiting for space as needed. False if
    /// the consumer is gone. `wake`: wake the consumer if it sleeps (a producer with more to
    /// send soon may leave that to a later frame).
    bool write_frame(std::string_view payload, bool wake = true);
    /// Reads a whole frame; false if the producer is gone or the deadline passed before the
    /// frame began (a frame begun is read to its end, unless the producer dies).
    bool read_frame(std::string& out, const Deadline& deadline = {});

private:
    bool write(const char* p, std::size_t n);
    bool read(char* p, std::size_t n, const Deadline& deadline);
};

} // namespace concur::multiprocessing::detail
