// A program the signal tests start as a child process: asyncio::run interrupted by SIGINT, as
// Ctrl-C interrupts Python's asyncio.run. It reports each step on stdout, one line each.
//
//   sigint_child self    the main task raises SIGINT at itself from a timer
//   sigint_child parent  the parent sends SIGINT once the child prints "ready"
//   sigint_child twice   the main task survives the first SIGINT; the second one kills
#include <csignal>
#include <cstdio>
#include <cstring>

#include "concur/asyncio.hpp"

namespace {

namespace asyncio = concur::asyncio;

void say(const char* line) {
    std::fputs(line, stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

struct Finally {
    Finally() = default;
    Finally(const Finally&) = delete;
    Finally& operator=(const Finally&) = delete;
    ~Finally() { say("finally"); }
};

asyncio::Coroutine<int> sleeper(bool self_raise) {
    const Finally finally;
    if (self_raise) {
        asyncio::get_running_loop().call_later(std::chrono::milliseconds(100),
                                               [] { std::raise(SIGINT); });
    }
    say("ready");
    try {
        co_await asyncio::sleep(60);
    } catch (const concur::CancelledError&) {
        say("cancelled");
        throw;
    }
    say("slept 60 s: no SIGINT came");
    co_return 1;
}

asyncio::Coroutine<int> stubborn() {
    say("ready");
    try {
        co_await asyncio::sleep(60);
    } catch (const concur::CancelledError&) {
        say("cancelled");
    }
    co_await asyncio::sleep(60); // the second SIGINT ends the process here
    say("slept 60 s: no second SIGINT came");
    co_return 1;
}

bool sigint_is_default() {
    struct sigaction current {};
    return ::sigaction(SIGINT, nullptr, &current) == 0 && current.sa_handler == SIG_DFL;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s self|parent|twice\n", argv[0]);
        return 2;
    }
    const bool twice = std::strcmp(argv[1], "twice") == 0;
    const bool self_raise = std::strcmp(argv[1], "self") == 0;
    try {
        const int r = twice ? asyncio::run(stubborn()) : asyncio::run(sleeper(self_raise));
        std::printf("run() returned %d\n", r);
        return 1;
    } catch (const concur::KeyboardInterrupt&) {
        say("KeyboardInterrupt");
    } catch (const concur::CancelledError&) {
        say("CancelledError");
        return 1;
    }
    say(sigint_is_default() ? "restored" : "not restored");
    return 0;
}
