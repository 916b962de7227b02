// The course's first thread: a function and its arguments run in a new thread, then joined.
//
//   import threading
//   def do_some_work(val):
//       print('doing some work in thread')
//       print('echo: {}'.format(val))
//   t = threading.Thread(target=do_some_work, args=('text',))
//   t.start()
//   t.join()
#include <concur/threading.hpp>

#include <iostream>
#include <string>

namespace threading = concur::threading;

void do_some_work(const std::string& val) {
    std::cout << "doing some work in thread " << threading::current_thread().name() << "\n";
    std::cout << "echo: " << val << "\n";
}

int main() {
    threading::Thread t(do_some_work, std::string("text"));
    t.start();
    t.join();
    std::cout << "joined; alive: " << std::boolalpha << t.is_alive() << "\n";
}
