// Session against a real nginx: bodies byte for byte, statuses, headers, redirects, bodies sent,
// keep-alive and connection limits read from nginx's access log.
#include <concur/asyncio.hpp>
#include <concur/http.hpp>

#include "helpers.hpp"

namespace asyncio = concur::asyncio;
namespace http = concur::http;
using asyncio::Coroutine;
using concur_test::nginx;

TEST(Session, GetsAFlagByteForByte) {
    const std::string base = nginx().base();
    http::Response r = asyncio::run([](std::string b) -> Coroutine<http::Response> {
        http::Session session;
        http::Response resp = co_await session.get(b + "/flags/br.png");
        co_return resp;
    }(base));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.reason, "OK");
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.url, base + "/flags/br.png");
    EXPECT_EQ(r.headers["content-type"], "image/png"); // any case
    EXPECT_EQ(r.headers.get("CONTENT-TYPE"), "image/png");
    EXPECT_FALSE(r.headers.get("X-None").has_value());
    EXPECT_THROW((void)r.headers["X-None"], concur::KeyError);
    EXPECT_EQ(r.bytes(), concur_test::read_file(std::string(concur_test::kFlagsDir) + "/br.png"));
    EXPECT_TRUE(r.ok());
    EXPECT_NO_THROW(r.raise_for_status());
}

namespace {
struct Outcome {
    std::map<std::string, std::string> bodies;
    int not_found = 0;
    int errors = 0;
};

Coroutine<void> fetch_one(http::Session& session, asyncio::Semaphore& sem, std::string url,
                          std::string cc, Outcome& out) {
    auto guard = co_await sem.lock_guard();
    http::Response r = co_await session.get(url);
    if (r.status == 404) {
        ++out.not_found;
    } else if (r.status == 200) {
        out.bodies[cc] = r.bytes();
    } else {
        ++out.errors;
    }
}
} // namespace

TEST(Session, DownloadsEveryFlagWithSomeMissing) {
    const std::vector<std::string> ccs = concur_test::country_codes();
    ASSERT_GT(ccs.size(), 200U);
    Outcome out =
        asyncio::run([](std::string b, std::vector<std::string> codes) -> Coroutine<Outcome> {
            Outcome o;
            http::Session session;
            asyncio::Semaphore sem(20);
            std::vector<asyncio::Task<void>> tasks;
            for (std::size_t i = 0; i < codes.size(); ++i) {
                // Every 20th URL names a file that is not there.
                const std::string name = i % 20 == 0 ? codes[i] + "-missing" : codes[i];
                tasks.push_back(asyncio::create_task(
                    fetch_one(session, sem, b + "/flags/" + name + ".png", codes[i], o)));
            }
            co_await asyncio::gather(std::move(tasks));
            co_return o;
        }(nginx().base(), ccs));
    const std::size_t missing = (ccs.size() + 19) / 20;
    EXPECT_EQ(out.not_found, static_cast<int>(missing));
    EXPECT_EQ(out.errors, 0);
    ASSERT_EQ(out.bodies.size(), ccs.size() - missing);
    for (const auto& [cc, body] : out.bodies) {
        EXPECT_EQ(body,
                  concur_test::read_file(std::string(concur_test::kFlagsDir) + "/" + cc + ".png"))
            << cc;
    }
}

TEST(Session, StatusErrorsRaiseOnlyWhenAsked) {
    const std::string base = nginx().base();
    http::Response r = asyncio::run([](std::string b) -> Coroutine<http::Response> {
        http::Session session;
        http::Response resp = co_await session.get(b + "/status/500");
        co_return resp;
    }(base));
    EXPECT_EQ(r.status, 500);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.text(), "oops");
    try {
        r.raise_for_status();
        FAIL() << "no HTTPError";
    } catch (const http::HTTPError& e) {
        EXPECT_EQ(e.status(), 500);
        EXPECT_EQ(e.url(), base + "/status/500");
        EXPECT_NE(std::string(e.what()).find(base + "/status/500"), std::string::npos);
    }
    http::Response missing = asyncio::run([](std::string b) -> Coroutine<http::Response> {
        http::Session session;
        http::Response resp = co_await session.get(b + "/flags/xx-missing.png");
        co_return resp;
    }(base));
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.reason, "Not Found");
    EXPECT_THROW(missing.raise_for_status(), http::ClientResponseError);
}

