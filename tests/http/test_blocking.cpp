// The blocking facade: requests-style calls, from threads of a pool, keep-alive per thread,
// file:// URLs, the same errors as Session.
#include <concur/futures.hpp>
#include <concur/http.hpp>

#include <chrono>

#include "helpers.hpp"

namespace http = concur::http;
namespace futures = concur::futures;
using concur_test::nginx;
using namespace std::chrono_literals;

// LeakSanitizer's built-in suppressions for this test program: the entry of
// tests/http/lsan.supp (OpenSSL's per-thread state of pool workers). Unused without ASan.
extern "C" const char* __lsan_default_suppressions();
extern "C" const char* __lsan_default_suppressions() {
    return "leak:CRYPTO_zalloc\n";
}

TEST(Blocking, GetAndPost) {
    const std::string base = nginx().base();
    http::Response r = http::get(base + "/flags/br.png");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.bytes(), concur_test::read_file(std::string(concur_test::kFlagsDir) + "/br.png"));
    http::Response j = http::post(base + "/echo", {.json = nlohmann::json{{"a", 1}}});
    EXPECT_EQ(j.json()["a"], 1);
    http::Response f = http::post(base + "/echo", {.data = http::FormData{{{"k", "v w"}}}});
    EXPECT_EQ(f.text(), "k=v%20w");
    http::Response m = http::put(base + "/meta", {.params = {{"x", "1"}}});
    EXPECT_EQ(m.text(), "PUT|||x=1\n");
    EXPECT_EQ(http::get(base + "/flags/xx-missing.png").status, 404);
    EXPECT_THROW(http::get(base + "/flags/xx-missing.png").raise_for_status(), http::HTTPError);
}

TEST(Blocking, ThreadPoolWorkersDownloadEveryFlag) {
    const std::string base = nginx().base();
    const std::vector<std::string> ccs = concur_test::country_codes();
    futures::ThreadPoolExecutor pool({.max_workers = 8});
    std::map<futures::Future<http::Response>, std::string> to_do;
    for (const auto& cc : ccs) {
        to_do.emplace(
            pool.submit([url = base + "/flags/" + cc + ".png"] { return http::get(url); }), cc);
    }
    std::size_t done = 0;
    for (const auto& f : futures::as_completed(to_do)) {
        const std::string& cc = to_do.at(f);
        EXPECT_EQ(f.result().bytes(),
                  concur_test::read_file(std::string(concur_test::kFlagsDir) + "/" + cc + ".png"))
            << cc;
        ++done;
    }
    EXPECT_EQ(done, ccs.size());
}

TEST(Blocking, ASessionKeepsItsConnection) {
    const std::string base = nginx().base();
    http::BlockingSession session;
    for (int i = 0; i < 5; ++i) {
        session.get(base + "/flags/ad.png?blocking=" + std::to_string(i)).raise_for_status();
    }
    const auto entries = concur_test::log_entries(nginx().access_log(), "/flags/ad.png?blocking=");
    ASSERT_EQ(entries.size(), 5U);
    for (const auto& e : entries) {
        EXPECT_EQ(e.first, entries[0].first);
    }
}

TEST(Blocking, FileUrls) {
    const std::string path = std::string(concur_test::kFlagsDir) + "/br.png";
    http::Response r = http::get("file://" + path);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.bytes(), concur_test::read_file(path));
    http::Response missing = http::get("file:///no/such/file.png");
    EXPECT_EQ(missing.status, 404);
    EXPECT_THROW(missing.raise_for_status(), http::HTTPError);
}

TEST(Blocking, ErrorsAndTimeouts) {
    EXPECT_THROW(http::get("http://[::1/"), http::InvalidURL);
    EXPECT_THROW(http::get("http://no-such-host.invalid/"), http::ClientConnectorDNSError);
    EXPECT_THROW(http::get("http://127.0.0.1:" + std::to_string(concur_test::free_port()) + "/"),
                 http::ClientConnectorError);
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_THROW(
        http::get(nginx().base() + "/sleep?s=5", {.timeout = http::ClientTimeout{.total = 200ms}}),
        http::ServerTimeoutError);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
    // The thread's session works on after an error.
    EXPECT_EQ(http::get(nginx().base() + "/flags/br.png").status, 200);
}

TEST(Blocking, AwsSigV4SignsTheRequest) {
    // nginx does not check the signature: it echoes the Authorization header libcurl made.
    http::Response r =
        http::get(nginx().base() + "/auth", {.auth = http::BasicAuth{"AKIDEXAMPLE", "secret"},
                                             .aws_sigv4 = "aws:amz:us-east-1:s3"});
    EXPECT_EQ(r.text().rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 0), 0U) << r.text();
    EXPECT_NE(r.text().find("/us-east-1/s3/aws4_request"), std::string::npos) << r.text();
    http::Response basic =
        http::get(nginx().base() + "/auth", {.auth = http::BasicAuth{"user", "pass"}});
    EXPECT_EQ(basic.text(), "Basic dXNlcjpwYXNz\n");
}
