// The three start methods side by side: each child reports how it began.
#include <concur/multiprocessing.hpp>

#include <unistd.h>

#include <cstdio>
#include <string>

namespace mp = concur::multiprocessing;

void do_stuff(std::string method) {
    std::printf("%s: doing stuff in %s (parent %s)...\n", method.c_str(),
                mp::current_process().name.c_str(), mp::parent_process()->name.c_str());
    std::printf("%s: stuff done\n", method.c_str());
}

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    mp::set_start_method("fork");
    for (const std::string& method : mp::get_all_start_methods()) {
        const mp::Context ctx = mp::get_context(method);
        mp::Process proc({.start_method = ctx.get_start_method()}, do_stuff, method);
        proc.start();
        proc.join();
        std::printf("%s: exit code %d\n", method.c_str(), proc.exitcode().value_or(-1));
        std::fflush(stdout);
    }
}
