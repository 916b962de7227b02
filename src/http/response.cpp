#include "concur/http/response.hpp"

#include <algorithm>
#include <utility>

#include "concur/http/exceptions.hpp"

namespace concur::http {

std::string StreamReader::read(std::ptrdiff_t n) {
    if (body_ == nullptr) {
        return {};
    }
    const std::size_t left = body_->size() - pos_;
    const std::size_t take = n < 0 ? left : std::min(left, static_cast<std::size_t>(n));
    std::string out = body_->substr(pos_, take);
    pos_ += take;
    return out;
}

bool StreamReader::at_eof() const noexcept {
    return body_ == nullptr || pos_ >= body_->size();
}

Generator<std::string_view> StreamReader::iter_chunked(std::size_t n) {
    const std::size_t chunk = std::max<std::size_t>(n, 1);
    while (!at_eof()) {
        const std::size_t take = std::min(chunk, body_->size() - pos_);
        std::string_view view(body_->data() + pos_, take);
        pos_ += take;
        co_yield view;
    }
}

// The stream points into this object's body: copies and moves re-point it, keeping the position.
Response::Response(const Response& other)
    : status(other.status), reason(other.reason), method(other.method), url(other.url),
      headers(other.headers), content(other.content), body_(other.body_) {
    content.rebind(&body_);
}

Response& Response::operator=(const Response& other) {
    if (this != &other) {
        Response copy(other);
        *this = std::move(copy);
    }
    return *this;
}

Response::Response(Response&& other) noexcept
    : status(other.status), reason(std::move(other.reason)), method(std::move(other.method)),
      url(std::move(other.url)), headers(std::move(other.headers)), content(other.content),
      body_(std::move(other.body_)) {
    content.rebind(&body_);
}

Response& Response::operator=(Response&& other) noexcept {
    status = other.status;
    reason = std::move(other.reason);
    method = std::move(other.method);
    url = std::move(other.url);
    headers = std::move(other.headers);
    content = other.content;
    body_ = std::move(other.body_);
    content.rebind(&body_);
    return *this;
}

nlohmann::json Response::json() const {
    try {
        return nlohmann::json::parse(body_);
    } catch (const nlohmann::json::parse_error& e) {
        throw ContentTypeError(url, status,
                               "response body of " + url + " is not JSON: " + e.what());
    }
}

void Response::raise_for_status() const {
    if (status >= 400) {
        throw ClientResponseError(
            url, status, std::to_string(status) + ", message='" + reason + "', url='" + url + "'");
    }
}

} // namespace concur::http
