// The HTTP client's errors, named after aiohttp's (and requests' HTTPError): each carries the URL.
#pragma once

#include <stdexcept>
#include <string>

#include "concur/core/exceptions.hpp"

namespace concur::http {

/// What every error of the client is (aiohttp's ClientError, requests' RequestException). A
/// mixin, not a std::exception: each concrete type below also derives from the standard or
/// concur type a Python user would catch (ValueError, ConnectionError, TimeoutError...), so
/// `catch (const http::ClientError&)` and `catch (const concur::TimeoutError&)` both work.
class ClientError {
public:
    explicit ClientError(std::string url) : url_(std::move(url)) {}
    ClientError(const ClientError&) = default;
    ClientError& operator=(const ClientError&) = default;
    virtual ~ClientError() = default;
    /// The message, which names the URL.
    [[nodiscard]] virtual const char* what() const noexcept = 0;
    /// The URL of the request that failed.
    [[nodiscard]] const std::string& url() const noexcept { return url_; }

private:
    std::string url_;
};

/// The URL cannot be parsed, or its scheme is not supported (aiohttp's InvalidURL, a
/// ValueError).
class InvalidURL : public ClientError, public ValueError {
public:
    InvalidURL(std::string url, const std::string& message)
        : ClientError(std::move(url)), ValueError(message) {}
    [[nodiscard]] const char* what() const noexcept override { return ValueError::what(); }
};

/// The server answered with a 4xx or 5xx status and raise_for_status() was called (aiohttp's
/// ClientResponseError; requests' HTTPError, an alias below).
class ClientResponseError : public ClientError, public RuntimeError {
public:
    ClientResponseError(std::string url, int status, const std::string& message)
        : ClientError(std::move(url)), RuntimeError(message), status_(status) {}
    [[nodiscard]] const char* what() const noexcept override { return RuntimeError::what(); }
    /// The response's status code.
    [[nodiscard]] int status() const noexcept { return status_; }

private:
    int status_;
};
using HTTPError = ClientResponseError;

/// More redirects than max_redirects (aiohttp's TooManyRedirects).
class TooManyRedirects : public ClientResponseError {
public:
    using ClientResponseError::ClientResponseError;
};

/// The connection failed or broke (aiohttp's ClientConnectionError / ClientOSError, a
/// ConnectionError). code() holds the errno when the system gave one.
class ClientConnectionError : public ClientError, public ConnectionError {
public:
    ClientConnectionError(std::string url, int errno_value, const std::string& message)
        : ClientError(std::move(url)), ConnectionError(errno_value, message) {}
    [[nodiscard]] const char* what() const noexcept override { return ConnectionError::what(); }
};

/// No connection could be made: refused, unreachable (aiohttp's ClientConnectorError).
class ClientConnectorError : public ClientConnectionError {
public:
    using ClientConnectionError::ClientConnectionError;
};

/// The host name does not resolve (aiohttp's ClientConnectorDNSError).
class ClientConnectorDNSError : public ClientConnectorError {
public:
    using ClientConnectorError::ClientConnectorError;
};

/// The TLS handshake or the certificate check failed (aiohttp's ClientSSLError).
class ClientSSLError : public ClientConnectorError {
public:
    using ClientConnectorError::ClientConnectorError;
};

/// The server closed the connection without a response (aiohttp's ServerDisconnectedError).
class ServerDisconnectedError : public ClientConnectionError {
public:
    using ClientConnectionError::ClientConnectionError;
};

/// A timeout of ClientTimeout ran out: total, connect or sock_read (aiohttp's
/// ServerTimeoutError; a concur::TimeoutError, as aiohttp's is an asyncio.TimeoutError).
class ServerTimeoutError : public ClientError, public TimeoutError {
public:
    ServerTimeoutError(std::string url, const std::string& message)
        : ClientError(std::move(url)), TimeoutError(message) {}
    [[nodiscard]] const char* what() const noexcept override { return TimeoutError::what(); }
};

/// The body was cut short or could not be decoded (aiohttp's ClientPayloadError).
class ClientPayloadError : public ClientError, public RuntimeError {
public:
    ClientPayloadError(std::string url, const std::string& message)
        : ClientError(std::move(url)), RuntimeError(message) {}
    [[nodiscard]] const char* what() const noexcept override { return RuntimeError::what(); }
};

/// The response body is not valid JSON, or json() was asked of a non-JSON content type
/// (aiohttp's ContentTypeError / requests' JSONDecodeError).
class ContentTypeError : public ClientResponseError {
public:
    using ClientResponseError::ClientResponseError;
};

} // namespace concur::http
