// A block of memory shared between processes: an anonymous memfd mapped MAP_SHARED. A fork()ed
// child sees the same pages by plain copy; a spawned child maps the descriptor it inherits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "concur/multiprocessing/detail/inherited_fds.hpp"

namespace concur::multiprocessing::detail {

/// A shared, zero-filled mapping of `size` bytes. Copies are handles on the same mapping; the
/// last handle in a process unmaps it and closes its descriptor.
class SharedBlock {
public:
    /// An empty handle (what deserialisation starts from).
    SharedBlock() = default;
    /// A new zero-filled block of `size` (> 0) bytes. OSError if the system refuses.
    explicit SharedBlock(std::size_t size);

    [[nodiscard]] void* data() const noexcept { return mapping_ ? mapping_->data : nullptr; }
    [[nodiscard]] std::size_t size() const noexcept { return mapping_ ? mapping_->size : 0; }
    [[nodiscard]] explicit operator bool() const noexcept { return mapping_ != nullptr; }

    /// The block, seen as the T that starts it.
    template <class T>
    [[nodiscard]] T* as() const noexcept {
        return static_cast<T*>(data());
    }

    /// Saved as an inherited descriptor (see share_fd()) and a size.
    template <class Archive>
    void save(Archive& archive) const {
        archive(share_fd(fd()), static_cast<std::uint64_t>(size()));
    }
    /// Maps a copy of the inherited descriptor.
    template <class Archive>
    void load(Archive& archive) {
        std::uint32_t index = 0;
        std::uint64_t bytes = 0;
        archive(index, bytes);
        *this = adopt(inherited_fd(index), static_cast<std::size_t>(bytes));
    }

private:
    struct Mapping {
        int fd = -1;
        void* data = nullptr;
        std::size_t size = 0;
        Mapping() = default;
        Mapping(const Mapping&) = delete;
        Mapping& operator=(const Mapping&) = delete;
        ~Mapping();
    };

    [[nodiscard]] int fd() const;
    // Maps a duplicate of `fd` (the original stays with whoever owns it).
    static SharedBlock adopt(int fd, std::size_t size);

    std::shared_ptr<Mapping> mapping_;
};

} // namespace concur::multiprocessing::detail
