// Workload "flags" (../shared/peers/README.md): download every flag of Debian's famfamfam set
// from a private nginx on 127.0.0.1 and save each to a temp dir; every file is then checked
// byte for byte (outside the timed part). Three forms, as the Python peer (flags.py) runs them:
//   plain    the set once, no server delay
//   delayed  the set once, nginx holding each response 20 ms (echo_sleep): 247 requests at
//            concurrency 20 cannot take less than 13 x 20 ms = 0.26 s
//   bulk     the set 20 times over in one timed run (4,940 requests): the client's own cost;
//            lines carry "variant":"bulk"
// Variants: concur-sequential (BlockingSession: one keep-alive connection), concur-threads-20
// (ThreadPoolExecutor(20), http::get, as_completed; workers save), concur-asyncio (Session +
// Semaphore(20) around the request, as_completed).
//
//   flags [--form plain|delayed|bulk] [--repeat 5] [--impl concur-asyncio]
// The files go to a temp dir in $TMPDIR (default /tmp), as the Python peer's.
#include <concur/asyncio.hpp>
#include <concur/futures.hpp>
#include <concur/http.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "common.hpp"
#include "nginx_server.hpp"

namespace asyncio = concur::asyncio;
namespace futures = concur::futures;
namespace http = concur::http;

