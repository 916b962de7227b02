// The memory a pool shares with its workers: one bell for the parent, and per worker a ring of
// calls, a ring of answers and the bell the worker sleeps on.
#pragma once

#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "concur/multiprocessing/detail/inherited_fds.hpp"
#include "concur/multiprocessing/detail/shm_ring.hpp"

namespace concur::multiprocessing::detail {

struct PoolSlot {
    Ring calls;
    Ring answers;
    Bell worker_bell; // new calls
};

struct PoolShared {
    Bell parent_bell;  // new answers, from any worker
    PoolSlot slots[1]; // as many as the pool has processes

    static std::size_t size_for(int processes) {
        return sizeof(PoolShared) + sizeof(PoolSlot) * static_cast<std::size_t>(processes - 1);
    }
};

// The answer frame's first byte.
inline constexpr char kAnswerResult = 0;
inline constexpr char kAnswerException = 1;
inline constexpr char kAnswerRetiring = 2;   // max_tasks_per_child reached: the worker exits
inline constexpr char kAnswerInitFailed = 3; // then an exception record

/// Idle spins before sleeping: about the time of a round trip through the other process.
inline constexpr int kSpin = 4000;

/// What a worker process is given.
struct WorkerArgs {
    int memfd = -1;
    std::uint64_t size = 0;
    int slot = 0;
    int parent_pid = 0;
    int max_tasks = 0;
    std::string initializer;

    template <class Archive>
    void save(Archive& archive) const {
        archive(share_fd(memfd), size, slot, parent_pid, max_tasks, initializer);
    }
    template <class Archive>
    void load(Archive& archive) {
        std::uint32_t index = 0;
        archive(index, size, slot, parent_pid, max_tasks, initializer);
        memfd = ::dup(inherited_fd(index)); // the inherited one is closed after loading
    }
};

/// The worker process's target.
void pool_worker_main(WorkerArgs args);

} // namespace concur::multiprocessing::detail
