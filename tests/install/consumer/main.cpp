// A program written against the installed concur only.
#include <concur/futures.hpp>

#include <cstdio>
#include <vector>

int main() {
    concur::futures::ThreadPoolExecutor executor({.max_workers = 2});
    std::vector<int> xs{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    int sum = 0;
    for (int square : executor.map([](int x) { return x * x; }, xs)) {
        sum += square;
    }
    std::printf("sum of squares: %d\n", sum);
    return sum == 285 ? 0 : 1;
}
