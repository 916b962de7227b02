// The worker process of a pool: run each call from the ring, answer on the other ring.
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>

#include "concur/multiprocessing/detail/call.hpp"
#include "concur/multiprocessing/detail/remote_exception.hpp"
#include "concur/multiprocessing/process.hpp"
#include "launch.hpp"
#include "pool_shared.hpp"

namespace concur::multiprocessing::detail {
namespace {

bool parent_alive(void* context) {
    const int pid = *static_cast<int*>(context);
    return ::kill(pid, 0) == 0 || errno == EPERM;
}

[[noreturn]] void quit(int code) {
    flush_std_streams();
    ::_exit(code);
}

} // namespace

void pool_worker_main(WorkerArgs args) {
    void* memory = ::mmap(nullptr, args.size, PROT_READ | PROT_WRITE, MAP_SHARED, args.memfd, 0);
    if (memory == MAP_FAILED) {
        quit(1);
    }
    auto* shared = static_cast<PoolShared*>(memory);
    PoolSlot& slot = shared->slots[args.slot];
    int parent = args.parent_pid;
    RingEnd calls{&slot.calls, &slot.worker_bell, parent_alive, &parent, kSpin};
    RingEnd answers{&slot.answers, &shared->parent_bell, parent_alive, &parent, kSpin};
    const std::string context =
        "in process " + current_process().name + " (pid " + std::to_string(::getpid()) + ")";
    std::string frame;
    std::string out;
    if (!args.initializer.empty()) {
        try {
            run_message(args.initializer, out);
        } catch (...) {
            out.assign(1, kAnswerInitFailed);
            dump_current_exception(out, context + ", in the initializer");
            answers.write_frame(out);
            quit(1);
        }
    }
    int done = 0;
    auto last_ring = std::chrono::steady_clock::now();
    for (;;) {
        if (!calls.read_frame(frame)) {
            quit(1); // the parent has gone
        }
        if (frame.empty()) {
            break; // shutdown
        }
        out.assign(1, kAnswerResult);
        try {
            run_message(frame, out);
        } catch (...) {
            out.assign(1, kAnswerException);
            dump_current_exception(out, context);
        }
        // With more calls waiting, the parent is woken at most every 200 us: a stream of small
        // calls then costs it few wake-ups, and its pool thread looks every millisecond anyway.
        const auto now = std::chrono::steady_clock::now();
        const bool ring =
            !slot.calls.readable() || now - last_ring >= std::chrono::microseconds(200);
        if (ring) {
            last_ring = now;
        }
        if (!answers.write_frame(out, ring)) {
            quit(1);
        }
        if (args.max_tasks > 0 && ++done == args.max_tasks) {
            answers.write_frame(std::string(1, kAnswerRetiring));
            break;
        }
    }
    quit(0);
}

} // namespace concur::multiprocessing::detail
