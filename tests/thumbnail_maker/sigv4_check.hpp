// An independent check of the SigV4 signatures the S3 store sends: s3rver does not verify
// them, so the tests capture a request with a one-shot HTTP listener and recompute its
// signature here from AWS's published algorithm (SHA-256 and HMAC written from their specs,
// FIPS 180-4 and RFC 2104: the test needs no crypto library).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace concur_test::sigv4 {

inline std::array<std::uint8_t, 32> sha256(std::string_view data) {
    // The constants are the fractional parts of the square roots (H) and cube roots (K) of the
    // first primes, computed rather than typed.
    static const auto constants = [] {
        std::array<std::uint32_t, 8> h{};
        std::array<std::uint32_t, 64> k{};
        int found = 0;
        for (int n = 2; found < 64; ++n) {
            bool prime = true;
            for (int d = 2; d * d <= n; ++d) {
                prime = prime && n % d != 0;
            }
            if (!prime) {
                continue;
            }
            const long double x = n;
            const auto frac = [](long double v) {
                return static_cast<std::uint32_t>((v - std::floor(v)) * 4294967296.0L);
            };
            if (found < 8) {
                h[static_cast<std::size_t>(found)] = frac(std::sqrt(x));
            }
            k[static_cast<std::size_t>(found)] = frac(std::cbrt(x));
            ++found;
        }
        return std::pair{h, k};
    }();
    auto h = constants.first;
    const auto& k = constants.second;
    const auto rotr = [](std::uint32_t v, int s) { return (v >> s) | (v << (32 - s)); };

    std::string msg(data);
    const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
    msg += static_cast<char>(0x80);
    while (msg.size() % 64 != 56) {
        msg += '\0';
    }
    for (int i = 7; i >= 0; --i) {
        msg += static_cast<char>((bits >> (8 * i)) & 0xFF);
    }
    for (std::size_t block = 0; block < msg.size(); block += 64) {
        std::array<std::uint32_t, 64> w{};
        for (std::size_t i = 0; i < 16; ++i) {
            for (std::size_t j = 0; j < 4; ++j) {
                w[i] = (w[i] << 8) | static_cast<std::uint8_t>(msg[block + 4 * i + j]);
            }
        }
        for (std::size_t i = 16; i < 64; ++i) {
            const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        auto v = h;
        for (std::size_t i = 0; i < 64; ++i) {
            const std::uint32_t s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
            const std::uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
            const std::uint32_t t1 = v[7] + s1 + ch + k[i] + w[i];
            const std::uint32_t s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
            const std::uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            v = {t1 + s0 + maj, v[0], v[1], v[2], v[3] + t1, v[4], v[5], v[6]};
        }
        for (std::size_t i = 0; i < 8; ++i) {
            h[i] += v[i];
        }
    }
    std::array<std::uint8_t, 32> out{};
    for (std::size_t i = 0; i < 32; ++i) {
        out[i] = static_cast<std::uint8_t>(h[i / 4] >> (24 - 8 * (i % 4)));
    }
    return out;
}

inline std::string bytes_of(const std::array<std::uint8_t, 32>& d) {
    return {reinterpret_cast<const char*>(d.data()), d.size()};
}

inline std::string hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const char c : bytes) {
        out += digits[static_cast<std::uint8_t>(c) >> 4];
        out += digits[static_cast<std::uint8_t>(c) & 0xF];
    }
    return out;
}

inline std::string hmac_sha256(std::string_view key, std::string_view message) {
    std::string k = key.size() > 64 ? bytes_of(sha256(key)) : std::string(key);
    k.resize(64, '\0');
    std::string inner(64, '\0');
    std::string outer(64, '\0');
    for (std::size_t i = 0; i < 64; ++i) {
        inner[i] = static_cast<char>(k[i] ^ 0x36);
        outer[i] = static_cast<char>(k[i] ^ 0x5c);
    }
    return bytes_of(sha256(outer + bytes_of(sha256(inner + std::string(message)))));
}

/// One request as it arrived: the request line's parts and the headers (names lower case).
struct CapturedRequest {
    std::string method;
    std::string target; // path?query, as sent
    std::map<std::string, std::string> headers;
};

/// Listens on 127.0.0.1 for one request, answers it 200 with an empty body, and keeps it.
class OneShotServer {
public:
    OneShotServer() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 1) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
            ::close(fd_);
            throw std::runtime_error("cannot listen on 127.0.0.1");
        }
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    OneShotServer(const OneShotServer&) = delete;
    OneShotServer& operator=(const OneShotServer&) = delete;
    ~OneShotServer() {
        ::shutdown(fd_, SHUT_RDWR); // wakes accept() if no request came
        if (thread_.joinable()) {
            thread_.join();
        }
        ::close(fd_);
    }

    [[nodiscard]] std::string endpoint() const {
        return "http://127.0.0.1:" + std::to_string(port_);
    }
    /// The request, once it has been answered (waits for that).
    [[nodiscard]] const CapturedRequest& request() {
        if (thread_.joinable()) {
            thread_.join();
        }
        return request_;
    }

