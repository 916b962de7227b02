#include "concur/asyncio/connections.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <system_error>
#include <unistd.h>
#include <vector>

#include "concur/asyncio/events.hpp"
#include "concur/asyncio/resolver.hpp"
#include "concur/asyncio/sock.hpp"
#include "concur/core/exceptions.hpp"
#include "fd_transport.hpp"
#include "socket_util.hpp"

namespace concur::asyncio {

using detail::FdGuard;
using detail::FdTransport;

namespace {

// Binds `fd` to one of the local addresses of its family (Python's local_addr).
void bind_local(int fd, int family, const std::vector<AddrInfo>& local) {
    std::string last_error =
        "no matching local address with family=" + std::to_string(family) + " found";
    int last_errno = 0;
    for (const AddrInfo& l : local) {
        if (l.family != family) {
            continue;
        }
        if (::bind(fd, reinterpret_cast<const sockaddr*>(&l.address), l.address_length) == 0) {
            return;
        }
        last_errno = errno;
        last_error = detail::bind_error_message(
            SocketAddress::from(reinterpret_cast<const sockaddr*>(&l.address), l.address_length),
            last_errno);
    }
    raise_os_error(last_errno, last_error);
}

// Python's create_connection: one error is raised as it is; several with one message, the
// first; otherwise OSError("Multiple exceptions: ..."), of the errno's own subclass when they
// all share one (ConnectionRefusedError on both localhost addresses).
[[noreturn]] void raise_connect_errors(const std::vector<std::exception_ptr>& errors) {
    std::vector<std::string> messages;
    int shared_errno = -1;
    for (const std::exception_ptr& e : errors) {
        try {
            std::rethrow_exception(e);
        } catch (const OSError& os) {
            messages.emplace_back(os.what());
            const int code = os.code().value();
            shared_errno = shared_errno == -1 || shared_errno == code ? code : 0;
        }
    }
    bool same = true;
    for (const std::string& m : messages) {
        same = same && m == messages.front();
    }
    if (errors.size() == 1 || same) {
        std::rethrow_exception(errors.front());
    }
    std::string text = "Multiple exceptions: ";
    for (std::size_t i = 0; i < messages.size(); ++i) {
        text += (i > 0 ? ", " : "") + messages[i];
    }
    raise_os_error(shared_errno > 0 ? shared_errno : 0, text);
}

Connection<BaseProtocol> start_transport(ProtocolFactory& factory, FdGuard& fd,
                                         FdTransport::Kind kind) {
    std::shared_ptr<BaseProtocol> protocol = factory();
    if (!protocol) {
        throw ValueError("the protocol factory returned null");
    }
    std::shared_ptr<FdTransport> t =
        FdTransport::start(get_running_loop(), fd.release(), kind, protocol);
    return {std::move(t), std::move(protocol)};
}

} // namespace

Coroutine<Connection<BaseProtocol>> detail::create_connection(ProtocolFactory factory,
                                                              std::string host, int port,
                                                              ConnectionOptions options) {
    get_running_loop();
    FdGuard fd;
    if (options.sock >= 0) {
        if (!host.empty()) {
            throw ValueError("host/port and sock can not be specified at the same time");
        }
        fd.reset(options.sock);
        set_non_blocking(fd.get());
        co_return start_transport(factory, fd, FdTransport::Kind::kSocket);
    }
    const GetAddrInfoOptions hints{options.family, SOCK_STREAM, options.proto, options.flags};
    std::vector<AddrInfo> infos = co_await ensure_resolved(host, port, hints);
    if (infos.empty()) {
        throw OSError(0, "getaddrinfo() returned empty list");
    }
    std::vector<AddrInfo> local;
    if (options.local_addr) {
        local =
            co_await ensure_resolved(options.local_addr->first, options.local_addr->second, hints);
        if (local.empty()) {
            throw OSError(0, "getaddrinfo() returned empty list");
        }
    }
    std::vector<std::exception_ptr> errors;
    for (const AddrInfo& info : infos) {
        FdGuard attempt(
            ::socket(info.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, info.proto));
        if (attempt.get() < 0) {
            const int e = errno;
            errors.push_back(make_os_error(e, "socket: " + std::generic_category().message(e)));
            continue;
        }
        try {
            if (!local.empty()) {
                bind_local(attempt.get(), info.family, local);
            }
            co_await sock_connect_to(attempt.get(), info.address, info.address_length);
            fd = std::move(attempt);
            break;
        } catch (const OSError&) {
            errors.push_back(std::current_exception());
        }
    }
    if (fd.get() < 0) {
        raise_connect_errors(errors);
    }
    co_return start_transport(factory, fd, FdTransport::Kind::kSocket);
}

Coroutine<Connection<BaseProtocol>> detail::create_unix_connection(ProtocolFactory factory,
                                                                   std::string path, int sock) {
    get_running_loop();
    FdGuard fd;
    if (sock >= 0) {
        if (!path.empty()) {
            throw ValueError("path and sock can not be specified at the same time");
        }
        fd.reset(sock);
        set_non_blocking(fd.get());
    } else {
        if (path.empty()) {
            throw ValueError("no path and sock were specified");
        }
        const auto [address, length] = unix_address(path);
        fd.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (fd.get() < 0) {
            const int e = errno;
            raise_os_error(e, "socket: " + std::generic_category().message(e));
        }
        co_await sock_connect_to(fd.get(), address, length);
    }
    co_return start_transport(factory, fd, FdTransport::Kind::kSocket);
}

Connection<BaseProtocol> detail::connect_pipe(ProtocolFactory factory, int fd, bool read) {
    get_running_loop();
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int e = errno;
        raise_os_error(e, "fstat: " + std::generic_category().message(e));
    }
    if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode) && !S_ISCHR(st.st_mode)) {
        throw ValueError("Pipe transport is for pipes/sockets only.");
    }
    FdGuard guard(fd);
    set_non_blocking(fd);
    return start_transport(factory, guard,
                           read ? FdTransport::Kind::kReadPipe : FdTransport::Kind::kWritePipe);
}

} // namespace concur::asyncio
