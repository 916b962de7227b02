// An asyncio.Future holds a value that is not there yet: set by hand, or by another task
// while this one awaits it.
//
//   my_future = asyncio.Future()
//   print(f"Is my_future done? {my_future.done()}")
//   my_future.set_result(42)
//   print(f'Is my_future done? {my_future.done()}')
//   print(f'What is the result of my_future? {my_future.result()}')
//
//   def make_request():
//       future = asyncio.Future()
//       asyncio.create_task(set_future_value(future))
//       return future
//
//   async def set_future_value(future):
//       await asyncio.sleep(1)
//       future.set_result(42)
//
//   async def main():
//       future = make_request()
//       print(f"Is request done? {future.done()}")
//       value = await future
//       print(f"Is request done? {future.done()}")
//       print(value)
#include <concur/asyncio.hpp>

#include <chrono>
#include <cstdio>

namespace asyncio = concur::asyncio;
using namespace std::chrono_literals;

const char* py_bool(bool b) {
    return b ? "True" : "False";
}

asyncio::Coroutine<> set_future_value(asyncio::Future<int> future) {
    co_await asyncio::sleep(1s);
    future.set_result(42);
}

asyncio::Future<int> make_request() {
    asyncio::Future<int> future;
    asyncio::create_task(set_future_value(future)); // the loop keeps the task until it is done
    return future;
}

asyncio::Coroutine<> amain() {
    asyncio::Future<int> my_future; // a future needs a loop: made inside the running one
    std::printf("Is my_future done? %s\n", py_bool(my_future.done()));
    my_future.set_result(42);
    std::printf("Is my_future done? %s\n", py_bool(my_future.done()));
    std::printf("What is the result of my_future? %d\n", my_future.result());

    auto future = make_request();
    std::printf("Is request done? %s\n", py_bool(future.done()));
    int value = co_await future;
    std::printf("Is request done? %s\n", py_bool(future.done()));
    std::printf("%d\n", value);
}

int main() {
    asyncio::run(amain());
}
