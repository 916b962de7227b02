#include "transfer.hpp"

#include <strings.h>

#include <cmath>
#include <mutex>

#include "concur/core/exceptions.hpp"
#include "concur/http/exceptions.hpp"

namespace concur::http::detail {

namespace {

long to_ms(std::chrono::duration<double> d) {
    // 0 means "no limit" to libcurl: a zero timeout must still time out, after 1 ms.
    return std::max(1L, static_cast<long>(std::ceil(d.count() * 1000.0)));
}

bool iequal(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view header_name(std::string_view line) {
    const auto colon = line.find(':');
    return colon == std::string_view::npos ? line : line.substr(0, colon);
}

bool has_header(const Pairs& headers, std::string_view name) {
    for (const auto& h : headers) {
        if (iequal(h.first, name)) {
            return true;
        }
    }
    return false;
}

std::string escape(CURL* easy, const std::string& s) {
    char* e = curl_easy_escape(easy, s.data(), static_cast<int>(s.size()));
    std::string out(e);
    curl_free(e);
    return out;
}

std::string urlencode(CURL* easy, const Pairs& pairs) {
    std::string out;
    for (const auto& [k, v] : pairs) {
        if (!out.empty()) {
            out += '&';
        }
        out += escape(easy, k);
        out += '=';
        out += escape(easy, v);
    }
    return out;
}

} // namespace

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Transfer::Transfer() {
    global_init();
    easy_ = curl_easy_init();
    if (easy_ == nullptr) {
        throw std::bad_alloc();
    }
}

Transfer::~Transfer() {
    curl_easy_cleanup(easy_);
    curl_slist_free_all(headers_);
}

void Transfer::prepare(std::string_view method, std::string_view url, const RequestOptions& options,
                       const SessionOptions& defaults, bool sock_read_by_curl) {
    curl_easy_reset(easy_);
    curl_slist_free_all(std::exchange(headers_, nullptr));
    response_ = Response();
    response_.method = std::string(method);
    error_[0] = '\0';
    last_activity = 0;

    url_ = std::string(url);
    if (!options.params.empty()) {
        url_ += url_.find('?') == std::string::npos ? '?' : '&';
        url_ += urlencode(easy_, options.params);
    }
    file_ = url_.size() >= 7 && iequal(std::string_view(url_).substr(0, 7), "file://");

    curl_easy_setopt(easy_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(easy_, CURLOPT_PRIVATE, this);
    curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
    curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(easy_, CURLOPT_ACCEPT_ENCODING, ""); // every encoding libcurl decodes
    curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, options.allow_redirects ? 1L : 0L);
    curl_easy_setopt(easy_, CURLOPT_MAXREDIRS, options.max_redirects);
    if (!options.ssl) {
        curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, 0L);
    }

    // The body: a JSON or form body sets its content type unless the caller gave one.
    std::string content_type;
    bool has_body = false;
    if (options.json) {
        body_out_ = options.json->dump();
        content_type = "application/json";
        has_body = true;
    } else if (const auto* raw = std::get_if<std::string>(&options.data)) {
        body_out_ = *raw;
        content_type = "application/octet-stream";
        has_body = true;
    } else if (const auto* form = std::get_if<FormData>(&options.data)) {
        body_out_ = urlencode(easy_, form->fields);
        content_type = "application/x-www-form-urlencoded";
        has_body = true;
    } else {
        body_out_.clear();
    }
    if (method == "HEAD") {
        curl_easy_setopt(easy_, CURLOPT_NOBODY, 1L);
    } else if (method == "GET" && !has_body) {
        curl_easy_setopt(easy_, CURLOPT_HTTPGET, 1L);
    } else {
        if (method != "POST") {
            curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, response_.method.c_str());
        }
        if (has_body || method == "POST") {
            curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(body_out_.size()));
            curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body_out_.c_str());
        }
    }

    // Headers: the request's, then the session's that the request does not replace.
    auto add = [this](const std::string& name, const std::string& value) {
        headers_ = curl_slist_append(headers_, (name + ": " + value).c_str());
    };
    for (const auto& [name, value] : options.headers) {
        add(name, value);
    }
    for (const auto& [name, value] : defaults.headers) {
        if (!has_header(options.headers, name)) {
            add(name, value);
        }
    }
    if (has_body && !has_header(options.headers, "Content-Type") &&
        !has_header(defaults.headers, "Content-Type")) {
        add("Content-Type", content_type);
    }
    // No 100-continue round trip; but not with SigV4: libcurl 7.88 signs this removal as an
    // empty "expect" header that is never sent, and S3 stores then reject the signature.
    if (options.aws_sigv4.empty()) {
        headers_ = curl_slist_append(headers_, "Expect:");
    }
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);

    const std::optional<BasicAuth>& auth = options.auth ? options.auth : defaults.auth;
    if (auth) {
        curl_easy_setopt(easy_, CURLOPT_USERNAME, auth->login.c_str());
        curl_easy_setopt(easy_, CURLOPT_PASSWORD, auth->password.c_str());
        if (options.aws_sigv4.empty()) {
            curl_easy_setopt(easy_, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        }
    }
    if (!options.aws_sigv4.empty()) {
        curl_easy_setopt(easy_, CURLOPT_AWS_SIGV4, options.aws_sigv4.c_str());
    }

    timeout_ = options.timeout ? *options.timeout : defaults.timeout;
    if (timeout_.total) {
        curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, to_ms(*timeout_.total));
    }
    if (timeout_.connect) {
        curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, to_ms(*timeout_.connect));
    }
    if (timeout_.sock_read && sock_read_by_curl) {
        curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_TIME,
                         std::max(1L, static_cast<long>(std::ceil(timeout_.sock_read->count()))));
    }
}

