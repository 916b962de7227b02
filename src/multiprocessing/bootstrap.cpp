// freeze_support() and the identity of a process: what a child started by spawn or the fork
// server does before its target runs.
#include <sys/types.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "concur/multiprocessing/context.hpp"
#include "concur/multiprocessing/detail/inherited_fds.hpp"
#include "concur/multiprocessing/reduction.hpp"
#include "fd_io.hpp"
#include "identity.hpp"
#include "launch.hpp"

// Defined here and referenced weakly by the check below: a program whose main never calls
// freeze_support() does not link this file, and that is visible before main runs.
extern "C" void concur_multiprocessing_freeze_support_linked() {}

namespace concur::multiprocessing {
namespace detail {
namespace {

int parse_fd(const char* text) {
    char* end = nullptr;
    const long fd = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || fd < 0 || fd > 1 << 20) {
        std::fprintf(stderr, "concur: bad descriptor argument '%s'\n", text);
        std::_Exit(2);
    }
    return static_cast<int>(fd);
}

} // namespace

} // namespace detail

void freeze_support(int argc, char** argv) {
    using namespace detail;
    if (argc < 3) {
        return;
    }
    const std::string_view mode = argv[1];
    if (mode == "--concur-multiprocessing-child") {
        mark_bootstrapped();
        ::unsetenv("CONCUR_MULTIPROCESSING_CHILD");
        const int boot = parse_fd(argv[2]);
        std::string frame;
        BootRecord record;
        try {
            if (!recv_frame(boot, frame)) {
                std::_Exit(1);
            }
            record = loads<BootRecord>(frame);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "concur: a new process could not read its work: %s\n", e.what());
            std::_Exit(1);
        }
        set_inherited_fds(record.fds);
        run_child(record, boot);
    }
    if (mode == "--concur-multiprocessing-forkserver") {
        mark_bootstrapped();
        ::unsetenv("CONCUR_MULTIPROCESSING_CHILD");
        run_forkserver(parse_fd(argv[2]));
    }
}

} // namespace concur::multiprocessing