TEST(Session, FollowsRedirectsUnlessTold) {
    const std::string base = nginx().base();
    auto [followed, not_followed] =
        asyncio::run([](std::string b) -> Coroutine<std::pair<http::Response, http::Response>> {
            http::Session session;
            http::Response a = co_await session.get(b + "/redirect");
            http::RequestOptions no_follow{.allow_redirects = false};
            http::Response c = co_await session.get(b + "/redirect", no_follow);
            co_return std::pair(std::move(a), std::move(c));
        }(base));
    EXPECT_EQ(followed.status, 200);
    EXPECT_EQ(followed.url, base + "/flags/br.png");
    EXPECT_EQ(followed.bytes(),
              concur_test::read_file(std::string(concur_test::kFlagsDir) + "/br.png"));
    EXPECT_EQ(not_followed.status, 302);
    EXPECT_EQ(not_followed.headers["Location"], base + "/flags/br.png");
}

TEST(Session, SendsParamsHeadersFormAndJson) {
    const std::string base = nginx().base();
    auto results = asyncio::run([](std::string b) -> Coroutine<std::vector<http::Response>> {
        http::Session session({.headers = {{"X-Test", "from-session"}}});
        std::vector<http::Response> out;
        http::RequestOptions params{.params = {{"q", "a b&c"}, {"n", "1"}}};
        out.push_back(co_await session.get(b + "/meta", params));
        http::RequestOptions header{.headers = {{"X-Test", "from-request"}}};
        out.push_back(co_await session.get(b + "/meta", header));
        http::RequestOptions form{.data = http::FormData{{{"name", "flag one"}, {"cc", "br"}}}};
        out.push_back(co_await session.post(b + "/echo", form));
        http::RequestOptions json{.json = nlohmann::json{{"cc", "br"}, {"n", 3}}};
        out.push_back(co_await session.put(b + "/echo", json));
        http::RequestOptions raw{.data = std::string("raw bytes")};
        out.push_back(co_await session.patch(b + "/echo", raw));
        out.push_back(co_await session.delete_(b + "/meta"));
        out.push_back(co_await session.head(b + "/flags/br.png"));
        out.push_back(co_await session.get(b + "/json"));
        co_return out;
    }(base));
    EXPECT_EQ(results[0].text(), "GET||from-session|q=a%20b%26c&n=1\n");
    EXPECT_EQ(results[1].text(), "GET||from-request|\n");
    EXPECT_EQ(results[2].text(), "name=flag%20one&cc=br");
    EXPECT_EQ(results[3].json(), (nlohmann::json{{"cc", "br"}, {"n", 3}}));
    EXPECT_EQ(results[4].text(), "raw bytes");
    EXPECT_EQ(results[5].text(), "DELETE||from-session|\n");
    EXPECT_EQ(results[6].status, 200);
    EXPECT_TRUE(results[6].bytes().empty());
    EXPECT_EQ(results[6].headers["Content-Length"],
              std::to_string(
                  std::filesystem::file_size(std::string(concur_test::kFlagsDir) + "/br.png")));
    EXPECT_EQ(results[7].json()["n"], (nlohmann::json{1, 2, 3}));
    EXPECT_THROW((void)results[4].json(), http::ContentTypeError);
}

TEST(Session, StreamsTheBodyInChunks) {
    const std::string base = nginx().base();
    http::Response r = asyncio::run([](std::string b) -> Coroutine<http::Response> {
        http::Session session;
        http::Response resp = co_await session.get(b + "/flags/br.png");
        co_return resp;
    }(base));
    const std::string expected =
        concur_test::read_file(std::string(concur_test::kFlagsDir) + "/br.png");
    std::string first = r.content.read(100);
    EXPECT_EQ(first, expected.substr(0, 100));
    std::string rest;
    std::size_t chunks = 0;
    for (std::string_view chunk : r.content.iter_chunked(64)) {
        EXPECT_LE(chunk.size(), 64U);
        rest += chunk;
        ++chunks;
    }
    EXPECT_EQ(first + rest, expected);
    EXPECT_EQ(chunks, (expected.size() - 100 + 63) / 64);
    EXPECT_TRUE(r.content.at_eof());
    EXPECT_EQ(r.content.read(), "");
}
