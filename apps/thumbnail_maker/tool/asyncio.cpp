// The event loop for the IO, a process pool for the CPU: one coroutine per image downloads
// with an http::Session (a Semaphore of `downloads` transfers at once), awaits its resize in a
// ProcessPoolExecutor, and writes files in the loop's default executor (or uploads with the
// session) — the course's asyncio version.
#include <chrono>
#include <memory>

#include <concur/asyncio.hpp>
#include <concur/futures.hpp>
#include <concur/futures/process_pool_executor.hpp>
#include <concur/http.hpp>
#include <concur/progress.hpp>

#include "thumbnail_maker/tool/interrupt.hpp"
#include "thumbnail_maker/tool/resize.hpp"
#include "thumbnail_maker/tool/steps.hpp"

namespace asyncio = concur::asyncio;
namespace futures = concur::futures;
namespace http = concur::http;
using asyncio::Coroutine;

namespace thumbnail_maker {

namespace {

struct Context {
    const Options& options;
    const Destination& destination;
    futures::ProcessPoolExecutor& pool;
    http::Session& session;
    asyncio::Semaphore& transfers; // requests in flight
    asyncio::Semaphore& images;    // images in hand: bounds memory when downloads outrun resizing
};

Coroutine<http::Response> send(Context& ctx, std::string method, Request request) {
    auto slot = co_await ctx.transfers.lock_guard();
    co_return co_await ctx.session.request(std::move(method), std::move(request.url),
                                           std::move(request.options));
}

Coroutine<std::vector<OutputFile>> store(Context& ctx, const Source& source,
                                         std::vector<image::Thumbnail> thumbnails) {
    if (ctx.destination.kind == Destination::Kind::folder) {
        // Shared, not borrowed: if this task is cancelled the write still finishes in its
        // thread, after this frame is gone.
        auto held = std::make_shared<const std::vector<image::Thumbnail>>(std::move(thumbnails));
        const Options& options = ctx.options;
        const std::string folder = ctx.destination.base;
        // Named first: GCC 12 destroys a lambda temporary inside co_await twice.
        auto write = [&options, folder, &source, held] {
            return store_in_folder(options, folder, source, *held);
        };
        std::vector<OutputFile> written = co_await asyncio::to_thread(std::move(write));
        co_return written;
    }
    std::vector<OutputFile> outputs;
    for (std::size_t i = 0; i < thumbnails.size(); ++i) {
        const std::string name = output_name(ctx.options, source, ctx.options.thumbnails.widths[i]);
        Request request = store_request(ctx.options, ctx.destination, name, thumbnails[i].bytes);
        const std::string url = request.url;
        const http::Response response = co_await send(ctx, "PUT", std::move(request));
        check_stored(response);
        outputs.push_back({.width = thumbnails[i].width,
                           .height = thumbnails[i].height,
                           .bytes = thumbnails[i].bytes.size(),
                           .location = url});
    }
    co_return outputs;
}

Coroutine<ImageResult> process(Context& ctx, const Source& source) {
    const auto t0 = std::chrono::steady_clock::now();
    ImageResult result;
    result.source = source.display;
    try {
        auto in_hand = co_await ctx.images.lock_guard();
        std::string encoded;
        if (source.kind == Source::Kind::file) {
            encoded = co_await asyncio::to_thread(read_file, source.location);
        } else {
            const http::Response response =
                co_await send(ctx, "GET", fetch_request(ctx.options, source));
            encoded = fetched_body(response);
        }
        result.bytes_in = encoded.size();
        const auto& t = ctx.options.thumbnails;
        std::vector<image::Thumbnail> thumbnails = co_await asyncio::run_in_executor(
            asyncio::get_running_loop(), &ctx.pool, resize, std::move(encoded), t.widths,
            static_cast<int>(t.format), t.quality);
        result.outputs = co_await store(ctx, source, std::move(thumbnails));
        result.ok = true;
    } catch (const concur::CancelledError&) {
        throw;
    } catch (...) {
        result.error = describe_current_exception();
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    co_return result;
}

Coroutine<void> supervisor(const Options& options, const Destination& destination,
                           const std::vector<Source>& sources, futures::ProcessPoolExecutor& pool,
                           RunResult& run) {
    http::Session session({.limit = options.downloads});
    asyncio::Semaphore transfers(options.downloads);
    asyncio::Semaphore images(options.downloads + 2 * options.workers);
    Context ctx{options, destination, pool, session, transfers, images};
    // A task group: if the run is cancelled (Ctrl-C), every image's task is cancelled and
    // awaited before this frame, which holds what they use, goes away.
    auto body = [&](asyncio::TaskGroup& tg) -> Coroutine<void> {
        std::vector<asyncio::Task<ImageResult>> tasks;
        tasks.reserve(sources.size());
        for (const Source& source : sources) {
            tasks.push_back(tg.create_task(process(ctx, source)));
        }
        concur::progress::tqdm done(asyncio::as_completed(std::move(tasks)),
                                    {.total = sources.size(),
                                     .desc = "asyncio",
                                     .unit = "img",
                                     .disable = !options.progress});
        for (auto next : done) {
            run.images.push_back(co_await next);
        }
    };
    co_await asyncio::task_group(std::move(body));
}

} // namespace

RunResult run_asyncio(const Options& options, const std::vector<Source>& sources) {
    const Destination destination = make_destination(options);
    // The pool first, before the loop's threads exist: its workers start by fork.
    futures::ProcessPoolExecutor pool({.max_workers = options.workers}, ignore_sigint);
    RunResult run;
    try {
        asyncio::run(supervisor(options, destination, sources, pool, run));
    } catch (const concur::KeyboardInterrupt&) {
        run.interrupted = true; // Ctrl-C: asyncio::run cancelled what was left
    }
    return run;
}

} // namespace thumbnail_maker
