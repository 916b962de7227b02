// http::Session: aiohttp's ClientSession, on the asyncio loop, driven by one libcurl multi
// handle (its connection pool gives keep-alive and the connection limits).
#pragma once

#include <memory>
#include <string>

#include "concur/asyncio/coroutine.hpp"
#include "concur/asyncio/events.hpp"
#include "concur/http/options.hpp"
#include "concur/http/response.hpp"

namespace concur::http {

namespace detail {
class SessionCore;
} // namespace detail

/// A client session bound to one event loop (aiohttp's ClientSession): requests made through it
/// share a connection pool (keep-alive) limited by SessionOptions::limit and limit_per_host.
/// Loop-thread only; destroy it before its loop. The destructor is close().
///
/// Each request returns a Coroutine<Response> that completes once the response and its whole
/// body are in. Errors are the types of concur/http/exceptions.hpp; a 4xx/5xx is a Response
/// (call raise_for_status()). Cancel safety: cancelling the awaiting task aborts the transfer
/// at once (its connection is closed and its slot freed) and raises CancelledError.
class Session {
public:
    /// A session on the running loop; RuntimeError if none runs.
    explicit Session(SessionOptions options = {});
    /// A session on `loop`.
    Session(asyncio::EventLoop& loop, SessionOptions options);
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    Session(Session&&) noexcept;
    Session& operator=(Session&&) noexcept;
    ~Session();

    /// `method` on `url`; see the class comment. The overloads without options build them
    /// here rather than as a default argument: GCC 12 miscompiles an aggregate temporary in a
    /// `co_await` expression (docs/python-differences.md).
    asyncio::Coroutine<Response> request(std::string method, std::string url,
                                         RequestOptions options);
    asyncio::Coroutine<Response> get(std::string url) {
        return request("GET", std::move(url), RequestOptions{});
    }
    asyncio::Coroutine<Response> get(std::string url, RequestOptions options) {
        return request("GET", std::move(url), std::move(options));
    }
    asyncio::Coroutine<Response> post(std::string url) {
        return request("POST", std::move(url), RequestOptions{});
    }
    asyncio::Coroutine<Response> post(std::string url, RequestOptions options) {
        return request("POST", std::move(url), std::move(options));
    }
    asyncio::Coroutine<Response> put(std::string url) {
        return request("PUT", std::move(url), RequestOptions{});
    }
    asyncio::Coroutine<Response> put(std::string url, RequestOptions options) {
        return request("PUT", std::move(url), std::move(options));
    }
    asyncio::Coroutine<Response> patch(std::string url) {
        return request("PATCH", std::move(url), RequestOptions{});
    }
    asyncio::Coroutine<Response> patch(std::string url, RequestOptions options) {
        return request("PATCH", std::move(url), std::move(options));
    }
    /// DELETE (`delete` is a C++ keyword).
    asyncio::Coroutine<Response> delete_(std::string url) {
        return request("DELETE", std::move(url), RequestOptions{});
    }
    asyncio::Coroutine<Response> delete_(std::string url, RequestOptions options) {
        return request("DELETE", std::move(url), std::move(options));
    }
    asyncio::Coroutine<Response> head(std::string url) {
        return request("HEAD", std::move(url), RequestOptions{});
    }
    asyncio::Coroutine<Response> head(std::string url, RequestOptions options) {
        return request("HEAD", std::move(url), std::move(options));
    }

    /// Aborts the requests in flight (their awaiters raise ClientConnectionError "Session is
    /// closed") and closes the pooled connections. Idempotent.
    void close();
    [[nodiscard]] bool closed() const noexcept { return core_ == nullptr; }

private:
    std::unique_ptr<detail::SessionCore> core_;
};

} // namespace concur::http
