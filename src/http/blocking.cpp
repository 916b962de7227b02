#include "concur/http/blocking.hpp"

#include "transfer.hpp"

namespace concur::http {

BlockingSession::BlockingSession(SessionOptions options)
    : options_(std::move(options)), transfer_(std::make_unique<detail::Transfer>()) {}

BlockingSession::BlockingSession(BlockingSession&&) noexcept = default;
BlockingSession& BlockingSession::operator=(BlockingSession&&) noexcept = default;
BlockingSession::~BlockingSession() = default;

Response BlockingSession::request(const std::string& method, const std::string& url,
                                  const RequestOptions& options) {
    detail::Transfer& t = *transfer_;
    t.prepare(method, url, options, options_, true);
    const CURLcode code = curl_easy_perform(t.easy());
    Response response;
    if (std::exception_ptr error = t.finish(code, response)) {
        std::rethrow_exception(error);
    }
    return response;
}

Response request(const std::string& method, const std::string& url, const RequestOptions& options) {
    // requests has no default timeout either.
    thread_local BlockingSession session;
    return session.request(method, url, options);
}

} // namespace concur::http
