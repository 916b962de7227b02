// The flags downloader (Fluent Python ch. 17-18): what the three modes share.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <concur/http/options.hpp>
#include <concur/http/response.hpp>

namespace flags {

/// The command line.
struct Options {
    std::string base_url = "http://127.0.0.1:8080/flags";
    std::string dest = "downloaded";
    std::string mode = "asyncio";
    int concurrency = 20;
    std::vector<std::string> countries; // lower case
    double timeout = 10;
    bool progress = true;
    bool verbose = false;
};

/// What happened to one flag (flags2_common.py's DownloadStatus).
enum class DownloadStatus { OK, NOT_FOUND, ERROR };

/// The counts of a run and the failed flags with their errors.
struct Counter {
    std::map<DownloadStatus, int> counts;
    std::map<std::string, std::string> errors; // country code -> message
    void add(const std::string& cc, DownloadStatus status, const std::string& error = {});
};

/// The URL of `cc`'s flag.
std::string flag_url(const Options& options, const std::string& cc);
/// Saves `data` as <dest>/<cc>.png: written to a temporary name, then renamed, so that a
/// reader never sees half a file.
void save_flag(const std::string& data, const Options& options, const std::string& cc);
/// What a flag's response means: NOT_FOUND for a 404; HTTPError raised for another error
/// status; otherwise the flag is saved and OK.
DownloadStatus store(const concur::http::Response& response, const Options& options,
                     const std::string& cc);
/// The request options of every flag (the timeout).
concur::http::RequestOptions request_options(const Options& options);

Counter download_sequential(const Options& options);
Counter download_threads(const Options& options);
Counter download_asyncio(const Options& options);

/// The summary lines (flags2_common.py's final_report); the exit status: 0, or 1 on errors.
int final_report(const Options& options, const Counter& counter,
                 std::chrono::duration<double> elapsed);

} // namespace flags
