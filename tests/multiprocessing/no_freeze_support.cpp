// A program whose main forgets freeze_support(): starting a process by spawn must fail at once
// with a message that says what to do, and the program must not run twice.
#include <cstdio>

#include "concur/multiprocessing/process.hpp"

namespace mp = concur::multiprocessing;

void target() {
    std::puts("the target ran");
}

int main() {
    std::puts("main started");
    std::fflush(stdout);
    mp::Process p({.start_method = "spawn"}, target);
    try {
        p.start();
        p.join();
        std::puts("started without freeze_support");
        return 1;
    } catch (const mp::ProcessError& e) {
        std::printf("ProcessError: %s\n", e.what());
        return 0;
    }
}
