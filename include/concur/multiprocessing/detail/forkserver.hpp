// The fork server's lifetime, for tests and benchmarks that must leave no process behind.
#pragma once

namespace concur::multiprocessing::detail {

/// The fork server's process id, or -1 if it is not running.
int forkserver_pid() noexcept;

/// Stops the fork server and waits for it (it starts again on the next forkserver start).
void stop_forkserver() noexcept;

} // namespace concur::multiprocessing::detail
