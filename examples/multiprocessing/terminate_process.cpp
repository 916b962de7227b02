// is_alive() and exitcode before and after terminate().
#include <concur/multiprocessing.hpp>

#include <unistd.h>

#include <cstdio>

namespace mp = concur::multiprocessing;

void do_work() {
    std::puts("Starting do_work function");
    std::fflush(stdout);
    ::sleep(5);
    std::puts("Finished do_work function");
}

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    mp::Process p(do_work);
    std::printf("[Before start] process is alive: %s\n", p.is_alive() ? "True" : "False");
    p.start();
    std::printf("[Running] Process is alive: %s\n", p.is_alive() ? "True" : "False");
    p.terminate();
    p.join();
    std::printf("[After termination] Process is alive: %s\n", p.is_alive() ? "True" : "False");
    std::printf("Process exit code: %d\n", p.exitcode().value_or(0));
}
