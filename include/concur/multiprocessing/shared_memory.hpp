// multiprocessing.shared_memory.SharedMemory: a block of memory with a name (POSIX shm_open),
// which any process may attach to by that name.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>

namespace concur::multiprocessing::shared_memory {

/// SharedMemory's keyword arguments.
struct SharedMemoryOptions {
    /// The block's name; std::nullopt (with create) picks a new random one, "psm_" and 8 hex
    /// digits, as Python does.
    std::optional<std::string> name = std::nullopt;
    /// Create a new block (FileExistsError if the name is taken) rather than attach to one
    /// (FileNotFoundError if there is none).
    bool create = false;
    /// The new block's size in bytes: positive when creating; ignored when attaching.
    std::size_t size = 0;
};

/// A named shared memory block (Python's SharedMemory): `SharedMemory({.create = true,
/// .size = n})` makes one, `SharedMemory({.name = name})` attaches to one. Owns its mapping:
/// move-only; the destructor close()s it but never unlink()s it, as in Python. Serialised by name:
/// the loading process attaches to the same block.
class SharedMemory {
public:
    /// A closed object (what deserialisation starts from).
    SharedMemory() = default;
    /// Creates or attaches to a block. ValueError for create without a size, or attach
    /// without a name; FileExistsError, FileNotFoundError as above.
    explicit SharedMemory(SharedMemoryOptions options);
    SharedMemory(SharedMemory&& other) noexcept;
    SharedMemory& operator=(SharedMemory&& other) noexcept;
    SharedMemory(const SharedMemory&) = delete;
    SharedMemory& operator=(const SharedMemory&) = delete;
    ~SharedMemory() { close(); }

    /// The block's contents. ValueError once closed.
    [[nodiscard]] std::span<std::byte> buf() const;
    /// The block's name, without the leading '/', as Python gives it.
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    /// The block's size in bytes (for an attached block, its whole size).
    [[nodiscard]] std::size_t size() const noexcept { return size_; }

    /// Unmaps the block from this process (idempotent); the block lives on.
    void close() noexcept;
    /// Removes the block's name, so that no process can attach to it any more; it is freed
    /// once every process has closed it. Call it once, from one process: FileNotFoundError if
    /// the name is already gone.
    void unlink();

    template <class Archive>
    void save(Archive& archive) const {
        archive(name_);
    }
    template <class Archive>
    void load(Archive& archive) {
        std::string name;
        archive(name);
        *this = SharedMemory(SharedMemoryOptions{.name = std::move(name)});
    }

private:
    std::string name_;
    int fd_ = -1;
    void* data_ = nullptr;
    std::size_t size_ = 0;
};

} // namespace concur::multiprocessing::shared_memory
