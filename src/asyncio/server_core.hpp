// What a Server is inside: its listening sockets, each watched by the loop, and the count of
// the connections it accepted (Python's Server with its _attach/_detach and _start_serving).
#pragma once

#include <memory>
#include <string>
#include <sys/stat.h>
#include <unordered_set>
#include <vector>

#include "concur/asyncio/connections.hpp"
#include "concur/asyncio/detail/loop_resource.hpp"
#include "concur/asyncio/detail/runnable.hpp"
#include "concur/asyncio/events.hpp"
#include "concur/asyncio/locks.hpp"
#include "fd_transport.hpp"

namespace concur::asyncio::detail {

class ServerCore final : public TransportOwner,
                         public LoopResource,
                         public std::enable_shared_from_this<ServerCore> {
public:
    ServerCore(EventLoop& loop, ProtocolFactory factory, int backlog);
    ~ServerCore();

    /// Takes a bound socket over and listens on it.
    void add_listener(int fd);
    /// The Unix socket file to remove when closing (its inode, to remove only that one).
    void set_unix_path(std::string path, ino_t inode) {
        unix_path_ = std::move(path);
        unix_inode_ = inode;
    }

    [[nodiscard]] EventLoop& loop() const noexcept { return *loop_; }
    [[nodiscard]] bool is_serving() const noexcept { return serving_; }
    [[nodiscard]] bool closed() const noexcept { return closed_; }
    void start_serving();
    void close();
    void close_clients();
    void abort_clients();
    [[nodiscard]] std::vector<int> sockets() const;

    /// Set when closed with no connection left (Python's _wakeup).
    Event& all_closed() noexcept { return all_closed_; }
    /// Set by close(), for serve_forever().
    Event& closing() noexcept { return closing_; }
    bool serving_forever = false;

    void attach(FdTransport* transport) noexcept override;
    void detach(FdTransport* transport) noexcept override;
    void loop_closing() noexcept override;

private:
    struct Listener : Runnable {
        ServerCore* core = nullptr;
        int fd = -1;
        bool watching = false;
    };
    static void on_acceptable(Runnable* r);
    void accept_from(Listener& l);
    void watch_all();
    void unwatch_all() noexcept;
    void close_listeners() noexcept;

    EventLoop* loop_;
    ProtocolFactory factory_;
    int backlog_;
    std::vector<std::unique_ptr<Listener>> listeners_;
    std::unordered_set<FdTransport*> clients_;
    TimerHandle retry_; // accepting again after running out of descriptors
    bool serving_ = false;
    bool closed_ = false;
    std::string unix_path_;
    ino_t unix_inode_ = 0;
    Event all_closed_;
    Event closing_;
};

/// What Server copies share: closes the server when the last copy goes.
class ServerHandle {
public:
    explicit ServerHandle(std::shared_ptr<ServerCore> core) noexcept : core_(std::move(core)) {}
    ServerHandle(const ServerHandle&) = delete;
    ServerHandle& operator=(const ServerHandle&) = delete;
    ~ServerHandle() {
        if (!core_->closed() && EventLoop::alive(&core_->loop()) && !core_->loop().is_closed()) {
            core_->close();
        }
    }
    [[nodiscard]] ServerCore& core() const noexcept { return *core_; }

private:
    std::shared_ptr<ServerCore> core_;
};

} // namespace concur::asyncio::detail
