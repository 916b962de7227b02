// The course's cooperative scheduling with generators: two tasks that give control back at each
// yield, interleaved by a round-robin scheduler on one thread. No task is ever interrupted:
// each runs until it yields, which is what asyncio's event loop does with coroutines.
//
//   def foo():
//       for i in range(15):
//           print(f"foo: counting {i}")
//           yield
//
//   def bar():
//       for i in range(5):
//           print(f"bar: counting {i}")
//           yield
//
//   def run(tasks):
//       queue = deque(tasks)
//       while queue:
//           task = queue.popleft()
//           try:
//               next(task)
//               queue.append(task)
//           except StopIteration:
//               pass
//
//   run([foo(), bar()])
//
// (The course sleeps a second after each step to make the interleaving visible, and drives the
// two with zip_longest; the order of the lines is the same.) Python's bare `yield` yields None:
// here the tasks are Generator<std::monostate> and yield with `co_yield {}`.
#include <concur/core.hpp>

#include <cstdio>
#include <deque>
#include <utility>
#include <variant>

using Task = concur::Generator<std::monostate>;

Task foo() {
    for (int i = 0; i < 15; ++i) {
        std::printf("foo: counting %d\n", i);
        co_yield {};
    }
}

Task bar() {
    for (int i = 0; i < 5; ++i) {
        std::printf("bar: counting %d\n", i);
        co_yield {};
    }
}

// Runs each task to its next co_yield in turn; a task that has finished leaves the queue.
void run(std::deque<Task> queue) {
    while (!queue.empty()) {
        Task task = std::move(queue.front());
        queue.pop_front();
        try {
            task.next();
            queue.push_back(std::move(task));
        } catch (const concur::StopIteration&) {
        }
    }
}

int main() {
    std::deque<Task> tasks;
    tasks.push_back(foo());
    tasks.push_back(bar());
    run(std::move(tasks));
}
