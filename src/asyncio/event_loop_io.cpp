// The loop's watches on file descriptors: add_reader/add_writer for callbacks that repeat,
// watch_once() for awaitables that wait once, watch() for transports' own runnables. Interest in
// the selector follows the watches eagerly, so that a descriptor closed and reused by its owner is
// never left registered.
#include <utility>

#include "concur/asyncio/events.hpp"
#include "concur/core/exceptions.hpp"

namespace concur::asyncio {

using detail::Runnable;

namespace detail {

/// A repeating callback of add_reader/add_writer: queued each time its fd is ready, kept by
/// the watch (one reference) and by the ready queue while queued (one more). Loop thread only.
struct IoCallback final : Runnable {
    IoCallback(UniqueFunction<void()> cb, EventLoop* l) noexcept
        : callback(std::move(cb)), loop(l) {
        run = &IoCallback::call;
    }
    static void call(Runnable* self) {
        auto* h = static_cast<IoCallback*>(self);
        struct Release {
            IoCallback* h;
            ~Release() { h->release(); } // the queue's reference
        } release{h};
        if (!h->cancelled && !h->loop->discarding()) {
            h->callback();
        }
    }
    void release() noexcept {
        if (--refs == 0) {
            delete this;
        }
    }
    UniqueFunction<void()> callback;
    EventLoop* loop;
    unsigned refs = 1;
    bool cancelled = false;
};

/// How a watch holds its runnable.
enum WatchKind : std::uint8_t {
    kOnce,     // scheduled once, then forgotten (an awaiting task)
    kCallback, // an IoCallback the watch owns, kept after it fires
    kBorrowed, // its owner's, kept after it fires (a transport)
};

/// What watches one fd: a runnable per direction, the selector key's data.
struct FdWatch {
    Runnable* runnable[2] = {nullptr, nullptr}; // [0] read, [1] write
    WatchKind kind[2] = {kOnce, kOnce};
};

} // namespace detail

namespace {

int slot_of(std::uint32_t event) {
    if (event == selectors::EVENT_READ) {
        return 0;
    }
    if (event == selectors::EVENT_WRITE) {
        return 1;
    }
    throw ValueError("watch EVENT_READ or EVENT_WRITE, one at a time");
}

void drop(Runnable* r, std::uint8_t kind) noexcept {
    if (kind == detail::kCallback) {
        auto* cb = static_cast<detail::IoCallback*>(r);
        cb->cancelled = true;
        cb->callback.reset();
        cb->release(); // the watch's reference
    }
}

std::uint32_t interest(const detail::FdWatch& w) {
    return (w.runnable[0] != nullptr ? selectors::EVENT_READ : 0U) |
           (w.runnable[1] != nullptr ? selectors::EVENT_WRITE : 0U);
}

} // namespace

void EventLoop::follow_watches(int fd, detail::FdWatch* w) noexcept {
    const std::uint32_t left = interest(*w);
    try {
        if (left == 0) {
            selector_->unregister(fd);
            delete w;
        } else {
            selector_->modify(fd, left, w);
        }
    } catch (...) {
        // The fd was closed under its watch: the kernel has forgotten it already.
    }
}

void EventLoop::set_watch(int fd, std::uint32_t event, Runnable* r, std::uint8_t kind) {
    if (is_closed()) {
        throw RuntimeError("Event loop is closed");
    }
    check_thread("add_reader/add_writer");
    if (fd < 0) {
        throw ValueError("Invalid file descriptor: " + std::to_string(fd));
    }
    const int k = slot_of(event);
    auto key = selector_->get_map().get(fd);
    if (key && key->data == nullptr) {
        throw ValueError("File descriptor " + std::to_string(fd) + " is used by the loop itself");
    }
    auto* w = key ? static_cast<detail::FdWatch*>(key->data) : new detail::FdWatch();
    Runnable* old = w->runnable[k];
    const detail::WatchKind old_kind = w->kind[k];
    w->runnable[k] = r;
    w->kind[k] = static_cast<detail::WatchKind>(kind);
    try {
        if (key) {
            if ((key->events & event) == 0) {
                selector_->modify(fd, interest(*w), w);
            }
        } else {
            selector_->register_(fd, interest(*w), w);
        }
    } catch (...) {
        w->runnable[k] = old;
        w->kind[k] = old_kind;
        if (!key) {
            delete w;
        }
        throw;
    }
    if (old != nullptr && old != r) {
        drop(old, old_kind);
    }
}

bool EventLoop::clear_watch(int fd, std::uint32_t event, const Runnable* r) noexcept {
    const int k = event == selectors::EVENT_READ ? 0 : 1;
    auto key = selector_->get_map().get(fd);
    if (!key || key->data == nullptr) {
        return false;
    }
    auto* w = static_cast<detail::FdWatch*>(key->data);
    Runnable* old = w->runnable[k];
    if (old == nullptr || (r != nullptr && old != r)) {
        return false;
    }
    const detail::WatchKind kind = w->kind[k];
    w->runnable[k] = nullptr;
    w->kind[k] = detail::kOnce;
    follow_watches(fd, w);
    drop(old, kind);
    return true;
}

void EventLoop::add_reader(int fd, UniqueFunction<void()> callback) {
    auto* cb = new detail::IoCallback(std::move(callback), this);
    try {
        set_watch(fd, selectors::EVENT_READ, cb, detail::kCallback);
    } catch (...) {
        delete cb;
        throw;
    }
}

void EventLoop::add_writer(int fd, UniqueFunction<void()> callback) {
    auto* cb = new detail::IoCallback(std::move(callback), this);
    try {
        set_watch(fd, selectors::EVENT_WRITE, cb, detail::kCallback);
    } catch (...) {
        delete cb;
        throw;
    }
}

bool EventLoop::remove_reader(int fd) {
    check_thread("remove_reader");
    return !is_closed() && clear_watch(fd, selectors::EVENT_READ, nullptr);
}

bool EventLoop::remove_writer(int fd) {
    check_thread("remove_writer");
    return !is_closed() && clear_watch(fd, selectors::EVENT_WRITE, nullptr);
}

void EventLoop::watch_once(int fd, std::uint32_t event, Runnable* r) {
    set_watch(fd, event, r, detail::kOnce);
}

void EventLoop::watch(int fd, std::uint32_t event, Runnable* r) {
    set_watch(fd, event, r, detail::kBorrowed);
}

bool EventLoop::unwatch(int fd, std::uint32_t event, const Runnable* r) noexcept {
    return !is_closed() && clear_watch(fd, event, r);
}

void EventLoop::dispatch_io(const selectors::Ready& event) {
    auto* w = static_cast<detail::FdWatch*>(event.data);
    bool once = false;
    for (int k = 0; k < 2; ++k) {
        const std::uint32_t mask = k == 0 ? selectors::EVENT_READ : selectors::EVENT_WRITE;
        Runnable* r = w->runnable[k];
        if ((event.events & mask) == 0 || r == nullptr) {
            continue;
        }
        if (w->kind[k] == detail::kCallback) {
            ++static_cast<detail::IoCallback*>(r)->refs; // the queue's reference
        } else if (w->kind[k] == detail::kOnce) {
            w->runnable[k] = nullptr;
            once = true;
        }
        ready_.push(r);
    }
    if (once) {
        follow_watches(event.fd, w); // the selector stops watching what nothing waits for
    }
}

void EventLoop::close_watches() noexcept {
    std::vector<int> fds;
    for (const selectors::SelectorKey key : selector_->get_map()) {
        if (key.data != nullptr) {
            fds.push_back(key.fd);
        }
    }
    for (int fd : fds) {
        auto key = selector_->get_map().get(fd);
        auto* w = static_cast<detail::FdWatch*>(key->data);
        try {
            selector_->unregister(fd);
        } catch (...) {
        }
        for (int k = 0; k < 2; ++k) {
            if (w->runnable[k] != nullptr) {
                drop(w->runnable[k], w->kind[k]);
            }
        }
        delete w;
    }
}

} // namespace concur::asyncio
