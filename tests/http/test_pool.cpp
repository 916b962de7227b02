// Keep-alive and the connection limits, read from nginx's access log ($connection serials).
#include <concur/asyncio.hpp>
#include <concur/http.hpp>

#include "helpers.hpp"

namespace asyncio = concur::asyncio;
namespace http = concur::http;
using asyncio::Coroutine;
using concur_test::nginx;

namespace {
Coroutine<void> get_ok(http::Session& session, std::string url) {
    http::Response r = co_await session.get(url);
    r.raise_for_status();
}

// `n` requests to `uri` on one session with `options`, all at once.
void run_many(const std::string& uri, int n, http::SessionOptions options) {
    asyncio::run([](std::string url, int count, http::SessionOptions o) -> Coroutine<void> {
        http::Session session(std::move(o));
        std::vector<asyncio::Task<void>> tasks;
        for (int i = 0; i < count; ++i) {
            tasks.push_back(asyncio::create_task(get_ok(session, url)));
        }
        co_await asyncio::gather(std::move(tasks));
    }(nginx().base() + uri, n, std::move(options)));
}
} // namespace

TEST(Pool, SequentialRequestsReuseOneConnection) {
    asyncio::run([](std::string b) -> Coroutine<void> {
        http::Session session;
        for (int i = 0; i < 10; ++i) {
            http::Response r =
                co_await session.get(b + "/flags/ad.png?keepalive=" + std::to_string(i));
            r.raise_for_status();
        }
    }(nginx().base()));
    const auto entries = concur_test::log_entries(nginx().access_log(), "/flags/ad.png?keepalive=");
    ASSERT_EQ(entries.size(), 10U);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        EXPECT_EQ(entries[i].first, entries[0].first) << "a new connection for request " << i;
        EXPECT_EQ(entries[i].second, entries[0].second + static_cast<long>(i));
    }
}

TEST(Pool, TotalLimitCapsTheConnections) {
    // Each response waits 50 ms (slow), so 30 requests at once would want 30 connections.
    run_many("/slow/flags/ad.png?limit3", 30, {.limit = 3});
    std::set<long> conns;
    for (const auto& e :
         concur_test::log_entries(nginx().access_log(), "/slow/flags/ad.png?limit3")) {
        conns.insert(e.first);
    }
    EXPECT_GE(conns.size(), 1U);
    EXPECT_LE(conns.size(), 3U);
    // Without the limit the same load opens more: the check above is not vacuous.
    run_many("/slow/flags/ad.png?limit100", 30, {.limit = 100});
    std::set<long> unlimited;
    for (const auto& e :
         concur_test::log_entries(nginx().access_log(), "/slow/flags/ad.png?limit100")) {
        unlimited.insert(e.first);
    }
    EXPECT_GT(unlimited.size(), 3U);
}

TEST(Pool, PerHostLimitCapsTheConnections) {
    run_many("/slow/flags/ad.png?perhost2", 20, {.limit = 100, .limit_per_host = 2});
    std::set<long> conns;
    const auto entries =
        concur_test::log_entries(nginx().access_log(), "/slow/flags/ad.png?perhost2");
    EXPECT_EQ(entries.size(), 20U);
    for (const auto& e : entries) {
        conns.insert(e.first);
    }
    EXPECT_LE(conns.size(), 2U);
}

TEST(Pool, NoDescriptorsLeftAfterTheSession) {
    (void)nginx(); // started before counting
    const std::size_t before = concur_test::open_fds();
    run_many("/flags/ad.png?fds", 20, {});
    EXPECT_EQ(concur_test::open_fds(), before);
}
