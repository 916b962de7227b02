// Threads for the IO, a process pool for the CPU: each image is a task of a thread pool of
// `downloads` threads that fetches, hands the resize to a ProcessPoolExecutor of `workers`
// processes and waits for it, then stores (the course's threads + multiprocessing version).
#include <chrono>

#include <concur/futures.hpp>
#include <concur/futures/process_pool_executor.hpp>
#include <concur/progress.hpp>

#include "thumbnail_maker/tool/interrupt.hpp"
#include "thumbnail_maker/tool/resize.hpp"
#include "thumbnail_maker/tool/steps.hpp"

namespace futures = concur::futures;

namespace thumbnail_maker {

RunResult run_threads(const Options& options, const std::vector<Source>& sources) {
    const Destination destination = make_destination(options);
    const auto& t = options.thumbnails;
    // The pool first, before any thread of ours exists: its workers start by fork.
    futures::ProcessPoolExecutor pool({.max_workers = options.workers}, ignore_sigint);
    const ResizeFn in_pool = [&](std::string encoded) {
        return pool
            .submit(resize, std::move(encoded), t.widths, static_cast<int>(t.format), t.quality)
            .result();
    };
    InterruptFlag interrupt;
    RunResult run;
    concur::progress::Bar bar(
        {.total = sources.size(), .desc = "threads", .unit = "img", .disable = !options.progress});
    {
        futures::ThreadPoolExecutor io({.max_workers = options.downloads});
        std::vector<futures::Future<ImageResult>> pending;
        pending.reserve(sources.size());
        for (const Source& source : sources) {
            pending.push_back(
                io.submit([&] { return process_blocking(options, destination, source, in_pool); }));
        }
        auto collect = [&](std::vector<futures::Future<ImageResult>>& done) {
            for (auto& f : done) {
                if (!f.cancelled()) {
                    run.images.push_back(f.result());
                    bar.update(1);
                }
            }
        };
        // Wake up now and then to see Ctrl-C: a blocked wait would not.
        while (!pending.empty() && !interrupt.is_set()) {
            auto [done, not_done] =
                futures::wait(pending, std::chrono::milliseconds(100), futures::FIRST_COMPLETED);
            collect(done);
            pending = std::move(not_done);
        }
        if (!pending.empty()) {
            // Interrupted: images not started are dropped; those in hand finish and are kept.
            run.interrupted = true;
            for (auto& f : pending) {
                f.cancel();
            }
            auto [done, not_done] = futures::wait(pending);
            collect(done);
        }
    }
    bar.close();
    run.interrupted = run.interrupted || interrupt.is_set();
    return run;
}

} // namespace thumbnail_maker
