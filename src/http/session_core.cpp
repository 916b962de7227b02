#include "session_core.hpp"

#include "concur/http/exceptions.hpp"

namespace concur::http::detail {

namespace {
// Easy handles kept for reuse: each keeps its buffers; connections live in the multi's pool.
constexpr std::size_t kMaxSpare = 256;
} // namespace

SessionCore::SessionCore(asyncio::EventLoop& loop, SessionOptions options)
    : loop_(&loop), options_(std::move(options)) {
    global_init();
    multi_ = curl_multi_init();
    if (multi_ == nullptr) {
        throw std::bad_alloc();
    }
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &SessionCore::on_socket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &SessionCore::on_timer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, options_.limit);
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, options_.limit_per_host);
    // The pool keeps as many idle connections as the limit lets be open.
    if (options_.limit > 0) {
        curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, options_.limit);
    }
}

SessionCore::~SessionCore() {
    while (!active_.empty()) {
        std::shared_ptr<Pending> p = active_.begin()->second;
        const std::string url = p->transfer->url();
        abort(*p);
        if (!p->future.done()) {
            p->future.set_exception(
                ClientConnectionError(url, 0, "Session is closed (" + url + ")"));
        }
    }
    timer_.cancel();
    spare_.clear();
    // Closing the pooled connections makes libcurl call on_socket(REMOVE) for each: the loop's
    // watches go before the descriptors close.
    curl_multi_cleanup(multi_);
}

std::shared_ptr<Pending> SessionCore::start(std::string_view method, std::string_view url,
                                            const RequestOptions& options) {
    auto p = std::make_shared<Pending>(*loop_);
    if (spare_.empty()) {
        p->transfer = std::make_unique<Transfer>();
    } else {
        p->transfer = std::move(spare_.back());
        spare_.pop_back();
    }
    Transfer& t = *p->transfer;
    t.prepare(method, url, options, options_, false);
    t.owner = p.get();
    if (t.timeout().sock_read) {
        t.on_activity = &SessionCore::on_activity;
        t.last_activity = loop_->time();
        arm_read_timer(*p, t.timeout().sock_read->count());
    } else {
        t.on_activity = nullptr;
    }
    if (curl_multi_add_handle(multi_, t.easy()) != CURLM_OK) {
        p->read_timer.cancel();
        throw RuntimeError("curl_multi_add_handle failed for " + std::string(url));
    }
    active_.emplace(&t, p);
    return p;
}

void SessionCore::on_activity(Transfer& t) {
    auto* p = static_cast<Pending*>(t.owner);
    t.last_activity = p->future.get_loop().time();
}

void SessionCore::arm_read_timer(Pending& p, double delay) {
    // One timer per transfer, re-armed only when it fires early: bytes arriving do not touch it.
    p.read_timer = loop_->call_later(std::chrono::duration<double>(delay), [this, pp = &p] {
        Transfer& t = *pp->transfer;
        const double limit = t.timeout().sock_read->count();
        const double idle = loop_->time() - t.last_activity;
        if (idle < limit) {
            arm_read_timer(*pp, limit - idle);
            return;
        }
        std::shared_ptr<Pending> keep = active_.at(&t);
        const std::string url = t.url();
        abort(*pp);
        if (!pp->future.done()) {
            pp->future.set_exception(ServerTimeoutError(
                url, "timeout: no data for " + std::to_string(limit) + " s (" + url + ")"));
        }
    });
}

void SessionCore::retire(Pending& p) noexcept {
    p.finished = true;
    p.read_timer.cancel();
    Transfer* t = p.transfer.get();
    curl_multi_remove_handle(multi_, t->easy());
    std::shared_ptr<Pending> keep = std::move(active_.at(t));
    active_.erase(t);
    if (spare_.size() < kMaxSpare) {
        spare_.push_back(std::move(p.transfer));
    }
}

void SessionCore::abort(Pending& p) noexcept {
    if (!p.finished) {
        retire(p); // removing a running transfer closes its connection: its slot is free
    }
}

int SessionCore::on_socket(CURL* /*easy*/, curl_socket_t s, int what, void* self,
                           void* /*socketp*/) {
    auto* core = static_cast<SessionCore*>(self);
    asyncio::EventLoop& loop = *core->loop_;
    if (loop.is_closed()) {
        return 0;
    }
    if ((what & CURL_POLL_IN) != 0) {
        loop.add_reader(s, [core, s] { core->action(s, CURL_CSELECT_IN); });
    } else {
        loop.remove_reader(s);
    }
    if ((what & CURL_POLL_OUT) != 0) {
        loop.add_writer(s, [core, s] { core->action(s, CURL_CSELECT_OUT); });
    } else {
        loop.remove_writer(s);
    }
    return 0;
}

int SessionCore::on_timer(CURLM* /*multi*/, long timeout_ms, void* self) {
    auto* core = static_cast<SessionCore*>(self);
    core->timer_.cancel();
    if (timeout_ms >= 0 && !core->loop_->is_closed()) {
        // Never call back into libcurl from here: the loop runs the action on its next turn.
        core->timer_ = core->loop_->call_later(
            std::chrono::duration<double>(static_cast<double>(timeout_ms) / 1000.0),
            [core] { core->action(CURL_SOCKET_TIMEOUT, 0); });
    }
    return 0;
}

void SessionCore::action(curl_socket_t s, int events) {
    int running = 0;
    curl_multi_socket_action(multi_, s, events, &running);
    check_done();
}

void SessionCore::check_done() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
        if (msg->msg != CURLMSG_DONE) {
            continue;
        }
        Transfer* t = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
        const CURLcode code = msg->data.result;
        auto it = active_.find(t);
        if (it == active_.end()) {
            continue;
        }
        std::shared_ptr<Pending> p = it->second;
        Response response;
        std::exception_ptr error = t->finish(code, response);
        retire(*p);
        if (!p->future.done()) { // not cancelled meanwhile
            if (error) {
                p->future.set_exception(error);
            } else {
                p->future.set_result(std::move(response));
            }
        }
    }
}

} // namespace concur::http::detail
