// A response (aiohttp's ClientResponse, requests' Response): the same type from Session and from
// the blocking facade. The body has arrived in full when a request returns the Response.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "concur/core/generator.hpp"
#include "concur/http/headers.hpp"

namespace concur::http {

/// The body as a stream of chunks (aiohttp's resp.content): reads consume it from the start.
/// It reads from memory: Session returns the Response once the body is in.
class StreamReader {
public:
    StreamReader() = default;

    /// Up to `n` bytes, or what is left for n < 0; empty at the end.
    std::string read(std::ptrdiff_t n = -1);
    /// What is left, in one chunk (aiohttp's readany).
    std::string readany() { return read(-1); }
    /// True once every byte has been read.
    [[nodiscard]] bool at_eof() const noexcept;
    /// The rest of the body in chunks of `n` bytes (the last may be shorter): aiohttp's
    /// iter_chunked, requests' iter_content. The views are valid while the Response lives.
    Generator<std::string_view> iter_chunked(std::size_t n);
    /// For Response: points the reader at the body it moved to.
    void rebind(const std::string* body) noexcept { body_ = body; }

private:
    const std::string* body_ = nullptr;
    std::size_t pos_ = 0;
};

class Response {
public:
    Response() { content.rebind(&body_); }
    Response(const Response& other);
    Response& operator=(const Response& other);
    Response(Response&& other) noexcept;
    Response& operator=(Response&& other) noexcept;
    ~Response() = default;

    /// The status code (requests' status_code); file:// URLs give 200, or 404 for a missing
    /// file.
    int status = 0;
    /// The reason phrase ("OK", "Not Found").
    std::string reason;
    /// The request's method.
    std::string method;
    /// The final URL, after redirects.
    std::string url;
    /// The headers of the final response.
    CIMultiDict headers;
    /// The body, in chunks.
    StreamReader content;

    /// The body as bytes (aiohttp's read(), requests' content).
    [[nodiscard]] const std::string& bytes() const noexcept { return body_; }
    [[nodiscard]] const std::string& read() const noexcept { return body_; }
    /// The body as text. Bytes are given as received (no charset conversion).
    [[nodiscard]] std::string text() const { return body_; }
    /// The body parsed as JSON; ContentTypeError (with the URL) if it is not JSON.
    [[nodiscard]] nlohmann::json json() const;
    /// True for a status below 400 (requests' ok).
    [[nodiscard]] bool ok() const noexcept { return status < 400; }
    /// HTTPError (ClientResponseError) with the status and URL for a 4xx or 5xx status.
    void raise_for_status() const;

    /// For the client: the body, filled as it arrives.
    std::string& body() noexcept { return body_; }

private:
    std::string body_;
};

} // namespace concur::http
