// A guard that turns a hung test into a failed one.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <concur/threading/event.hpp>

namespace concur_test {

/// Aborts the process, with a message, if the scope lasts longer than `limit`: a blocking call
/// without a timeout of its own (an executor's destructor) then fails the test instead of
/// hanging it. Each test runs in its own process under ctest, so the abort fails only that one.
class Watchdog {
public:
    explicit Watchdog(std::chrono::duration<double> limit = std::chrono::seconds(40))
        : thread_([this, limit] {
              if (!done_.wait(limit)) {
                  std::fprintf(stderr, "watchdog: the test is stuck; aborting\n");
                  std::abort();
              }
          }) {}
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;
    ~Watchdog() {
        done_.set();
        thread_.join();
    }

private:
    concur::threading::Event done_; // constructed before thread_ starts
    std::thread thread_;
};

} // namespace concur_test
