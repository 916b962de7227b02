// The S3 store: URLs, configuration, signing and the ListObjectsV2 listing (its XML read by
// hand: a few known elements, no XML library needed).
#include "thumbnail_maker/tool/s3.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <utility>

#include "concur/http/blocking.hpp"

namespace thumbnail_maker::s3 {

namespace http = concur::http;

namespace {

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

/// The variable's value, or empty when it is unset or empty (both mean "not given").
std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr ? std::string() : std::string(value);
}

bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/// The character data of the first <tag>...</tag> in xml[from, to), and where it ends;
/// std::nullopt when there is none.
std::optional<std::pair<std::string_view, std::size_t>>
element(std::string_view xml, std::string_view tag, std::size_t from = 0,
        std::size_t to = std::string_view::npos) {
    const std::string open = "<" + std::string(tag) + ">";
    const std::string close = "</" + std::string(tag) + ">";
    const std::string_view within = xml.substr(0, std::min(to, xml.size()));
    const std::size_t start = within.find(open, from);
    if (start == std::string_view::npos) {
        return std::nullopt;
    }
    const std::size_t begin = start + open.size();
    const std::size_t end = within.find(close, begin);
    if (end == std::string_view::npos) {
        return std::nullopt;
    }
    return std::pair{within.substr(begin, end - begin), end + close.size()};
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// The code point of a numeric entity's digits ("65", "x41"), or std::nullopt if they are not
/// one.
std::optional<std::uint32_t> code_point(std::string_view digits) {
    int base = 10;
    if (!digits.empty() && (digits.front() == 'x' || digits.front() == 'X')) {
        base = 16;
        digits.remove_prefix(1);
    }
    if (digits.empty() || digits.size() > 8) {
        return std::nullopt;
    }
    std::uint32_t value = 0;
    for (const char c : digits) {
        int d = -1;
        if (c >= '0' && c <= '9') {
            d = c - '0';
        } else if (base == 16 && c >= 'a' && c <= 'f') {
            d = c - 'a' + 10;
        } else if (base == 16 && c >= 'A' && c <= 'F') {
            d = c - 'A' + 10;
        }
        if (d < 0) {
            return std::nullopt;
        }
        value = value * static_cast<std::uint32_t>(base) + static_cast<std::uint32_t>(d);
    }
    if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
        return std::nullopt;
    }
    return value;
}

/// The URL of a bucket's listing with these query parameters, given in S3's canonical order
/// (sorted by name) and encoding, so the URL is signed as it is sent.
std::string list_url(const Config& config, const Location& location, int max_keys,
                     const std::string& token) {
    std::string url = config.endpoint + "/" + uri_encode(location.bucket, false) + "?";
    if (!token.empty()) {
        url += "continuation-token=" + uri_encode(token, false) + "&";
    }
    url += "list-type=2&max-keys=" + std::to_string(max_keys);
    if (!location.prefix.empty()) {
        url += "&prefix=" + uri_encode(location.prefix, false);
    }
    return url;
}

} // namespace

std::optional<Location> parse_url(std::string_view url) {
    constexpr std::string_view scheme = "s3://";
    if (url.size() < scheme.size() || !iequal(url.substr(0, scheme.size()), scheme)) {
        return std::nullopt;
    }
    const std::string_view rest = url.substr(scheme.size());
    const std::size_t slash = rest.find('/');
    Location location;
    location.bucket = std::string(rest.substr(0, slash));
    if (slash != std::string_view::npos) {
        location.prefix = std::string(rest.substr(slash + 1));
    }
    if (location.bucket.empty()) {
        throw std::invalid_argument("no bucket in '" + std::string(url) +
                                    "': write s3://bucket or s3://bucket/prefix");
    }
    for (const char c : location.bucket) {
        // A bucket is a path segment of the request: anything else would change the URL.
        if (!unreserved(static_cast<unsigned char>(c)) || c == '~') {
            throw std::invalid_argument("bad bucket name '" + location.bucket + "' in '" +
                                        std::string(url) +
                                        "': letters, digits, '.', '-' and '_' only");
        }
    }
    return location;
}

