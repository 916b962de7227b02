// The course's recap on generators: a generator pauses at each yield and resumes where it
// stopped on the next next(); after the last value, next() raises StopIteration.
//
//   def fibonacci(limit):
//       n2 = 1
//       if limit >= 1:
//           print("pausing execution and return n2")
//           yield n2
//           print("resume execution after n2")
//           n1 = 0
//           for _ in range(1, limit):
//               n = n1 + n2
//               print("pausing execution and return n")
//               yield n
//               print("resume execution after n")
//               n1, n2 = n2, n
//
//   fib = fibonacci(5)
//   print(next(fib))  # four more times, then:
//   try:
//       print(next(fib))
//   except StopIteration:
//       print("Finished")
#include <concur/core.hpp>

#include <cstdio>

concur::Generator<long> fibonacci(int limit) {
    long n2 = 1;
    if (limit >= 1) {
        std::printf("pausing execution and return n2\n");
        co_yield n2;
        std::printf("resume execution after n2\n");
        long n1 = 0;
        for (int i = 1; i < limit; ++i) {
            long n = n1 + n2;
            std::printf("pausing execution and return n\n");
            co_yield n;
            std::printf("resume execution after n\n");
            n1 = n2;
            n2 = n;
        }
    }
}

int main() {
    auto fib = fibonacci(5); // nothing printed yet: a generator is lazy
    for (int i = 0; i < 5; ++i) {
        std::printf("%ld\n", fib.next());
    }
    try {
        std::printf("%ld\n", fib.next());
    } catch (const concur::StopIteration&) {
        std::printf("Finished\n");
    }
}
