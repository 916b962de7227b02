// One image after another on one thread: fetch, resize, store (the course's first version).
#include <chrono>

#include <concur/progress.hpp>

#include "thumbnail_maker/tool/interrupt.hpp"
#include "thumbnail_maker/tool/resize.hpp"
#include "thumbnail_maker/tool/steps.hpp"

namespace thumbnail_maker {

RunResult run_sequential(const Options& options, const std::vector<Source>& sources) {
    const Destination destination = make_destination(options);
    const auto& t = options.thumbnails;
    const ResizeFn in_process = [&](std::string encoded) {
        return resize(std::move(encoded), t.widths, static_cast<int>(t.format), t.quality);
    };
    InterruptFlag interrupt;
    RunResult run;
    concur::progress::Bar bar({.total = sources.size(),
                               .desc = "sequential",
                               .unit = "img",
                               .disable = !options.progress});
    for (const Source& source : sources) {
        if (interrupt.is_set()) {
            run.interrupted = true;
            break;
        }
        run.images.push_back(process_blocking(options, destination, source, in_process));
        bar.update(1);
    }
    bar.close();
    run.interrupted = run.interrupted || interrupt.is_set();
    return run;
}

} // namespace thumbnail_maker
