// flags: downloads flag images from a server and saves each to a folder, in one of three modes
// (Fluent Python's flags2 programs):
//
//   flags --mode asyncio --base-url http://127.0.0.1:8080/flags -c 20 br cn in
//   flags --all --mode threads --dest out/      # every two-letter code: most are 404s
//
// Prints a progress bar on a terminal (plain lines otherwise), the errors, and a summary; exits
// with status 1 if any flag failed with an error other than 404 Not Found.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "flags.hpp"

namespace {
// Fluent Python's POP20_CC: the 20 most populous countries.
const std::vector<std::string> kPop20 = {"cn", "in", "us", "id", "br", "pk", "ng",
                                         "bd", "ru", "jp", "mx", "ph", "vn", "et",
                                         "eg", "de", "ir", "tr", "cd", "fr"};

std::vector<std::string> every_code() {
    std::vector<std::string> out;
    for (char a = 'a'; a <= 'z'; ++a) {
        for (char b = 'a'; b <= 'z'; ++b) {
            out.push_back(std::string{a, b});
        }
    }
    return out;
}
} // namespace

int main(int argc, char** argv) {
    flags::Options options;
    bool all = false;
    CLI::App app{"Download flags of countries (Fluent Python's flags2)."};
    app.add_option("countries", options.countries,
                   "country codes to download (default: the 20 most populous)");
    app.add_flag("-a,--all", all, "every two-letter code AA..ZZ (most are not found)");
    app.add_option("-m,--mode", options.mode, "how to download")
        ->check(CLI::IsMember({"sequential", "threads", "asyncio"}))
        ->capture_default_str();
    app.add_option("-c,--concurrency", options.concurrency, "requests at once (threads, asyncio)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("-u,--base-url", options.base_url, "the flags' folder on the server")
        ->capture_default_str();
    app.add_option("-d,--dest", options.dest, "the folder to save the flags to")
        ->capture_default_str();
    app.add_option("-t,--timeout", options.timeout, "seconds per request")->capture_default_str();
    bool no_progress = false;
    app.add_flag("--no-progress", no_progress, "no progress display");
    CLI11_PARSE(app, argc, argv);

    options.progress = !no_progress;
    while (!options.base_url.empty() && options.base_url.back() == '/') {
        options.base_url.pop_back();
    }
    if (all) {
        options.countries = every_code();
    } else if (options.countries.empty()) {
        options.countries = kPop20;
    }
    for (std::string& cc : options.countries) {
        std::transform(cc.begin(), cc.end(), cc.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    std::sort(options.countries.begin(), options.countries.end());
    std::error_code ec;
    std::filesystem::create_directories(options.dest, ec);
    if (ec) {
        std::fprintf(stderr, "flags: cannot create %s: %s\n", options.dest.c_str(),
                     ec.message().c_str());
        return 2;
    }

    const auto t0 = std::chrono::steady_clock::now();
    flags::Counter counter;
    if (options.mode == "sequential") {
        counter = flags::download_sequential(options);
    } else if (options.mode == "threads") {
        counter = flags::download_threads(options);
    } else {
        counter = flags::download_asyncio(options);
    }
    return flags::final_report(options, counter, std::chrono::steady_clock::now() - t0);
}
