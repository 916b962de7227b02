// What a Session owns: one libcurl multi handle driven by the asyncio loop (the multi-socket
// interface: curl says which sockets to watch and when to time out; the loop tells curl when
// they are ready), the transfers in flight and the easy handles kept for reuse.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <unordered_map>
#include <vector>

#include "concur/asyncio/events.hpp"
#include "concur/asyncio/future.hpp"
#include "concur/http/options.hpp"
#include "concur/http/response.hpp"
#include "transfer.hpp"

namespace concur::http::detail {

/// A request in flight: its transfer and the future its awaiter waits on.
struct Pending {
    explicit Pending(asyncio::EventLoop& loop) : future(loop) {}
    std::unique_ptr<Transfer> transfer;
    asyncio::Future<Response> future;
    asyncio::TimerHandle read_timer; // sock_read
    bool finished = false;
};

class SessionCore {
public:
    SessionCore(asyncio::EventLoop& loop, SessionOptions options);
    SessionCore(const SessionCore&) = delete;
    SessionCore& operator=(const SessionCore&) = delete;
    /// Aborts what is in flight (see Session::close()) and frees the multi handle.
    ~SessionCore();

    /// Sets a transfer up and adds it to the multi handle; the future completes with it.
    std::shared_ptr<Pending> start(std::string_view method, std::string_view url,
                                   const RequestOptions& options);
    /// Stops `p` now if it still runs (its connection is closed): for a cancelled awaiter.
    void abort(Pending& p) noexcept;

private:
    static int on_socket(CURL* easy, curl_socket_t s, int what, void* self, void* socketp);
    static int on_timer(CURLM* multi, long timeout_ms, void* self);
    static void on_activity(Transfer& t);
    void action(curl_socket_t s, int events);
    void check_done();
    void arm_read_timer(Pending& p, double delay);
    /// Removes `p` from the multi handle and keeps its easy handle for the next request.
    void retire(Pending& p) noexcept;

    asyncio::EventLoop* loop_;
    SessionOptions options_;
    CURLM* multi_;
    asyncio::TimerHandle timer_;
    std::unordered_map<Transfer*, std::shared_ptr<Pending>> active_;
    std::vector<std::unique_ptr<Transfer>> spare_;
};

} // namespace concur::http::detail
