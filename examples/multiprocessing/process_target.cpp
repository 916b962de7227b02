// A function run in a child process, then joined (the course's first multiprocessing program).
#include <concur/multiprocessing.hpp>

#include <cstdio>
#include <string>

namespace mp = concur::multiprocessing;

void do_some_work(std::string val) {
    std::printf("doing some work in process %s\n", mp::current_process().name.c_str());
    std::printf("echo: %s\n", val.c_str());
}

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv); // if __name__ == '__main__':
    const std::string val = "text";
    mp::Process t(do_some_work, val);
    t.start();
    t.join();
    std::printf("joined; exit code %d\n", t.exitcode().value_or(-1));
}
