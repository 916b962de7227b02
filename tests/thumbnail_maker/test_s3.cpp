// The S3 store: s3:// URLs, the configuration from the environment, key encoding, and the
// requests against a real S3-compatible server (s3rver, started per test on 127.0.0.1).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <concur/asyncio.hpp>
#include <concur/http.hpp>

#include "s3_server.hpp"
#include "sigv4_check.hpp"
#include "thumbnail_maker/tool/s3.hpp"

namespace {

namespace asyncio = concur::asyncio;
namespace http = concur::http;
namespace s3 = thumbnail_maker::s3;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

// ---- s3:// URLs

TEST(S3ParseUrl, BucketAndPrefix) {
    const auto l = s3::parse_url("s3://photos/2024/summer/");
    ASSERT_TRUE(l.has_value());
    EXPECT_EQ(l->bucket, "photos");
    EXPECT_EQ(l->prefix, "2024/summer/");
}

TEST(S3ParseUrl, BucketOnlyHasAnEmptyPrefix) {
    for (const char* url : {"s3://photos", "s3://photos/"}) {
        const auto l = s3::parse_url(url);
        ASSERT_TRUE(l.has_value()) << url;
        EXPECT_EQ(l->bucket, "photos") << url;
        EXPECT_EQ(l->prefix, "") << url;
    }
}

TEST(S3ParseUrl, SchemeInAnyCaseAndPrefixKeptAsIs) {
    const auto l = s3::parse_url("S3://my.bucket-1/a b/ü+x");
    ASSERT_TRUE(l.has_value());
    EXPECT_EQ(l->bucket, "my.bucket-1");
    EXPECT_EQ(l->prefix, "a b/ü+x");
}

TEST(S3ParseUrl, OtherUrlsAndPathsAreNotS3) {
    for (const char* url : {"", "photos", "/data/s3://x", "http://host/x", "file:///x", "s3:/x",
                            "s3", "gs://bucket/x"}) {
        EXPECT_FALSE(s3::parse_url(url).has_value()) << url;
    }
}

TEST(S3ParseUrl, NoBucketIsAnError) {
    for (const char* url : {"s3://", "s3:///prefix"}) {
        try {
            (void)s3::parse_url(url);
            ADD_FAILURE() << "no error for " << url;
        } catch (const std::invalid_argument& e) {
            EXPECT_THAT(e.what(), HasSubstr("no bucket")) << url;
            EXPECT_THAT(e.what(), HasSubstr(url));
        }
    }
}

TEST(S3ParseUrl, BucketThatWouldChangeTheUrlIsAnError) {
    for (const char* url : {"s3://a?b/x", "s3://a#b", "s3://a b/x", "s3://a%20b"}) {
        EXPECT_THROW((void)s3::parse_url(url), std::invalid_argument) << url;
    }
}

// ---- configuration

// Sets and unsets environment variables for one test and restores them after it.
class EnvGuard {
public:
    EnvGuard() {
        for (const char* name : kNames) {
            if (const char* v = std::getenv(name)) {
                saved_[name] = v;
            }
            ::unsetenv(name);
        }
    }
    EnvGuard(const EnvGuard&) = delete;
    EnvGuard& operator=(const EnvGuard&) = delete;
    ~EnvGuard() {
        for (const char* name : kNames) {
            const auto it = saved_.find(name);
            if (it == saved_.end()) {
                ::unsetenv(name);
            } else {
                ::setenv(name, it->second.c_str(), 1);
            }
        }
    }
    static void set(const char* name, const char* value) { ::setenv(name, value, 1); }

private:
    static constexpr const char* kNames[] = {
        "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL",      "AWS_REGION",       "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY_ID",   "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"};
    std::map<std::string, std::string> saved_;
};

TEST(S3Config, KeysAndDefaults) {
    EnvGuard env;
    EnvGuard::set("AWS_ACCESS_KEY_ID", "AKID");
    EnvGuard::set("AWS_SECRET_ACCESS_KEY", "secret");
    const s3::Config c = s3::config_from_env("");
    EXPECT_EQ(c.access_key, "AKID");
    EXPECT_EQ(c.secret_key, "secret");
    EXPECT_EQ(c.session_token, "");
    EXPECT_EQ(c.region, "us-east-1");
    EXPECT_EQ(c.endpoint, "https://s3.us-east-1.amazonaws.com");
}

TEST(S3Config, RegionFromAwsRegionThenDefaultRegion) {
    EnvGuard env;
    EnvGuard::set("AWS_ACCESS_KEY_ID", "AKID");
    EnvGuard::set("AWS_SECRET_ACCESS_KEY", "secret");
    EnvGuard::set("AWS_DEFAULT_REGION", "eu-west-3");
    EXPECT_EQ(s3::config_from_env("").region, "eu-west-3");
    EXPECT_EQ(s3::config_from_env("").endpoint, "https://s3.eu-west-3.amazonaws.com");
    EnvGuard::set("AWS_REGION", "ap-south-1");
    EXPECT_EQ(s3::config_from_env("").region, "ap-south-1");
}

TEST(S3Config, EndpointFromOptionThenS3VariableThenGeneralOne) {
    EnvGuard env;
    EnvGuard::set("AWS_ACCESS_KEY_ID", "AKID");
    EnvGuard::set("AWS_SECRET_ACCESS_KEY", "secret");
    EnvGuard::set("AWS_ENDPOINT_URL", "http://general:9000/");
    EXPECT_EQ(s3::config_from_env("").endpoint, "http://general:9000");
    EnvGuard::set("AWS_ENDPOINT_URL_S3", "http://s3only:9000");
    EXPECT_EQ(s3::config_from_env("").endpoint, "http://s3only:9000");
    EXPECT_EQ(s3::config_from_env("http://option:1//").endpoint, "http://option:1");
}

TEST(S3Config, SessionToken) {
    EnvGuard env;
    EnvGuard::set("AWS_ACCESS_KEY_ID", "AKID");
    EnvGuard::set("AWS_SECRET_ACCESS_KEY", "secret");
    EnvGuard::set("AWS_SESSION_TOKEN", "tok");
    EXPECT_EQ(s3::config_from_env("").session_token, "tok");
}

TEST(S3Config, MissingKeysNameTheVariables) {
    EnvGuard env;
    for (const char* only : {"", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}) {
        ::unsetenv("AWS_ACCESS_KEY_ID");
        ::unsetenv("AWS_SECRET_ACCESS_KEY");
        if (*only != '\0') {
            EnvGuard::set(only, "x");
        }
        try {
            (void)s3::config_from_env("http://127.0.0.1:1");
            ADD_FAILURE() << "no error with only " << only;
        } catch (const std::invalid_argument& e) {
            EXPECT_THAT(e.what(), HasSubstr("AWS_ACCESS_KEY_ID"));
            EXPECT_THAT(e.what(), HasSubstr("AWS_SECRET_ACCESS_KEY"));
        }
    }
}

// ---- URLs, keys, signing options, XML text

TEST(S3ObjectUrl, PathStyleWithTheKeyEncodedButItsSlashes) {
    s3::Config c;
    c.endpoint = "http://127.0.0.1:9000";
    EXPECT_EQ(s3::object_url(c, "b", "photos/cat.jpg"), "http://127.0.0.1:9000/b/photos/cat.jpg");
    EXPECT_EQ(s3::object_url(c, "b", "a b+c&d=e?f#g%h"),
              "http://127.0.0.1:9000/b/a%20b%2Bc%26d%3De%3Ff%23g%25h");
    EXPECT_EQ(s3::object_url(c, "b", "d\xC3\xA9j\xC3\xA0/x~y_z-1.png"),
              "http://127.0.0.1:9000/b/d%C3%A9j%C3%A0/x~y_z-1.png");
}

TEST(S3ObjectUrl, UriEncodeOfAQueryValueEncodesSlashes) {
    EXPECT_EQ(s3::uri_encode("a/b c", false), "a%2Fb%20c");
    EXPECT_EQ(s3::uri_encode("a/b c", true), "a/b%20c");
}

TEST(S3JoinKey, OneSlashBetweenPrefixAndName) {
    EXPECT_EQ(s3::join_key("", "x_64.jpg"), "x_64.jpg");
    EXPECT_EQ(s3::join_key("thumbs", "x_64.jpg"), "thumbs/x_64.jpg");
    EXPECT_EQ(s3::join_key("thumbs/", "x_64.jpg"), "thumbs/x_64.jpg");
}

TEST(S3SignedOptions, SigV4ForS3WithUnsignedPayloadTokenAndTimeout) {
    const s3::Config c{.endpoint = "http://e",
                       .region = "eu-west-1",
                       .access_key = "AK",
                       .secret_key = "SK",
                       .session_token = "TOKEN"};
    const http::RequestOptions o = s3::signed_options(c, 12.5);
    EXPECT_EQ(o.aws_sigv4, "aws:amz:eu-west-1:s3");
    ASSERT_TRUE(o.auth.has_value());
    EXPECT_EQ(o.auth->login, "AK");
    EXPECT_EQ(o.auth->password, "SK");
    const http::Pairs expected = {{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"},
                                  {"x-amz-security-token", "TOKEN"}};
    EXPECT_EQ(o.headers, expected);
    ASSERT_TRUE(o.timeout.has_value());
    ASSERT_TRUE(o.timeout->total.has_value());
    EXPECT_DOUBLE_EQ(o.timeout->total->count(), 12.5);

    s3::Config no_token = c;
    no_token.session_token.clear();
    const http::RequestOptions p = s3::signed_options(no_token, 0);
    EXPECT_EQ(p.headers.size(), 1U);
    EXPECT_FALSE(p.timeout.has_value());
}

TEST(S3Xml, EntitiesUnescaped) {
    EXPECT_EQ(s3::xml_unescape("a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;"),
              "a & b <c> \"d\" 'e'");
    EXPECT_EQ(s3::xml_unescape("&#65;&#x42;&#x43;&#233;&#x1F600;"), "ABC\xC3\xA9\xF0\x9F\x98\x80");
    EXPECT_EQ(s3::xml_unescape("&#13;&#10;"), "\r\n");
}

TEST(S3Xml, NotAnEntityIsKept) {
    EXPECT_EQ(s3::xml_unescape("a & b"), "a & b");
    EXPECT_EQ(s3::xml_unescape("&unknown; &#xZZ; &#55296; &"), "&unknown; &#xZZ; &#55296; &");
    EXPECT_EQ(s3::xml_unescape("&amp"), "&amp");
}

// ---- the signatures, recomputed (s3rver does not check them)

namespace sigv4 = concur_test::sigv4;

TEST(S3Signature, TheCheckersHashesMatchTheirStandardVectors) {
    EXPECT_EQ(sigv4::hex(sigv4::bytes_of(sigv4::sha256(""))),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sigv4::hex(sigv4::bytes_of(sigv4::sha256("abc"))),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sigv4::hex(sigv4::bytes_of(sigv4::sha256(std::string(1000, 'a')))),
              "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
    // RFC 4231, test case 2.
    EXPECT_EQ(sigv4::hex(sigv4::hmac_sha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(S3Signature, TheCheckerSignsAwssPublishedGetObjectExample) {
    // The GET Object example of AWS's S3 SigV4 documentation, with its published signature.
    sigv4::CapturedRequest r;
    r.method = "GET";
    r.headers = {
        {"authorization",
         "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
         "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=x"},
        {"host", "examplebucket.s3.amazonaws.com"},
        {"range", "bytes=0-9"},
        {"x-amz-content-sha256",
         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"x-amz-date", "20130524T000000Z"}};
    EXPECT_EQ(
        sigv4::expected_signature(r, "/test.txt", "", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(S3Signature, PutOfAKeyWithSpacesAndUnicodeIsSignedAsAwsComputesIt) {
    sigv4::OneShotServer server;
    const s3::Config c{.endpoint = server.endpoint(),
                       .region = "eu-west-1",
                       .access_key = "AKIDEXAMPLE",
                       .secret_key = "a/secret+key",
                       .session_token = "the-token"};
    s3::put_object(c, "bkt", "dir/a b+c=\xC3\xA9~.jpg", "bytes", "image/jpeg", 10);
    const sigv4::CapturedRequest& r = server.request();
    // AWS forms the canonical URI from the key: each byte but unreserved ones and '/' encoded.
    const std::string uri = "/bkt/dir/a%20b%2Bc%3D%C3%A9~.jpg";
    EXPECT_EQ(r.method, "PUT");
    EXPECT_EQ(r.target, uri);
    const sigv4::Authorization a = sigv4::parse_authorization(r.headers.at("authorization"));
    EXPECT_EQ(a.access_key, "AKIDEXAMPLE");
    EXPECT_EQ(a.region, "eu-west-1");
    EXPECT_EQ(a.service, "s3");
    // AWS requires every x-amz-* header to be signed.
    for (const char* h : {"host", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"}) {
        EXPECT_THAT(a.signed_headers, ::testing::Contains(h));
    }
    EXPECT_EQ(r.headers.at("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
    EXPECT_EQ(r.headers.at("x-amz-security-token"), "the-token");
    EXPECT_EQ(a.signature, sigv4::expected_signature(r, uri, "", "a/secret+key"));
    EXPECT_NE(a.signature, sigv4::expected_signature(r, uri, "", "another secret"));
}

TEST(S3Signature, ListingQueryIsSentInCanonicalFormAndSigned) {
    sigv4::OneShotServer server;
    const s3::Config c{.endpoint = server.endpoint(),
                       .region = "us-east-1",
                       .access_key = "AKIDEXAMPLE",
                       .secret_key = "secret",
                       .session_token = ""};
    // The listener answers 200 with no body: an empty listing.
    EXPECT_TRUE(s3::list_objects(c, {"bkt", "a b/\xC3\xA9"}, 10, 7).empty());
    const sigv4::CapturedRequest& r = server.request();
    // Sorted by name, values encoded as in a URI ('/' too): AWS's canonical query.
    const std::string query = "list-type=2&max-keys=7&prefix=a%20b%2F%C3%A9";
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.target, "/bkt?" + query);
    const sigv4::Authorization a = sigv4::parse_authorization(r.headers.at("authorization"));
    EXPECT_EQ(a.signature, sigv4::expected_signature(r, "/bkt", query, "secret"));
}

// ---- against s3rver

class S3Store : public ::testing::Test {
protected:
    concur_test::S3Server server;
    s3::Config config = server.config();

    std::set<std::string> keys_of(const std::vector<s3::Object>& objects) {
        std::set<std::string> keys;
        for (const auto& o : objects) {
            EXPECT_TRUE(keys.insert(o.key).second) << "listed twice: " << o.key;
        }
        return keys;
    }
};

std::string every_byte(std::size_t n) {
    std::string bytes(n, '\0');
    for (std::size_t i = 0; i < n; ++i) {
        bytes[i] = static_cast<char>((i * 7 + i / 256) & 0xFF);
    }
    return bytes;
}

TEST_F(S3Store, PutThenGetByteForByte) {
    for (const char* k :
         {"plain.jpg", "photos/a b+c&d=e.jpg", "d\xC3\xA9j\xC3\xA0 vu/\xE2\x98\x83.png"}) {
        const std::string key = k;
        const std::string bytes = every_byte(300'000) + key;
        s3::put_object(config, server.bucket(), key, bytes, "image/jpeg", 10);
        EXPECT_EQ(s3::get_object(config, server.bucket(), key, 10), bytes) << key;
    }
}

TEST_F(S3Store, PutWithSessionTokenAndEmptyObject) {
    config.session_token = "a-session-token";
    s3::put_object(config, server.bucket(), "empty", "", "application/octet-stream", 10);
    EXPECT_EQ(s3::get_object(config, server.bucket(), "empty", 10), "");
    const auto objects = s3::list_objects(config, {server.bucket(), "empty"}, 10);
    ASSERT_EQ(objects.size(), 1U);
    EXPECT_EQ(objects[0].size, 0U);
}

TEST_F(S3Store, GetAndPutOnTheAsyncioSession) {
    // The asyncio mode's way: the same URL and options through http::Session.
    const std::string url = s3::object_url(config, server.bucket(), "async/x y.bin");
    const std::string bytes = every_byte(100'000);
    const http::Response r = asyncio::run(
        [](std::string u, s3::Config c, std::string b) -> asyncio::Coroutine<http::Response> {
            http::Session session;
            http::RequestOptions put = s3::signed_options(c, 10);
            put.data = std::move(b);
            const http::Response stored = co_await session.put(u, std::move(put));
            s3::raise_for_status(stored);
            http::RequestOptions get = s3::signed_options(c, 10);
            http::Response got = co_await session.get(u, std::move(get));
            co_return got;
        }(url, config, bytes));
    EXPECT_NO_THROW(s3::raise_for_status(r));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.bytes(), bytes);
}

TEST_F(S3Store, ListsTheObjectsUnderAPrefixWithTheirSizes) {
    const std::map<std::string, std::string> objects = {
        {"photos/a.jpg", "aaaa"},
        {"photos/b c.jpg", "bb"},
        {"photos/\xC3\xBC\xC3\xA9 \xE2\x98\x83.jpg", "unicode"},
        {"photos/x&y<z>'q\".jpg", "xml"},
        {"photos/sub/deeper.jpg", "d"},
        {"photos2/other.jpg", "o"},
        {"top.jpg", "t"},
    };
    for (const auto& [key, bytes] : objects) {
        server.put(key, bytes);
    }
    const auto listed = s3::list_objects(config, {server.bucket(), "photos/"}, 10);
    std::map<std::string, std::size_t> got;
    for (const auto& o : listed) {
        EXPECT_TRUE(got.emplace(o.key, o.size).second) << "listed twice: " << o.key;
    }
    std::map<std::string, std::size_t> expected;
    for (const auto& [key, bytes] : objects) {
        if (key.rfind("photos/", 0) == 0) {
            expected.emplace(key, bytes.size());
        }
    }
    EXPECT_EQ(got, expected);

    // No prefix: the whole bucket; an S3 prefix is a string prefix ("photos" has photos2/).
    EXPECT_EQ(s3::list_objects(config, {server.bucket(), ""}, 10).size(), objects.size());
    EXPECT_EQ(s3::list_objects(config, {server.bucket(), "photos"}, 10).size(), objects.size() - 1);
    EXPECT_TRUE(s3::list_objects(config, {server.bucket(), "nothing/"}, 10).empty());
}

TEST_F(S3Store, PaginationReturnsEveryKeyOnce) {
    std::vector<std::string> keys;
    for (int i = 0; i < 5; ++i) {
        keys.push_back("page/" + std::to_string(i) + (i % 2 == 0 ? " \xC3\xA9t\xC3\xA9" : "") +
                       ".jpg");
        server.put(keys.back(), "x");
    }
    server.put("elsewhere.jpg", "x");
    const auto listed = s3::list_objects(config, {server.bucket(), "page/"}, 10, 2);
    EXPECT_THAT(keys_of(listed), UnorderedElementsAreArray(keys));
    EXPECT_EQ(listed.size(), keys.size());
    const auto one_by_one = s3::list_objects(config, {server.bucket(), "page/"}, 10, 1);
    EXPECT_EQ(keys_of(one_by_one), keys_of(listed));
}

TEST_F(S3Store, BadMaxKeysIsAnError) {
    EXPECT_THROW((void)s3::list_objects(config, {server.bucket(), ""}, 10, 0),
                 std::invalid_argument);
    EXPECT_THROW((void)s3::list_objects(config, {server.bucket(), ""}, 10, 1001),
                 std::invalid_argument);
}

TEST_F(S3Store, UnknownBucketRaisesWithS3sCodeAndTheUrl) {
    try {
        (void)s3::list_objects(config, {"no-such-bucket", "x/"}, 10);
        ADD_FAILURE() << "no error";
    } catch (const s3::S3Error& e) {
        EXPECT_EQ(e.code(), "NoSuchBucket");
        EXPECT_EQ(e.status(), 404);
        EXPECT_THAT(e.what(), HasSubstr("NoSuchBucket"));
        EXPECT_THAT(e.what(), HasSubstr("does not exist"));
        EXPECT_THAT(e.what(), HasSubstr(server.endpoint() + "/no-such-bucket?"));
        EXPECT_THAT(e.url(), HasSubstr("/no-such-bucket?"));
    }
    // Also an HTTP status error for code that does not know S3.
    EXPECT_THROW((void)s3::get_object(config, "no-such-bucket", "k", 10),
                 http::ClientResponseError);
}

TEST_F(S3Store, MissingKeyRaisesNoSuchKey) {
    try {
        (void)s3::get_object(config, server.bucket(), "missing/x.jpg", 10);
        ADD_FAILURE() << "no error";
    } catch (const s3::S3Error& e) {
        EXPECT_EQ(e.code(), "NoSuchKey");
        EXPECT_EQ(e.status(), 404);
        EXPECT_THAT(e.what(), HasSubstr("/missing/x.jpg"));
    }
}

TEST_F(S3Store, UnknownAccessKeyIsRefused) {
    // s3rver checks the access key but not a SigV4 signature: a wrong secret key goes
    // unnoticed here, an unknown access key is refused as S3 refuses it.
    config.access_key = "NOT-A-KEY";
    try {
        s3::put_object(config, server.bucket(), "k", "x", "application/octet-stream", 10);
        ADD_FAILURE() << "no error";
    } catch (const s3::S3Error& e) {
        EXPECT_EQ(e.code(), "InvalidAccessKeyId");
        EXPECT_EQ(e.status(), 403);
    }
    EXPECT_THROW((void)s3::list_objects(config, {server.bucket(), ""}, 10), s3::S3Error);
}

TEST(S3Refused, NobodyListeningIsAClientConnectorError) {
    const s3::Config c{.endpoint = "http://127.0.0.1:" + std::to_string(concur_test::free_port()),
                       .region = "us-east-1",
                       .access_key = "a",
                       .secret_key = "b",
                       .session_token = ""};
    EXPECT_THROW((void)s3::list_objects(c, {"bucket", ""}, 10), http::ClientConnectorError);
    EXPECT_THROW((void)s3::get_object(c, "bucket", "k", 10), http::ClientConnectorError);
}

} // namespace