namespace {

constexpr int kConcurrency = 20;

struct Form {
    std::string name;
    int rounds;
    int delay_ms;
};

struct Target {
    std::string save; // "<round>/<cc>" (or "<cc>")
    std::string url;
};

// The run's state, set before bench::main forks the measured children.
struct Setup {
    std::string base; // nginx's, with /slow for the delayed form
    Form form;
    std::vector<std::string> ccs;
};
Setup g_setup;

std::vector<Target> targets() {
    std::vector<Target> out;
    for (int r = 0; r < g_setup.form.rounds; ++r) {
        for (const auto& cc : g_setup.ccs) {
            const std::string dir = g_setup.form.rounds > 1 ? std::to_string(r) + "/" : "";
            out.push_back({dir + cc, g_setup.base + "/flags/" + cc + ".png"});
        }
    }
    return out;
}

void save_flag(const std::string& data, const std::filesystem::path& dest, const Target& t) {
    std::ofstream out(dest / (t.save + ".png"), std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

struct Counts {
    long ok = 0;
    long not_found = 0;
    long errors = 0;
    long bytes = 0;
};

// What one download did: 0 bytes for a 404.
struct Got {
    bool found;
    long bytes;
};

// A response's outcome, once saved: 404 is not found; another error status raises.
Got check(const http::Response& r) {
    if (r.status == 404) {
        return {false, 0};
    }
    r.raise_for_status();
    return {true, static_cast<long>(r.bytes().size())};
}

void count(const Got& g, Counts& c) {
    if (g.found) {
        ++c.ok;
        c.bytes += g.bytes;
    } else {
        ++c.not_found;
    }
}

// What a response means (check()), and the flag saved when found.
Got store(const http::Response& r, const std::filesystem::path& dest, const Target& t) {
    const Got g = check(r);
    if (g.found) {
        save_flag(r.bytes(), dest, t);
    }
    return g;
}

Counts run_sequential(const std::vector<Target>& ts, const std::filesystem::path& dest) {
    Counts c;
    http::BlockingSession session;
    for (const auto& t : ts) {
        try {
            count(store(session.get(t.url), dest, t), c);
        } catch (const std::exception&) {
            ++c.errors;
        }
    }
    return c;
}

// The peer's download_one: the worker downloads and saves; the main thread counts.
Counts run_threads(const std::vector<Target>& ts, const std::filesystem::path& dest) {
    Counts c;
    futures::ThreadPoolExecutor ex({.max_workers = kConcurrency});
    std::vector<futures::Future<Got>> to_do;
    to_do.reserve(ts.size());
    for (const auto& t : ts) {
        to_do.push_back(ex.submit([&t, &dest] { return store(http::get(t.url), dest, t); }));
    }
    for (const auto& f : futures::as_completed(to_do)) {
        try {
            count(f.result(), c);
        } catch (const std::exception&) {
            ++c.errors;
        }
    }
    return c;
}

// The peer's download_one: the semaphore covers the request only, then the file is saved on
// the loop's thread.
asyncio::Coroutine<void> download_one(http::Session& session, asyncio::Semaphore& sem,
                                      const Target& t, const std::filesystem::path& dest,
                                      Counts& c) {
    try {
        http::Response r;
        {
            auto guard = co_await sem.lock_guard();
            r = co_await session.get(t.url);
        }
        count(store(r, dest, t), c);
    } catch (const std::exception&) {
        ++c.errors;
    }
}

asyncio::Coroutine<Counts> supervisor(const std::vector<Target>& ts, std::filesystem::path dest) {
    Counts c;
    http::Session session({.limit = kConcurrency});
    asyncio::Semaphore sem(kConcurrency);
    std::vector<asyncio::Coroutine<void>> to_do;
    to_do.reserve(ts.size());
    for (const auto& t : ts) {
        to_do.push_back(download_one(session, sem, t, dest, c));
    }
    for (auto next : asyncio::as_completed(std::move(to_do))) {
        co_await next;
    }
    co_return c;
}

Counts run_asyncio(const std::vector<Target>& ts, const std::filesystem::path& dest) {
    return asyncio::run(supervisor(ts, dest));
}

long verify(const std::vector<Target>& ts, const std::filesystem::path& dest) {
    long mismatches = 0;
    for (const auto& t : ts) {
        const std::string cc = std::filesystem::path(t.save).filename().string();
        std::ifstream a(dest / (t.save + ".png"), std::ios::binary);
        std::ifstream b(std::string(concur_test::kFlagsDir) + "/" + cc + ".png", std::ios::binary);
        const std::string sa((std::istreambuf_iterator<char>(a)), {});
        const std::string sb((std::istreambuf_iterator<char>(b)), {});
        mismatches += (!a.good() && sa.empty()) || sa != sb ? 1 : 0;
    }
    return mismatches;
}

using RunFn = Counts (*)(const std::vector<Target>&, const std::filesystem::path&);

bench::Run measure(RunFn fn) {
    const std::vector<Target> ts = targets();
    // In $TMPDIR as the peer's tempfile.mkdtemp(): TMPDIR=/dev/shm takes the disk out of it.
    const char* tmpdir = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp") +
                       "/concur-flags-bench-XXXXXX";
    const std::filesystem::path dest = ::mkdtemp(tmpl.data());
    for (int r = 0; g_setup.form.rounds > 1 && r < g_setup.form.rounds; ++r) {
        std::filesystem::create_directory(dest / std::to_string(r));
    }
    const double t0 = bench::now_seconds();
    const Counts c = fn(ts, dest);
    const double t1 = bench::now_seconds();
    const long mismatches = verify(ts, dest);
    std::filesystem::remove_all(dest);
    const auto n = static_cast<long>(ts.size());
    std::string extra = g_setup.form.rounds > 1 ? "\"variant\":\"bulk\"," : "";
    extra += "\"rounds\":" + std::to_string(g_setup.form.rounds) +
             ",\"dataset\":\"famfamfam\",\"delay_ms\":" + std::to_string(g_setup.form.delay_ms) +
             ",\"concurrency\":" + std::to_string(kConcurrency) +
             ",\"downloaded\":" + std::to_string(c.ok) +
             ",\"not_found\":" + std::to_string(c.not_found) +
             ",\"errors\":" + std::to_string(c.errors) + ",\"bytes\":" + std::to_string(c.bytes) +
             ",\"mismatches\":" + std::to_string(mismatches);
    const bool ok = mismatches == 0 && c.errors == 0 && c.ok == n;
    return {n, t1 - t0, ok, extra};
}

} // namespace

int main(int argc, char** argv) {
    const bench::Options options(argc, argv);
    const std::vector<std::pair<std::string, bench::Variant>> variants = {
        {"concur-sequential", [](const bench::Options&) { return measure(run_sequential); }},
        {"concur-threads-20", [](const bench::Options&) { return measure(run_threads); }},
        {"concur-asyncio", [](const bench::Options&) { return measure(run_asyncio); }},
    };
    if (options.has("list")) {
        return bench::main(argc, argv, "flags", variants);
    }
    const std::vector<Form> forms = {{"plain", 1, 0}, {"delayed", 1, 20}, {"bulk", 20, 0}};
    const std::string only = options.get("form", std::string());
    for (const auto& e : std::filesystem::directory_iterator(concur_test::kFlagsDir)) {
        const std::string name = e.path().filename().string();
        // Every image, as the peer takes them (a few are regions: england, wales...).
        if (name.ends_with(".png") && name[0] != '_') {
            g_setup.ccs.push_back(name.substr(0, name.size() - 4));
        }
    }
    std::sort(g_setup.ccs.begin(), g_setup.ccs.end());
    concur_test::NginxServer server({.delay_ms = 20, .access_log = false});
    int status = 0;
    for (const Form& form : forms) {
        if (!only.empty() && only != form.name) {
            continue;
        }
        g_setup.form = form;
        g_setup.base = server.base() + (form.delay_ms > 0 ? "/slow" : "");
        status |= bench::main(argc, argv, "flags", variants);
    }
    return status;
}
