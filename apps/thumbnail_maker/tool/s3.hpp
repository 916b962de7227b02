// The Thumbnail Maker's S3-compatible store: s3://bucket/prefix URLs, the endpoint and keys from
// the usual AWS environment variables, and the requests (path-style URLs signed with AWS
// Signature Version 4 by the HTTP client) to list, get and put objects.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "concur/http/exceptions.hpp"
#include "concur/http/options.hpp"
#include "concur/http/response.hpp"

namespace thumbnail_maker::s3 {

/// Where s3://bucket/prefix points. The prefix is S3's: a plain string that keys start with
/// ("photos" also matches "photos2/x"; write "photos/" for a folder).
struct Location {
    std::string bucket;
    std::string prefix;
};

/// The parts of an s3:// URL (scheme in any case); std::nullopt for any other URL or path.
/// Throws std::invalid_argument for s3:// with no bucket or a bucket name with characters
/// other than letters, digits, '.', '-' and '_'.
std::optional<Location> parse_url(std::string_view url);

/// Where the store is and the keys to sign with.
struct Config {
    std::string endpoint; // scheme://host[:port], no trailing '/'
    std::string region;
    std::string access_key;
    std::string secret_key;
    std::string session_token; // empty: none
};

/// The configuration from the environment: the endpoint is `endpoint_option` if not empty,
/// else AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else AWS's own for the region; the region
/// AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1; the keys AWS_ACCESS_KEY_ID,
/// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. Throws std::invalid_argument, naming the
/// variables, when either of the first two keys is missing.
Config config_from_env(const std::string& endpoint_option);

/// S3's percent-encoding of a key in a path (RFC 3986: all but letters, digits and "-._~"
/// as %XX in upper case), keeping '/' when `keep_slash`: the form SigV4 signs as it is.
std::string uri_encode(std::string_view text, bool keep_slash);

/// The path-style URL of an object, endpoint/bucket/key, the key percent-encoded but for '/'.
std::string object_url(const Config& config, std::string_view bucket, std::string_view key);

/// The key of `name` under an output prefix: "prefix/name", or "prefixname" when the prefix
/// is empty or already ends in '/'.
std::string join_key(std::string_view prefix, std::string_view name);

/// Request options that sign a request for this store (SigV4 for service s3, with the session
/// token when there is one) with a total timeout (none when timeout_seconds <= 0). The body is
/// not hashed: it is sent as UNSIGNED-PAYLOAD, which S3 accepts, so any body can go with them.
concur::http::RequestOptions signed_options(const Config& config, double timeout_seconds);

/// An error status from the store: a ClientResponseError (status() and url() as for any HTTP
/// error) that also has S3's error code ("NoSuchBucket", "AccessDenied"...; empty when the
/// body had none). what() names the code, S3's message, the status and the URL.
class S3Error : public concur::http::ClientResponseError {
public:
    S3Error(std::string url, int status, std::string code, const std::string& message)
        : ClientResponseError(std::move(url), status, message), code_(std::move(code)) {}
    [[nodiscard]] const std::string& code() const noexcept { return code_; }

private:
    std::string code_;
};

/// Throws S3Error for a response with a 4xx or 5xx status, read from its <Error> body;
/// returns for any other. For responses from Session (asyncio) as from the blocking calls.
void raise_for_status(const concur::http::Response& response);

/// One object of a listing.
struct Object {
    std::string key;
    std::size_t size = 0;
};

/// Every object whose key starts with the location's prefix, in S3's (key) order: blocking,
/// one ListObjectsV2 request per `max_keys` objects, following the continuation tokens.
/// Raises S3Error for an error status and the HTTP client's errors (ClientConnectorError...)
/// when the store cannot be reached.
std::vector<Object> list_objects(const Config& config, const Location& location,
                                 double timeout_seconds, int max_keys = 1000);

/// The bytes of an object (blocking GET); S3Error for an error status (NoSuchKey...).
std::string get_object(const Config& config, std::string_view bucket, std::string_view key,
                       double timeout_seconds);

/// Stores `bytes` as an object (blocking PUT, whole: S3 never shows a half-written object);
/// S3Error for an error status.
void put_object(const Config& config, std::string_view bucket, std::string_view key,
                const std::string& bytes, const std::string& content_type, double timeout_seconds);

/// The text of XML character data with the entities (&amp; &lt; &gt; &quot; &apos;, &#N;,
/// &#xN;) replaced; an unknown or unterminated entity is kept as it is.
std::string xml_unescape(std::string_view text);

} // namespace thumbnail_maker::s3
