#include "concur/http/session.hpp"

#include "concur/asyncio/future.hpp"
#include "concur/core/exceptions.hpp"
#include "session_core.hpp"

namespace concur::http {

Session::Session(SessionOptions options)
    : Session(asyncio::get_running_loop(), std::move(options)) {}

Session::Session(asyncio::EventLoop& loop, SessionOptions options)
    : core_(std::make_unique<detail::SessionCore>(loop, std::move(options))) {}

Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

void Session::close() {
    core_.reset();
}

namespace {
// Aborts the transfer when the awaiting frame leaves early: cancelled, or destroyed.
struct AbortOnExit {
    AbortOnExit(detail::SessionCore* c, std::shared_ptr<detail::Pending> p) noexcept
        : core(c), pending(std::move(p)) {}
    detail::SessionCore* core;
    std::shared_ptr<detail::Pending> pending;
    AbortOnExit(const AbortOnExit&) = delete;
    AbortOnExit& operator=(const AbortOnExit&) = delete;
    ~AbortOnExit() {
        if (!pending->finished) {
            core->abort(*pending);
        }
    }
};
} // namespace

asyncio::Coroutine<Response> Session::request(std::string method, std::string url,
                                              RequestOptions options) {
    if (core_ == nullptr) {
        throw RuntimeError("Session is closed");
    }
    detail::SessionCore* core = core_.get();
    std::shared_ptr<detail::Pending> pending = core->start(method, url, options);
    asyncio::Future<Response> future = pending->future;
    AbortOnExit guard(core, std::move(pending));
    Response response = co_await future;
    co_return response;
}

} // namespace concur::http
