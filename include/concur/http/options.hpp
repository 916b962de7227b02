// The keyword arguments of a request and of a session (aiohttp's and requests'), as options
// structs for designated initialisers.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace concur::http {

/// Name-value pairs, in order, repeats allowed: query parameters, headers, form fields.
using Pairs = std::vector<std::pair<std::string, std::string>>;
/// A form body, sent as application/x-www-form-urlencoded (aiohttp's `data=dict`).
struct FormData {
    Pairs fields;
};

/// aiohttp's ClientTimeout, in seconds: `total` for the whole request, `connect` for getting a
/// connection, `sock_read` for the longest wait between two pieces of the response.
/// std::nullopt: no limit.
struct ClientTimeout {
    std::optional<std::chrono::duration<double>> total = std::nullopt;
    std::optional<std::chrono::duration<double>> connect = std::nullopt;
    std::optional<std::chrono::duration<double>> sock_read = std::nullopt;
};

/// A user name and password (aiohttp's BasicAuth, requests' auth=(user, password)); with
/// aws_sigv4 they are the access key and the secret key.
struct BasicAuth {
    std::string login;
    std::string password;
};

/// The keyword arguments of session.get(url, ...) and http::get(url, ...).
struct RequestOptions {
    /// Appended to the URL's query string, percent-encoded.
    Pairs params = {};
    /// Sent after the session's own headers (a name given here replaces the session's).
    Pairs headers = {};
    /// The body: raw bytes as given, or a FormData sent url-encoded.
    std::variant<std::monostate, std::string, FormData> data = std::monostate{};
    /// A JSON body (Content-Type: application/json); not with `data`.
    std::optional<nlohmann::json> json = std::nullopt;
    /// Replaces the session's timeout for this request.
    std::optional<ClientTimeout> timeout = std::nullopt;
    bool allow_redirects = true;
    long max_redirects = 10;
    std::optional<BasicAuth> auth = std::nullopt;
    /// AWS Signature Version 4 ("aws:amz:REGION:SERVICE", libcurl's CURLOPT_AWS_SIGV4),
    /// signed with `auth` as the access and secret keys: for S3-compatible stores.
    std::string aws_sigv4 = {};
    /// Verify the server's TLS certificate (aiohttp's ssl=False turns this off).
    bool ssl = true;
};

/// The keyword arguments of Session (aiohttp's ClientSession and TCPConnector).
struct SessionOptions {
    /// Headers sent with every request.
    Pairs headers = {};
    /// The default timeout of each request (aiohttp's default: 5 minutes in total).
    ClientTimeout timeout = {.total = std::chrono::minutes(5)};
    /// At most this many connections open at once; 0: no limit (aiohttp's TCPConnector limit).
    long limit = 100;
    /// At most this many connections to one host; 0: no limit (limit_per_host).
    long limit_per_host = 0;
    /// Default BasicAuth of every request.
    std::optional<BasicAuth> auth = std::nullopt;
};

} // namespace concur::http