private:
    void serve() {
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) {
            return;
        }
        std::string raw;
        char buf[4096];
        std::size_t head_end = std::string::npos;
        while (head_end == std::string::npos) {
            const ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) {
                ::close(c);
                return;
            }
            raw.append(buf, static_cast<std::size_t>(n));
            head_end = raw.find("\r\n\r\n");
        }
        std::size_t pos = raw.find("\r\n");
        const std::string line = raw.substr(0, pos);
        const std::size_t sp1 = line.find(' ');
        const std::size_t sp2 = line.find(' ', sp1 + 1);
        request_.method = line.substr(0, sp1);
        request_.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
        while (pos < head_end) {
            const std::size_t next = raw.find("\r\n", pos + 2);
            const std::string header = raw.substr(pos + 2, next - pos - 2);
            const std::size_t colon = header.find(':');
            if (colon != std::string::npos) {
                std::string name = header.substr(0, colon);
                for (char& ch : name) {
                    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                }
                std::string value = header.substr(colon + 1);
                value.erase(0, value.find_first_not_of(" \t"));
                value.erase(value.find_last_not_of(" \t") + 1);
                request_.headers[name] = value;
            }
            pos = next;
        }
        // Read the body too, so that the client is not cut off while sending it.
        const auto length = request_.headers.find("content-length");
        const std::size_t body = length == request_.headers.end() ? 0 : std::stoul(length->second);
        while (raw.size() < head_end + 4 + body) {
            const ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) {
                break;
            }
            raw.append(buf, static_cast<std::size_t>(n));
        }
        const std::string reply =
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        (void)::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
        ::close(c);
    }

    int fd_ = -1;
    int port_ = 0;
    std::thread thread_;
    CapturedRequest request_;
};

/// The parts of an "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." header.
struct Authorization {
    std::string access_key, date, region, service;
    std::vector<std::string> signed_headers;
    std::string signature;
};

inline Authorization parse_authorization(const std::string& header) {
    Authorization a;
    const auto field = [&](const std::string& name) {
        const std::size_t at = header.find(name + "=");
        if (at == std::string::npos) {
            throw std::runtime_error("no " + name + " in " + header);
        }
        const std::size_t begin = at + name.size() + 1;
        return header.substr(begin, header.find(',', begin) - begin);
    };
    const auto split = [](const std::string& s, char sep) {
        std::vector<std::string> parts;
        std::size_t start = 0;
        while (true) {
            const std::size_t end = s.find(sep, start);
            parts.push_back(s.substr(start, end - start));
            if (end == std::string::npos) {
                return parts;
            }
            start = end + 1;
        }
    };
    const auto credential = split(field("Credential"), '/');
    if (credential.size() != 5) {
        throw std::runtime_error("bad Credential in " + header);
    }
    a.access_key = credential[0];
    a.date = credential[1];
    a.region = credential[2];
    a.service = credential[3];
    a.signed_headers = split(field("SignedHeaders"), ';');
    a.signature = field("Signature");
    return a;
}

/// The signature AWS computes for a request with this canonical URI and query (as AWS forms
/// them from the object's key and the parameters: the test states them), the captured signed
/// headers, and the payload hash the request declares.
inline std::string expected_signature(const CapturedRequest& r, const std::string& canonical_uri,
                                      const std::string& canonical_query,
                                      const std::string& secret_key) {
    const Authorization a = parse_authorization(r.headers.at("authorization"));
    std::string canonical = r.method + "\n" + canonical_uri + "\n" + canonical_query + "\n";
    std::string names;
    for (const auto& name : a.signed_headers) {
        canonical += name + ":" + r.headers.at(name) + "\n";
        names += (names.empty() ? "" : ";") + name;
    }
    canonical += "\n" + names + "\n" + r.headers.at("x-amz-content-sha256");
    const std::string scope = a.date + "/" + a.region + "/" + a.service + "/aws4_request";
    const std::string to_sign = "AWS4-HMAC-SHA256\n" + r.headers.at("x-amz-date") + "\n" + scope +
                                "\n" + hex(bytes_of(sha256(canonical)));
    std::string key = hmac_sha256("AWS4" + secret_key, a.date);
    key = hmac_sha256(key, a.region);
    key = hmac_sha256(key, a.service);
    key = hmac_sha256(key, "aws4_request");
    return hex(hmac_sha256(key, to_sign));
}

} // namespace concur_test::sigv4
