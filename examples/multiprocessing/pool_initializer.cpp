// A Pool of cpu_count()*2 workers, each announcing itself from the initializer; map of squares.
#include <concur/multiprocessing.hpp>

#include <cstdio>
#include <numeric>
#include <vector>

namespace mp = concur::multiprocessing;

int do_work(int data) {
    return data * data;
}

void start_process() {
    std::printf("starting %s\n", mp::current_process().name.c_str());
    std::fflush(stdout);
}

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    const int pool_size = mp::cpu_count() * 2;
    mp::Pool pool({.processes = pool_size}, start_process);
    std::vector<int> inputs(10);
    std::iota(inputs.begin(), inputs.end(), 0);
    const std::vector<int> outputs = pool.map(do_work, inputs);
    std::printf("Outputs: [");
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        std::printf("%s%d", i ? ", " : "", outputs[i]);
    }
    std::printf("]\n");
    pool.close(); // no more tasks
    pool.join();  // wait for the worker processes to exit
}
