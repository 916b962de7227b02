// Must not compile: a type cereal cannot serialise given to a process pool. The compiler's
// message must say why and name the type (checked by the ctest that compiles this file).
#include "concur/futures/process_pool_executor.hpp"

struct NotSerialisable {
    int* pointer = nullptr;
};

int use(NotSerialisable value) {
    return value.pointer != nullptr ? 1 : 0;
}

int main() {
    concur::futures::ProcessPoolExecutor ex;
    return ex.submit(use, NotSerialisable{}).result();
}