Config config_from_env(const std::string& endpoint_option) {
    Config config;
    config.region = env("AWS_REGION");
    if (config.region.empty()) {
        config.region = env("AWS_DEFAULT_REGION");
    }
    if (config.region.empty()) {
        config.region = "us-east-1";
    }
    config.endpoint = endpoint_option;
    if (config.endpoint.empty()) {
        config.endpoint = env("AWS_ENDPOINT_URL_S3");
    }
    if (config.endpoint.empty()) {
        config.endpoint = env("AWS_ENDPOINT_URL");
    }
    if (config.endpoint.empty()) {
        config.endpoint = "https://s3." + config.region + ".amazonaws.com";
    }
    while (!config.endpoint.empty() && config.endpoint.back() == '/') {
        config.endpoint.pop_back();
    }
    config.access_key = env("AWS_ACCESS_KEY_ID");
    config.secret_key = env("AWS_SECRET_ACCESS_KEY");
    config.session_token = env("AWS_SESSION_TOKEN");
    if (config.access_key.empty() || config.secret_key.empty()) {
        throw std::invalid_argument(
            "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    }
    return config;
}

std::string uri_encode(std::string_view text, bool keep_slash) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (unreserved(c) || (keep_slash && c == '/')) {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

std::string object_url(const Config& config, std::string_view bucket, std::string_view key) {
    return config.endpoint + "/" + uri_encode(bucket, false) + "/" + uri_encode(key, true);
}

std::string join_key(std::string_view prefix, std::string_view name) {
    std::string key(prefix);
    if (!key.empty() && key.back() != '/') {
        key += '/';
    }
    return key + std::string(name);
}

http::RequestOptions signed_options(const Config& config, double timeout_seconds) {
    http::RequestOptions options;
    options.aws_sigv4 = "aws:amz:" + config.region + ":s3";
    options.auth = http::BasicAuth{config.access_key, config.secret_key};
    // S3 requires this header with SigV4, and libcurl 7.88 neither adds it nor hashes a body
    // for it; given, libcurl signs it and uses its value as the payload hash.
    options.headers.emplace_back("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    if (!config.session_token.empty()) {
        options.headers.emplace_back("x-amz-security-token", config.session_token);
    }
    if (timeout_seconds > 0) {
        options.timeout =
            http::ClientTimeout{.total = std::chrono::duration<double>(timeout_seconds)};
    }
    return options;
}

void raise_for_status(const http::Response& response) {
    if (response.status < 400) {
        return;
    }
    const std::string& body = response.bytes();
    std::string code;
    std::string message;
    if (const auto error = element(body, "Error")) {
        if (const auto c = element(error->first, "Code")) {
            code = xml_unescape(c->first);
        }
        if (const auto m = element(error->first, "Message")) {
            message = xml_unescape(m->first);
        }
    }
    std::string what = "S3 error";
    if (!code.empty()) {
        what += " " + code;
    }
    if (!message.empty()) {
        what += ": " + message;
    }
    what += " (HTTP " + std::to_string(response.status);
    if (!response.reason.empty()) {
        what += " " + response.reason;
    }
    what += ", " + response.method + " " + response.url + ")";
    throw S3Error(response.url, response.status, std::move(code), what);
}

std::vector<Object> list_objects(const Config& config, const Location& location,
                                 double timeout_seconds, int max_keys) {
    if (max_keys < 1 || max_keys > 1000) {
        throw std::invalid_argument("max_keys must be 1 to 1000, not " + std::to_string(max_keys));
    }
    const http::RequestOptions options = signed_options(config, timeout_seconds);
    std::vector<Object> objects;
    std::string token;
    while (true) {
        const http::Response response =
            http::get(list_url(config, location, max_keys, token), options);
        raise_for_status(response);
        const std::string_view xml = response.bytes();
        std::size_t at = 0;
        while (const auto contents = element(xml, "Contents", at)) {
            at = contents->second;
            const auto key = element(contents->first, "Key");
            const auto size = element(contents->first, "Size");
            if (!key) {
                continue;
            }
            Object object{.key = xml_unescape(key->first), .size = 0};
            if (size) {
                object.size = std::strtoull(std::string(size->first).c_str(), nullptr, 10);
            }
            objects.push_back(std::move(object));
        }
        const auto truncated = element(xml, "IsTruncated");
        if (!truncated || truncated->first != "true") {
            return objects;
        }
        const auto next = element(xml, "NextContinuationToken");
        std::string next_token = next ? xml_unescape(next->first) : std::string();
        // Without a new token the same page would come back forever.
        if (next_token.empty() || next_token == token) {
            throw S3Error(response.url, response.status, "",
                          "S3 listing truncated without a new continuation token (" + response.url +
                              ")");
        }
        token = std::move(next_token);
    }
}

std::string get_object(const Config& config, std::string_view bucket, std::string_view key,
                       double timeout_seconds) {
    http::Response response =
        http::get(object_url(config, bucket, key), signed_options(config, timeout_seconds));
    raise_for_status(response);
    return std::move(response.body());
}

void put_object(const Config& config, std::string_view bucket, std::string_view key,
                const std::string& bytes, const std::string& content_type, double timeout_seconds) {
    http::RequestOptions options = signed_options(config, timeout_seconds);
    options.data = bytes;
    options.headers.emplace_back("Content-Type", content_type);
    raise_for_status(http::put(object_url(config, bucket, key), options));
}

std::string xml_unescape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t amp = text.find('&', i);
        if (amp == std::string_view::npos) {
            out.append(text.substr(i));
            break;
        }
        out.append(text.substr(i, amp - i));
        const std::size_t semi = text.find(';', amp);
        if (semi == std::string_view::npos || semi - amp > 12) {
            out += '&'; // not an entity: kept
            i = amp + 1;
            continue;
        }
        const std::string_view name = text.substr(amp + 1, semi - amp - 1);
        std::optional<std::uint32_t> cp;
        if (name == "amp") {
            cp = '&';
        } else if (name == "lt") {
            cp = '<';
        } else if (name == "gt") {
            cp = '>';
        } else if (name == "quot") {
            cp = '"';
        } else if (name == "apos") {
            cp = '\'';
        } else if (!name.empty() && name.front() == '#') {
            cp = code_point(name.substr(1));
        }
        if (cp) {
            append_utf8(out, *cp);
            i = semi + 1;
        } else {
            out += '&';
            i = amp + 1;
        }
    }
    return out;
}

} // namespace thumbnail_maker::s3
