// Getting a result back from a thread through a Queue, as in the course:
//
//   def run_thread(result_queue):
//       print("thread doing work...")
//       time.sleep(2)
//       result_queue.put("result")
//   q = Queue(maxsize=0)
//   thread = Thread(target=run_thread, args=(q,))
//   thread.start()
//   print(q.get(), "from queue")
#include <concur/queue.hpp>
#include <concur/threading.hpp>

#include <chrono>
#include <functional>
#include <iostream>
#include <string>
#include <thread>

namespace threading = concur::threading;
using concur::queue::Queue;
using namespace std::chrono_literals;

void run_thread(Queue<std::string>& result_queue) {
    std::cout << "thread doing work..." << std::endl;
    std::this_thread::sleep_for(200ms);
    result_queue.put("result");
}

int main() {
    Queue<std::string> func_result_queue(0);
    // The queue is shared, not copied: std::ref, as for std::thread.
    threading::Thread thread(run_thread, std::ref(func_result_queue));
    thread.start();
    const std::string func_result = func_result_queue.get(true, 10s);
    std::cout << func_result << " from queue" << std::endl;
    thread.join();
}
