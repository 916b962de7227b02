// asyncio.subprocess: a child from spawn_child() with its pipes made stream transports.
#include "concur/asyncio/subprocess.hpp"

#include <cerrno>

#include "concur/asyncio/connections.hpp"
#include "concur/asyncio/gather.hpp"
#include "stream_state.hpp"

namespace concur::asyncio {

namespace subprocess {

namespace {

std::shared_ptr<detail::StreamState> connect(detail::PipeFd& fd, bool read, std::size_t limit) {
    auto state = std::make_shared<detail::StreamState>(limit);
    auto factory = [state] { return std::make_shared<detail::StreamReaderProtocol>(state); };
    if (read) {
        connect_read_pipe(factory, fd.get());
    } else {
        connect_write_pipe(factory, fd.get());
    }
    (void)fd.release(); // the transport has it now
    return state;
}

// Python's _feed_stdin: what the child does not read is not an error.
Coroutine<int> feed_stdin(StreamWriter writer, std::optional<std::string> input) {
    if (input && !input->empty()) {
        writer.write(*input);
        try {
            co_await writer.drain();
        } catch (const ConnectionError&) {
        }
    }
    writer.close();
    co_return 0;
}

Coroutine<std::optional<std::string>> read_all(std::optional<StreamReader> reader) {
    if (!reader) {
        co_return std::nullopt;
    }
    co_return co_await reader->read();
}

Coroutine<int> nothing() {
    co_return 0;
}

} // namespace

Coroutine<Process> create_process(detail::SpawnOptions spawn, std::size_t limit) {
    if (limit == 0) {
        throw ValueError("Limit cannot be <= 0");
    }
    detail::SpawnedChild child = detail::spawn_child(get_running_loop(), spawn);
    Process p;
    p.child_ = child.process;
    if (child.stdin_) {
        p.stdin_.emplace(
            std::make_shared<detail::WriterHandle>(connect(child.stdin_, false, limit)));
    }
    if (child.stdout_) {
        p.stdout_.emplace(connect(child.stdout_, true, limit));
    }
    if (child.stderr_) {
        p.stderr_.emplace(connect(child.stderr_, true, limit));
    }
    co_return p;
}

Coroutine<int> Process::wait() {
    co_return co_await detail::wait_child(child_);
}

Coroutine<std::pair<std::optional<std::string>, std::optional<std::string>>>
Process::communicate(std::optional<std::string> input) {
    Coroutine<int> feed = stdin_ ? feed_stdin(*stdin_, std::move(input)) : nothing();
    auto [fed, out, err] = co_await gather(std::move(feed), read_all(stdout_), read_all(stderr_));
    (void)fed;
    co_await detail::wait_child(child_);
    co_return std::pair{std::move(out), std::move(err)};
}

} // namespace subprocess

namespace {

detail::SpawnOptions spawn_options(std::vector<std::string> args, bool shell,
                                   subprocess::Options& o) {
    detail::SpawnOptions s;
    s.args = std::move(args);
    s.shell = shell;
    s.stdin_ = o.stdin_;
    s.stdout_ = o.stdout_;
    s.stderr_ = o.stderr_;
    s.cwd = std::move(o.cwd);
    s.env = std::move(o.env);
    s.start_new_session = o.start_new_session;
    s.process_group = o.process_group;
    s.close_fds = o.close_fds;
    s.pass_fds = std::move(o.pass_fds);
    return s;
}

} // namespace

Coroutine<subprocess::Process> create_subprocess_exec(std::vector<std::string> args,
                                                      subprocess::Options options) {
    return subprocess::create_process(spawn_options(std::move(args), false, options),
                                      options.limit);
}

Coroutine<subprocess::Process> create_subprocess_shell(std::string cmd,
                                                       subprocess::Options options) {
    return subprocess::create_process(spawn_options({std::move(cmd)}, true, options),
                                      options.limit);
}

} // namespace concur::asyncio
