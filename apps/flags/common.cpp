#include <unistd.h>

#include <concur/http.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "flags.hpp"

namespace flags {

void Counter::add(const std::string& cc, DownloadStatus status, const std::string& error) {
    ++counts[status];
    if (status == DownloadStatus::ERROR) {
        errors[cc] = error;
    }
}

std::string flag_url(const Options& options, const std::string& cc) {
    return options.base_url + "/" + cc + ".png";
}

void save_flag(const std::string& data, const Options& options, const std::string& cc) {
    const std::filesystem::path dest(options.dest);
    const std::filesystem::path tmp =
        dest / ("." + cc + ".png." + std::to_string(::getpid()) + ".tmp");
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
        out.close();
        if (!out) {
            throw std::runtime_error("cannot write " + tmp.string());
        }
    }
    std::filesystem::rename(tmp, dest / (cc + ".png"));
}

DownloadStatus store(const concur::http::Response& response, const Options& options,
                     const std::string& cc) {
    if (response.status == 404) {
        return DownloadStatus::NOT_FOUND;
    }
    response.raise_for_status();
    save_flag(response.bytes(), options, cc);
    return DownloadStatus::OK;
}

concur::http::RequestOptions request_options(const Options& options) {
    return {.timeout = concur::http::ClientTimeout{
                .total = std::chrono::duration<double>(options.timeout)}};
}

int final_report(const Options& options, const Counter& counter,
                 std::chrono::duration<double> elapsed) {
    auto count = [&](DownloadStatus s) {
        auto it = counter.counts.find(s);
        return it == counter.counts.end() ? 0 : it->second;
    };
    const int ok = count(DownloadStatus::OK);
    const int not_found = count(DownloadStatus::NOT_FOUND);
    const int errors = count(DownloadStatus::ERROR);
    for (const auto& [cc, message] : counter.errors) {
        std::fprintf(stderr, "*** Error for %s: %s\n", cc.c_str(), message.c_str());
    }
    std::printf("%d flag%s downloaded.\n", ok, ok == 1 ? "" : "s");
    if (not_found > 0) {
        std::printf("%d not found.\n", not_found);
    }
    if (errors > 0) {
        std::printf("%d error%s.\n", errors, errors == 1 ? "" : "s");
    }
    std::printf("Elapsed time: %.2fs (%s mode, to %s)\n", elapsed.count(), options.mode.c_str(),
                options.dest.c_str());
    return errors > 0 ? 1 : 0;
}

} // namespace flags