std::size_t Transfer::on_header(char* data, std::size_t size, std::size_t n, void* self) {
    auto& t = *static_cast<Transfer*>(self);
    std::string_view line(data, size * n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
        line.remove_suffix(1);
    }
    if (line.substr(0, 5) == "HTTP/") {
        // A new status line: an interim (1xx) or redirected response ended; keep the last.
        t.response_.headers.clear();
        const auto sp1 = line.find(' ');
        const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
        t.response_.reason =
            sp2 == std::string_view::npos ? std::string() : std::string(line.substr(sp2 + 1));
    } else if (!line.empty()) {
        const std::string_view name = header_name(line);
        std::string_view value = line.substr(std::min(line.size(), name.size() + 1));
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
            value.remove_prefix(1);
        }
        t.response_.headers.add(std::string(name), std::string(value));
    }
    if (t.on_activity != nullptr) {
        t.on_activity(t);
    }
    return size * n;
}

std::size_t Transfer::on_body(char* data, std::size_t size, std::size_t n, void* self) {
    auto& t = *static_cast<Transfer*>(self);
    t.response_.body().append(data, size * n);
    if (t.on_activity != nullptr) {
        t.on_activity(t);
    }
    return size * n;
}

std::exception_ptr Transfer::finish(CURLcode code, Response& out) {
    const std::string detail = error_[0] != '\0' ? std::string(error_) : curl_easy_strerror(code);
    const std::string where = " (" + url_ + ")";
    long os_errno = 0;
    curl_easy_getinfo(easy_, CURLINFO_OS_ERRNO, &os_errno);
    const int err = static_cast<int>(os_errno);
    switch (code) {
    case CURLE_OK:
        break;
    case CURLE_FILE_COULDNT_READ_FILE:
        if (file_) { // a missing file is a 404, as a web server would say
            response_.status = 404;
            response_.reason = "Not Found";
            response_.url = url_;
            out = std::move(response_);
            return nullptr;
        }
        return std::make_exception_ptr(ClientConnectionError(url_, err, detail + where));
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return std::make_exception_ptr(InvalidURL(url_, "invalid URL: " + detail + where));
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return std::make_exception_ptr(
            ClientConnectorDNSError(url_, err, "cannot resolve host: " + detail + where));
    case CURLE_COULDNT_CONNECT:
        return std::make_exception_ptr(
            ClientConnectorError(url_, err, "cannot connect: " + detail + where));
    case CURLE_OPERATION_TIMEDOUT:
        return std::make_exception_ptr(ServerTimeoutError(url_, "timeout: " + detail + where));
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        return std::make_exception_ptr(ClientSSLError(url_, err, "TLS error: " + detail + where));
    case CURLE_GOT_NOTHING:
        return std::make_exception_ptr(
            ServerDisconnectedError(url_, err, "server disconnected: " + detail + where));
    case CURLE_PARTIAL_FILE:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2_STREAM:
        return std::make_exception_ptr(
            ClientPayloadError(url_, "response payload is not completed: " + detail + where));
    case CURLE_TOO_MANY_REDIRECTS: {
        long status = 0;
        curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
        return std::make_exception_ptr(
            TooManyRedirects(url_, static_cast<int>(status), "too many redirects" + where));
    }
    default:
        return std::make_exception_ptr(ClientConnectionError(url_, err, detail + where));
    }
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    response_.status = static_cast<int>(status);
    if (file_ && response_.status == 0) {
        response_.status = 200;
        response_.reason = "OK";
    }
    char* effective = nullptr;
    curl_easy_getinfo(easy_, CURLINFO_EFFECTIVE_URL, &effective);
    response_.url = effective != nullptr ? effective : url_;
    out = std::move(response_);
    return nullptr;
}

} // namespace concur::http::detail
