// Length-prefixed frames over a stream socket: how a parent hands a new process its work and
// how the fork server talks to its clients.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "concur/core/owned_fd.hpp"
#include "concur/core/timeout.hpp"

namespace concur::multiprocessing::detail {

/// A connected pair of stream sockets, closed on exec.
std::pair<OwnedFd, OwnedFd> socket_pair();

/// Writes all of `data` to a socket (no SIGPIPE); OSError (BrokenPipeError...) on failure.
void send_all(int fd, std::string_view data);

/// Reads exactly `size` bytes; false on end of file before any byte; EOFError-like
/// ProcessError on end of file in the middle; TimeoutError after the deadline.
bool recv_exact(int fd, char* out, std::size_t size, const Deadline& deadline = {});

/// A frame: a 32-bit length, then the bytes.
void send_frame(int fd, std::string_view data);
/// The next frame into `out`; false on end of file.
bool recv_frame(int fd, std::string& out, const Deadline& deadline = {});

/// Waits until `fd` is readable (or hung up); false if the deadline passed first.
bool wait_readable(int fd, const Deadline& deadline);

} // namespace concur::multiprocessing::detail
