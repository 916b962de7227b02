// One request on a libcurl easy handle: what Session (multi) and the blocking facade (easy)
// share: setting the handle up from the options, collecting the response, naming the error.
#pragma once

#include <curl/curl.h>

#include <exception>
#include <string>
#include <string_view>

#include "concur/http/options.hpp"
#include "concur/http/response.hpp"

namespace concur::http::detail {

/// An easy handle with what a transfer needs while it runs. Reusable: prepare() resets it, and
/// the handle keeps its connection cache and DNS cache between transfers (keep-alive).
class Transfer {
public:
    Transfer();
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;
    ~Transfer();

    /// Sets the handle up for `method` on `url` (with options.params appended), with the
    /// session's defaults under the request's options. `sock_read_by_curl`: enforce the
    /// sock_read timeout with libcurl's low-speed limit (whole seconds), for the blocking
    /// facade; Session times it on the loop instead.
    void prepare(std::string_view method, std::string_view url, const RequestOptions& options,
                 const SessionOptions& defaults, bool sock_read_by_curl);

    /// After libcurl finished with `code`: the response, or the exception to raise (with the
    /// URL in its message). Moves the response out.
    std::exception_ptr finish(CURLcode code, Response& out);

    /// The timeouts in force for this transfer.
    [[nodiscard]] const ClientTimeout& timeout() const noexcept { return timeout_; }
    /// The URL as requested (with its query), for error messages.
    [[nodiscard]] const std::string& url() const noexcept { return url_; }
    [[nodiscard]] CURL* easy() const noexcept { return easy_; }
    /// The loop time of the last bytes received, for the sock_read timer.
    double last_activity = 0;
    /// Called on each piece of the response (for the sock_read timer); may be empty.
    void (*on_activity)(Transfer&) = nullptr;
    void* owner = nullptr;

private:
    static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* self);
    static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* self);

    CURL* easy_;
    curl_slist* headers_ = nullptr;
    std::string url_;
    std::string body_out_; // the request body, sent from here
    ClientTimeout timeout_;
    Response response_;
    bool file_ = false;
    char error_[CURL_ERROR_SIZE] = {};
};

/// curl_global_init, once per process, before the first handle.
void global_init();

} // namespace concur::http::detail
