// Workload "cpu" (../shared/peers/README.md): the sha384 hex digest of N texts of 4 KiB,
// sequentially, on 2 threads and on 2 processes (chunksize 1, as the course, and 1,000). Pool
// construction is inside the timed part, as a course script does it. Every variant must give
// the same digests (checked against the sequential ones).
//
//   cpu [--n 20000] [--size 4096] [--workers 2] [--repeat 3]
#include <concur/futures.hpp>
#include <concur/futures/process_pool_executor.hpp>
#include <concur/multiprocessing.hpp>

#include <openssl/evp.h>

#include <random>
#include <string>
#include <vector>

#include "common.hpp"

namespace futures = concur::futures;
namespace mp = concur::multiprocessing;

namespace {

std::string task(std::string text) {
    // Fetched once, as Python's hashlib keeps its digest objects: a fetch per call takes locks.
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA384", nullptr);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(text.data(), text.size(), digest, &size, md, nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex(2 * size, '0');
    for (std::size_t i = 0; i < size; ++i) {
        hex[2 * i] = kHex[digest[i] >> 4];
        hex[2 * i + 1] = kHex[digest[i] & 15];
    }
    return hex;
}

// Deterministic ASCII texts (base64's alphabet), made outside the timed part.
std::vector<std::string> make_texts(long n, long size) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::mt19937_64 rng(1234);
    std::vector<std::string> texts(static_cast<std::size_t>(n));
    for (auto& t : texts) {
        t.resize(static_cast<std::size_t>(size));
        for (char& c : t) {
            c = kAlphabet[rng() & 63];
        }
    }
    return texts;
}

struct Setup {
    long n;
    long size;
    int workers;
    std::vector<std::string> texts;
    std::vector<std::string> expect;
    explicit Setup(const bench::Options& o)
        : n(o.get("n", 20000L)), size(o.get("size", 4096L)),
          workers(static_cast<int>(o.get("workers", 2L))), texts(make_texts(n, size)) {
        for (const auto& t : texts) {
            expect.push_back(task(t));
        }
    }
    [[nodiscard]] bench::Run run(double seconds, const std::vector<std::string>& got) const {
        const double mb = static_cast<double>(n * size) / seconds / 1e6;
        return {n, seconds, got == expect,
                "\"text_bytes\":" + std::to_string(size) + ",\"workers\":" +
                    std::to_string(workers) + ",\"mb_per_sec\":" + std::to_string(mb)};
    }
};

bench::Run sequential(const bench::Options& o) {
    const Setup s(o);
    const double t0 = bench::now_seconds();
    std::vector<std::string> res;
    res.reserve(s.texts.size());
    for (const auto& t : s.texts) {
        res.push_back(task(t));
    }
    return s.run(bench::now_seconds() - t0, res);
}

bench::Run threads(const bench::Options& o) {
    const Setup s(o);
    const double t0 = bench::now_seconds();
    std::vector<std::string> res;
    {
        futures::ThreadPoolExecutor ex({.max_workers = s.workers});
        res = ex.map([](const std::string& t) { return task(t); }, s.texts).to_vector();
    }
    return s.run(bench::now_seconds() - t0, res);
}

bench::Variant processes(int chunksize) {
    return [chunksize](const bench::Options& o) {
        const Setup s(o);
        const double t0 = bench::now_seconds();
        std::vector<std::string> res;
        res.reserve(s.texts.size());
        {
            futures::ProcessPoolExecutor ex({.max_workers = s.workers});
            for (std::string& h : ex.map(task, s.texts, {.chunksize = chunksize})) {
                res.push_back(std::move(h));
            }
        }
        return s.run(bench::now_seconds() - t0, res);
    };
}

} // namespace

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    return bench::main(argc, argv, "cpu",
                       {{"concur-sequential", sequential},
                        {"concur-threads-2", threads},
                        {"concur-processes-2", processes(1)},
                        {"concur-processes-2-chunk1000", processes(1000)}});
}
