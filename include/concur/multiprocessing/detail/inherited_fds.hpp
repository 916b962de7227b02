// Descriptors that travel with a new process's arguments. A Connection or a shared-memory
// object serialises its descriptor as an index into the list of descriptors the new process
// inherits; the child's bootstrap installs that list before the arguments are read back.
#pragma once

#include <cstdint>
#include <vector>

namespace concur::multiprocessing::detail {

/// Collects the descriptors a process start needs, while its arguments are serialised
/// (one per thread; scopes do not nest).
class LaunchScope {
public:
    LaunchScope();
    ~LaunchScope();
    LaunchScope(const LaunchScope&) = delete;
    LaunchScope& operator=(const LaunchScope&) = delete;

    /// The descriptors registered by share_fd(), in index order.
    [[nodiscard]] const std::vector<int>& fds() const noexcept { return fds_; }

private:
    friend std::uint32_t share_fd(int fd);
    std::vector<int> fds_;
};

/// Save side: registers `fd` to be inherited by the process being started and returns its
/// index. RuntimeError outside a process start, as Python's "... objects should only be shared
/// between processes through inheritance".
std::uint32_t share_fd(int fd);

/// Load side: the descriptor, in this process, that the parent registered under `index`.
/// RuntimeError if this process inherited no such descriptor.
int inherited_fd(std::uint32_t index);

/// The bootstrap of a child (and tests) install the inherited list.
void set_inherited_fds(std::vector<int> fds);

/// Closes the inherited descriptors once the arguments are loaded (each object that loaded one
/// holds its own duplicate), so that no stray copy keeps a pipe from reaching end of file.
void close_inherited_fds() noexcept;

} // namespace concur::multiprocessing::detail
