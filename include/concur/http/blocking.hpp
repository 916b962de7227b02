// The blocking facade (requests): http::get(url, ...) and friends, and BlockingSession
// (requests.Session) for keep-alive under one's own control. Any thread, ThreadPoolExecutor
// workers included; the same Response and errors as Session.
#pragma once

#include <memory>
#include <string>

#include "concur/http/options.hpp"
#include "concur/http/response.hpp"

namespace concur::http {

namespace detail {
class Transfer;
} // namespace detail

/// requests.Session: one connection cache (keep-alive), DNS cache and set of default headers
/// for the requests made through it, one at a time. Not thread-safe: one per thread.
/// Each call blocks until the response and its body are in, or raises (the types of
/// concur/http/exceptions.hpp). sock_read is enforced in whole seconds (libcurl's low-speed
/// limit); total and connect to the millisecond.
class BlockingSession {
public:
    explicit BlockingSession(SessionOptions options = {.timeout = {}});
    BlockingSession(const BlockingSession&) = delete;
    BlockingSession& operator=(const BlockingSession&) = delete;
    BlockingSession(BlockingSession&&) noexcept;
    BlockingSession& operator=(BlockingSession&&) noexcept;
    ~BlockingSession();

    Response request(const std::string& method, const std::string& url,
                     const RequestOptions& options = {});
    Response get(const std::string& url, const RequestOptions& options = {}) {
        return request("GET", url, options);
    }
    Response post(const std::string& url, const RequestOptions& options = {}) {
        return request("POST", url, options);
    }
    Response put(const std::string& url, const RequestOptions& options = {}) {
        return request("PUT", url, options);
    }
    Response patch(const std::string& url, const RequestOptions& options = {}) {
        return request("PATCH", url, options);
    }
    Response delete_(const std::string& url, const RequestOptions& options = {}) {
        return request("DELETE", url, options);
    }
    Response head(const std::string& url, const RequestOptions& options = {}) {
        return request("HEAD", url, options);
    }

private:
    SessionOptions options_;
    std::unique_ptr<detail::Transfer> transfer_;
};

/// requests.request(method, url, ...): on a BlockingSession of the calling thread, made on
/// first use, so that a thread's successive requests reuse its connections (keep-alive).
Response request(const std::string& method, const std::string& url,
                 const RequestOptions& options = {});
inline Response get(const std::string& url, const RequestOptions& options = {}) {
    return request("GET", url, options);
}
inline Response post(const std::string& url, const RequestOptions& options = {}) {
    return request("POST", url, options);
}
inline Response put(const std::string& url, const RequestOptions& options = {}) {
    return request("PUT", url, options);
}
inline Response patch(const std::string& url, const RequestOptions& options = {}) {
    return request("PATCH", url, options);
}
inline Response delete_(const std::string& url, const RequestOptions& options = {}) {
    return request("DELETE", url, options);
}
inline Response head(const std::string& url, const RequestOptions& options = {}) {
    return request("HEAD", url, options);
}

} // namespace concur::http
