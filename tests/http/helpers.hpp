// What the HTTP tests share: one nginx for the whole test program, file reading, a raw server.
#pragma once

#include <gtest/gtest.h>

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "nginx_server.hpp"

namespace concur_test {

/// The nginx of the test program, started on first use, stopped at exit.
inline NginxServer& nginx() {
    static std::unique_ptr<NginxServer> server =
        std::make_unique<NginxServer>(NginxOptions{.delay_ms = 50});
    return *server;
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// The two-letter country codes of the flag set, sorted.
inline std::vector<std::string> country_codes() {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(kFlagsDir)) {
        const std::string name = e.path().filename().string();
        if (name.size() == 6 && name.ends_with(".png")) {
            out.push_back(name.substr(0, 2));
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// The access log lines whose URI is `uri`, as (connection, request number on it).
inline std::vector<std::pair<long, long>> log_entries(const std::string& log,
                                                      const std::string& uri_prefix) {
    std::vector<std::pair<long, long>> out;
    std::istringstream in(log);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        long conn = 0;
        long n = 0;
        std::string method;
        std::string uri;
        f >> conn >> n >> method >> uri;
        if (uri.rfind(uri_prefix, 0) == 0) {
            out.emplace_back(conn, n);
        }
    }
    return out;
}

inline std::size_t open_fds() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
        ++n;
    }
    return n;
}

} // namespace concur_test
