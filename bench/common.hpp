// The shared frame of concur's workload benchmarks: options, one fresh process per measured
// run (so peak memory belongs to that run), and one JSON line per variant in the format of
// ../shared/peers/README.md, reporting the median run.
//
//   <program> [--impl NAME] [--repeat R] [--n N] [--list] [workload options]
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace bench {

inline double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// --key value and --key=value options.
class Options {
public:
    Options(int argc, char** argv) {
        for (int i = 1; i < argc; ++i) {
            std::string arg = argv[i];
            if (arg.rfind("--", 0) != 0) {
                continue;
            }
            // Built apart and moved in: GCC 12 at -O3 sees a false -Wrestrict in assigning a
            // literal to the map's new element.
            const auto eq = arg.find('=');
            std::string key = arg.substr(2, eq == std::string::npos ? eq : eq - 2);
            std::string value(1, '1');
            if (eq != std::string::npos) {
                value = arg.substr(eq + 1);
            } else if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
                value = argv[++i];
            }
            values_.insert_or_assign(std::move(key), std::move(value));
        }
    }
    [[nodiscard]] long get(const std::string& key, long fallback) const {
        auto it = values_.find(key);
        return it == values_.end() ? fallback : std::strtol(it->second.c_str(), nullptr, 10);
    }
    [[nodiscard]] std::string get(const std::string& key, const std::string& fallback) const {
        auto it = values_.find(key);
        return it == values_.end() ? fallback : it->second;
    }
    [[nodiscard]] bool has(const std::string& key) const { return values_.count(key) != 0; }

private:
    std::map<std::string, std::string> values_;
};

/// What one measured run reports.
struct Run {
    long n = 0;         // work items
    double seconds = 0; // wall time of the measured part
    bool ok = false;    // the result was verified
    std::string extra;  // further JSON members, e.g. "\"threads\":4"
    /// The peak memory to report, in MB; negative: this run's process's own (getrusage). A
    /// run whose subject is another process (echo's server) gives that process's.
    double peak_rss_mb = -1;
};

using Variant = std::function<Run(const Options&)>;

namespace detail {

struct Outcome {
    Run run;
    double peak_rss_mb = 0;
    bool completed = false;
};

inline Outcome run_in_child(const Variant& variant, const Options& options) {
    int fds[2];
    if (pipe(fds) != 0) {
        return {};
    }
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        const Run r = variant(options);
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        const double rss =
            r.peak_rss_mb >= 0 ? r.peak_rss_mb : static_cast<double>(usage.ru_maxrss) / 1024.0;
        std::string record = std::to_string(r.n) + " " + std::to_string(r.seconds) + " " +
                             std::to_string(rss) + " " + (r.ok ? "1" : "0") + "\n" + r.extra;
        const char* p = record.data();
        std::size_t left = record.size();
        while (left > 0) {
            const ssize_t w = write(fds[1], p, left);
            if (w <= 0) {
                break;
            }
            p += w;
            left -= static_cast<std::size_t>(w);
        }
        std::_Exit(0);
    }
    close(fds[1]);
    std::string text;
    char buf[4096];
    for (ssize_t k; (k = read(fds[0], buf, sizeof buf)) > 0;) {
        text.append(buf, static_cast<std::size_t>(k));
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    Outcome out;
    int ok = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        std::sscanf(text.c_str(), "%ld %lf %lf %d", &out.run.n, &out.run.seconds, &out.peak_rss_mb,
                    &ok) != 4) {
        return out;
    }
    out.run.ok = ok != 0;
    const auto nl = text.find('\n');
    out.run.extra = nl == std::string::npos ? "" : text.substr(nl + 1);
    out.completed = true;
    return out;
}

inline std::string list(const std::vector<double>& xs, const char* format) {
    std::string s = "[";
    char buf[64];
    for (std::size_t i = 0; i < xs.size(); ++i) {
        std::snprintf(buf, sizeof buf, format, xs[i]);
        if (i > 0) {
            s += ',';
        }
        s += buf;
    }
    s += ']';
    return s;
}

} // namespace detail

/// Runs each variant (or the one named by --impl) --repeat times (default 3), each run in a
/// fresh process, and prints one JSON line per variant describing its median run.
inline int main(int argc, char** argv, const std::string& workload,
                const std::vector<std::pair<std::string, Variant>>& variants) {
    const Options options(argc, argv);
    if (options.has("list")) {
        for (const auto& v : variants) {
            std::printf("%s\n", v.first.c_str());
        }
        return 0;
    }
    const std::string only = options.get("impl", std::string());
    const long repeat = std::max(1L, options.get("repeat", 3L));
    int status = 0;
    for (const auto& [name, variant] : variants) {
        if (!only.empty() && only != name) {
            continue;
        }
        std::vector<detail::Outcome> runs;
        for (long i = 0; i < repeat; ++i) {
            detail::Outcome out = detail::run_in_child(variant, options);
            if (!out.completed) {
                std::printf("{\"workload\":\"%s\",\"impl\":\"%s\",\"lang\":\"cpp\",\"ok\":false,"
                            "\"error\":\"the run failed\"}\n",
                            workload.c_str(), name.c_str());
                status = 1;
                runs.clear();
                break;
            }
            runs.push_back(out);
        }
        if (runs.empty()) {
            continue;
        }
        auto rate = [](const detail::Outcome& o) {
            return o.run.seconds > 0 ? static_cast<double>(o.run.n) / o.run.seconds : 0.0;
        };
        std::vector<double> rates, seconds, rss;
        bool all_ok = true;
        for (const auto& o : runs) {
            rates.push_back(rate(o));
            seconds.push_back(o.run.seconds);
            rss.push_back(o.peak_rss_mb);
            all_ok = all_ok && o.run.ok;
        }
        std::vector<std::size_t> order(runs.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            order[i] = i;
        }
        std::sort(order.begin(), order.end(),
                  [&](std::size_t a, std::size_t b) { return rates[a] < rates[b]; });
        const detail::Outcome& median = runs[order[order.size() / 2]];
        std::vector<double> rss_sorted = rss;
        std::sort(rss_sorted.begin(), rss_sorted.end());
        std::printf("{\"workload\":\"%s\",\"impl\":\"%s\",\"lang\":\"cpp\",\"n\":%ld,"
                    "\"seconds\":%.6f,\"per_sec\":%.1f,\"peak_rss_mb\":%.1f,\"ok\":%s,"
                    "\"runs\":%zu,\"all_per_sec\":%s,\"all_seconds\":%s%s%s}\n",
                    workload.c_str(), name.c_str(), median.run.n, median.run.seconds, rate(median),
                    rss_sorted[rss_sorted.size() / 2], all_ok ? "true" : "false", runs.size(),
                    detail::list(rates, "%.1f").c_str(), detail::list(seconds, "%.6f").c_str(),
                    median.run.extra.empty() ? "" : ",", median.run.extra.c_str());
        std::fflush(stdout);
        if (!all_ok) {
            status = 1;
        }
    }
    return status;
}

} // namespace bench
