// Each failure has its own exception type, with the URL in its message; timeouts; cancellation.
#include <concur/asyncio.hpp>
#include <concur/http.hpp>

#include <chrono>

#include "helpers.hpp"
#include "raw_server.hpp"

namespace asyncio = concur::asyncio;
namespace http = concur::http;
using asyncio::Coroutine;
using concur_test::nginx;
using namespace std::chrono_literals;

namespace {
// GET `url` on a new Session with `options`, on a new loop.
http::Response session_get(const std::string& url, http::RequestOptions options = {}) {
    return asyncio::run([](std::string u, http::RequestOptions o) -> Coroutine<http::Response> {
        http::Session session;
        http::Response r = co_await session.get(u, std::move(o));
        co_return r;
    }(url, std::move(options)));
}

// Runs `fn(url)`, expecting exception E whose message names the URL; returns what() text.
template <class E, class F>
std::string expect_error(F fn, const std::string& url) {
    try {
        fn(url);
    } catch (const E& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(url), std::string::npos) << what;
        EXPECT_EQ(e.url(), url);
        return what;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "wrong exception for " << url << ": " << e.what();
        return {};
    }
    ADD_FAILURE() << "no exception for " << url;
    return {};
}

std::string refused_url() {
    return "http://127.0.0.1:" + std::to_string(concur_test::free_port()) + "/";
}
} // namespace

TEST(Errors, MalformedUrlIsInvalidURL) {
    const auto get = [](const std::string& u) { session_get(u); };
    expect_error<http::InvalidURL>(get, "http://[::1/");
    expect_error<http::InvalidURL>(get, "nosuchscheme://host/");
    // Also a ValueError, as aiohttp's InvalidURL is.
    EXPECT_THROW(session_get("http://[::1/"), concur::ValueError);
}

TEST(Errors, UnknownHostIsClientConnectorDNSError) {
    const auto get = [](const std::string& u) { session_get(u); };
    expect_error<http::ClientConnectorDNSError>(get, "http://no-such-host.invalid/");
    EXPECT_THROW(session_get("http://no-such-host.invalid/"), http::ClientConnectorError);
}

TEST(Errors, RefusedConnectionIsClientConnectorError) {
    const auto get = [](const std::string& u) { session_get(u); };
    const std::string url = refused_url();
    expect_error<http::ClientConnectorError>(get, url);
    try {
        session_get(url);
    } catch (const concur::ConnectionError& e) { // a ConnectionError, with its errno
        EXPECT_EQ(e.code().value(), ECONNREFUSED);
    }
}

TEST(Errors, TlsFailureIsClientSSLError) {
    // TLS to a plain-HTTP port: the handshake fails.
    const auto get = [](const std::string& u) { session_get(u); };
    expect_error<http::ClientSSLError>(get, "https://127.0.0.1:" + std::to_string(nginx().port()) +
                                                "/flags/br.png");
}

TEST(Errors, BodyCutShortIsClientPayloadError) {
    concur_test::RawServer server("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
    const auto get = [](const std::string& u) { session_get(u); };
    expect_error<http::ClientPayloadError>(get, server.url());
}

TEST(Errors, NoResponseIsServerDisconnectedError) {
    concur_test::RawServer server("");
    const auto get = [](const std::string& u) { session_get(u); };
    expect_error<http::ServerDisconnectedError>(get, server.url());
}

TEST(Errors, TooManyRedirects) {
    const auto get = [](const std::string& u) { session_get(u, {.max_redirects = 3}); };
    expect_error<http::TooManyRedirects>(get, nginx().base() + "/loop");
}

TEST(Errors, TotalTimeoutIsServerTimeoutError) {
    const std::string url = nginx().base() + "/sleep?s=5";
    const auto t0 = std::chrono::steady_clock::now();
    const auto get = [](const std::string& u) {
        session_get(u, {.timeout = http::ClientTimeout{.total = 200ms}});
    };
    expect_error<http::ServerTimeoutError>(get, url);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s); // generous: well before the 5 s
    EXPECT_THROW(get(url), concur::TimeoutError);
}

TEST(Errors, ReadTimeoutIsServerTimeoutError) {
    // The first line comes at once, the rest after 5 s: sock_read runs out in between.
    const std::string url = nginx().base() + "/drip?s=5";
    const auto t0 = std::chrono::steady_clock::now();
    const auto get = [](const std::string& u) {
        session_get(u, {.timeout = http::ClientTimeout{.sock_read = 300ms}});
    };
    expect_error<http::ServerTimeoutError>(get, url);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
    // Data that keeps coming in time is not a timeout.
    http::Response r = session_get(nginx().base() + "/drip?s=0.1",
                                   {.timeout = http::ClientTimeout{.sock_read = 2s}});
    EXPECT_EQ(r.text(), "first\nsecond\n");
}

TEST(Errors, CancellingAbortsTheTransferAndFreesItsSlot) {
    const std::string base = nginx().base();
    const auto t0 = std::chrono::steady_clock::now();
    auto [cancelled, next_status] =
        asyncio::run([](std::string b) -> Coroutine<std::pair<bool, int>> {
            // One connection in all: the next request gets it only if the cancelled one let go.
            http::Session session({.limit = 1});
            auto slow = asyncio::create_task(session.get(b + "/sleep?s=5"));
            co_await asyncio::sleep(0.2);
            slow.cancel();
            bool was_cancelled = false;
            try {
                co_await slow;
            } catch (const concur::CancelledError&) {
                was_cancelled = true;
            }
            http::RequestOptions quick{.timeout = http::ClientTimeout{.total = 3s}};
            http::Response r = co_await session.get(b + "/flags/br.png", quick);
            co_return std::pair(was_cancelled, r.status);
        }(base));
    EXPECT_TRUE(cancelled);
    EXPECT_EQ(next_status, 200);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 4s); // the 5 s sleep was not waited for
}

TEST(Errors, WaitForCancelsTheRequest) {
    const std::string url = nginx().base() + "/sleep?s=5";
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_THROW(asyncio::run([](std::string u) -> Coroutine<void> {
                     http::Session session;
                     (void)co_await asyncio::wait_for(session.get(u), 0.2);
                 }(url)),
                 concur::TimeoutError);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

TEST(Errors, ClosingTheSessionFailsWhatIsInFlight) {
    const std::string url = nginx().base() + "/sleep?s=5";
    EXPECT_THROW(asyncio::run([](std::string u) -> Coroutine<void> {
                     auto session = std::make_shared<http::Session>();
                     auto task = asyncio::create_task(session->get(u));
                     co_await asyncio::sleep(0.1);
                     session->close();
                     (void)co_await task;
                 }(url)),
                 http::ClientConnectionError);
}
