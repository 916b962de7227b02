// The course's second pattern: a class derived from Thread that overrides run().
//
//   class FibonacciThread(threading.Thread):
//       def __init__(self, num):
//           Thread.__init__(self)
//           self.num = num
//       def run(self):
//           fib = [0] * (self.num + 1)
//           fib[0], fib[1] = 0, 1
//           for i in range(2, self.num + 1):
//               fib[i] = fib[i - 1] + fib[i - 2]
//           print(fib[self.num])
#include <concur/threading.hpp>

#include <cstdio>
#include <vector>

namespace threading = concur::threading;

class FibonacciThread : public threading::Thread {
public:
    explicit FibonacciThread(int num) : num_(num) {}

    void run() override {
        std::vector<long> fib(static_cast<std::size_t>(num_) + 1, 0);
        fib[1] = 1;
        for (std::size_t i = 2; i < fib.size(); ++i) {
            fib[i] = fib[i - 1] + fib[i - 2];
        }
        std::printf("fib(%d) = %ld\n", num_, fib.back());
    }

private:
    int num_;
};

int main() {
    FibonacciThread my_fib_task1(9);
    FibonacciThread my_fib_task2(12);
    my_fib_task1.start();
    my_fib_task2.start();
    my_fib_task1.join();
    my_fib_task2.join();
}
