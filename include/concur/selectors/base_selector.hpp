// selectors.BaseSelector: registrations of file descriptors, and the wait for their readiness.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

#include "concur/core/timeout.hpp"

namespace concur::selectors {

/// Available for read (Python's selectors.EVENT_READ).
inline constexpr std::uint32_t EVENT_READ = 1;

/// Available for write (Python's selectors.EVENT_WRITE).
inline constexpr std::uint32_t EVENT_WRITE = 2;

/// A registered file descriptor, the events it is watched for and the data attached to it
/// (Python's SelectorKey; the file object is the fd itself, and data an opaque pointer).
struct SelectorKey {
    int fd = -1;
    std::uint32_t events = 0;
    void* data = nullptr;

    friend bool operator==(const SelectorKey&, const SelectorKey&) = default;
};

/// One ready file descriptor, as the buffer form of select() reports it: the events ready
/// among those registered, and the key's data when select() returned. If handling one entry
/// unregisters or modifies another fd of the same batch, that entry's data may be stale:
/// check it with get_map().contains(fd) (one indexed load) before using it.
struct Ready {
    int fd = -1;
    std::uint32_t events = 0;
    void* data = nullptr;

    friend bool operator==(const Ready&, const Ready&) = default;
};

class BaseSelector;

namespace detail {

// A registration as the fd-indexed table keeps it; events == 0 marks a free slot, since a
// registered fd always watches at least one event.
struct KeySlot {
    std::uint32_t events = 0;
    void* data = nullptr;
};

} // namespace detail

/// A read-only view of a selector's registrations, by fd (Python's get_map()). It reads the
/// selector live: it sees later registrations, is empty once the selector is closed, and must
/// not outlive the selector. Registering or unregistering invalidates its iterators.
class SelectorMapping {
public:
    /// Iterates over the keys in increasing fd order.
    class iterator {
    public:
        using iterator_concept = std::forward_iterator_tag;
        using iterator_category = std::input_iterator_tag; // operator* returns a value
        using value_type = SelectorKey;
        using difference_type = std::ptrdiff_t;
        using reference = SelectorKey;

        iterator() = default;

        SelectorKey operator*() const noexcept {
            const detail::KeySlot& slot = (*slots_)[index_];
            return {static_cast<int>(index_), slot.events, slot.data};
        }
        iterator& operator++() noexcept {
            index_ = next(*slots_, index_ + 1);
            return *this;
        }
        iterator operator++(int) noexcept {
            iterator before = *this;
            ++*this;
            return before;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.index_ == b.index_;
        }

    private:
        friend class SelectorMapping;
        iterator(const std::vector<detail::KeySlot>& slots, std::size_t index) noexcept
            : slots_(&slots), index_(next(slots, index)) {}

        // The first registered slot at or after `index`, or slots.size().
        static std::size_t next(const std::vector<detail::KeySlot>& slots,
                                std::size_t index) noexcept {
            while (index < slots.size() && slots[index].events == 0) {
                ++index;
            }
            return index;
        }

        const std::vector<detail::KeySlot>* slots_ = nullptr;
        std::size_t index_ = 0;
    };

    /// The number of registered fds (Python's len()).
    [[nodiscard]] std::size_t size() const noexcept;

    /// True if no fd is registered.
    [[nodiscard]] bool empty() const noexcept { return size() == 0; }

    /// True if `fd` is registered (Python's `fd in mapping`); false for a negative fd.
    [[nodiscard]] bool contains(int fd) const noexcept;

    /// The key of `fd`, or std::nullopt if it is not registered (Python's mapping.get(fd)).
    [[nodiscard]] std::optional<SelectorKey> get(int fd) const noexcept;

    /// The key of `fd` (Python's mapping[fd]); KeyError if it is not registered.
    SelectorKey operator[](int fd) const;

    [[nodiscard]] iterator begin() const noexcept;
    [[nodiscard]] iterator end() const noexcept;

private:
    friend class BaseSelector;
    explicit SelectorMapping(const BaseSelector& selector) noexcept : selector_(&selector) {}

    const BaseSelector* selector_;
};

/// Watches file descriptors for read and write readiness (Python's selectors.BaseSelector,
/// with the key table of CPython's _BaseSelectorImpl). A concrete selector (EpollSelector,
/// PollSelector, or a test's fake) supplies the system side through the do_* hooks.
///
/// Not thread-safe, like Python's: one thread at a time uses a selector. To interrupt a
/// select() from another thread, register a Waker's fd on it.
class BaseSelector {
public:
    BaseSelector(const BaseSelector&) = delete;
    BaseSelector& operator=(const BaseSelector&) = delete;
    virtual ~BaseSelector();

    /// Registers `fd` for `events` (EVENT_READ | EVENT_WRITE) with `data` attached and returns
    /// its key. ValueError for an invalid mask or a negative fd, KeyError if `fd` is already
    /// registered, OSError if the system refuses it (a closed fd; for epoll, a regular file).
    SelectorKey register_(int fd, std::uint32_t events, void* data = nullptr);

    /// Unregisters `fd` and returns its key; KeyError if it is not registered. Unregister an fd
    /// before closing it; one closed since it was registered still unregisters without error.
    SelectorKey unregister(int fd);

    /// Changes the events or data of the registered `fd`, as unregister() then register_()
    /// would, more cheaply; returns the new key. ValueError for an invalid mask, KeyError if
    /// `fd` is not registered; if the system refuses, `fd` is unregistered and OSError thrown.
    SelectorKey modify(int fd, std::uint32_t events, void* data = nullptr);

    /// Waits until some registered fds are ready or `timeout` passes (<= 0: does not block;
    /// std::nullopt: waits forever); returns a (key, ready events) pair per ready fd. A signal
    /// neither ends the wait early nor extends it.
    std::vector<std::pair<SelectorKey, std::uint32_t>> select(Timeout timeout = std::nullopt);

    /// select() for an event loop: fills `out` (cleared first, its capacity reused) and returns
    /// its size. A timeout <= 0 reads no clock and makes at most one system call.
    std::size_t select(Timeout timeout, std::vector<Ready>& out);

    /// Closes the selector and frees its system resources; it must not be used afterwards
    /// (every call but close() and get_map() is a RuntimeError). Closing twice is harmless.
    void close() noexcept;

    /// The key of the registered `fd`. KeyError if it is not registered, ValueError for a
    /// negative fd, RuntimeError once the selector is closed.
    [[nodiscard]] SelectorKey get_key(int fd) const;

    /// A read-only, live view of the registrations by fd (Python's get_map()).
    [[nodiscard]] SelectorMapping get_map() const noexcept { return SelectorMapping(*this); }

protected:
    BaseSelector() = default;

    /// Starts watching `fd` for `events` in the system; throws (OSError) if it refuses. The key
    /// table is updated by the caller, after success.
    virtual void do_register(int fd, std::uint32_t events) = 0;

    /// Changes the events watched on registered `fd`; throws (OSError) if the system refuses.
    /// Called only when the events change.
    virtual void do_modify(int fd, std::uint32_t events) = 0;

    /// Stops watching `fd`; ignores system errors (the fd may have been closed meanwhile).
    virtual void do_unregister(int fd) noexcept = 0;

    /// Waits as select() does and appends to `out` (already empty) one entry per ready fd,
    /// with the ready events masked by the key's; returns out.size(). The selector is open.
    virtual std::size_t do_select(Timeout timeout, std::vector<Ready>& out) = 0;

    /// Frees the system resources. Called once, by close().
    virtual void do_close() noexcept = 0;

    /// The registration of `fd`, or nullptr (CPython's _key_from_fd), for do_select().
    [[nodiscard]] const detail::KeySlot* key_from_fd(int fd) const noexcept {
        const auto index = static_cast<std::size_t>(fd);
        if (fd < 0 || index >= slots_.size() || slots_[index].events == 0) {
            return nullptr;
        }
        return &slots_[index];
    }

    /// The number of registered fds.
    [[nodiscard]] std::size_t registered() const noexcept { return count_; }

private:
    friend class SelectorMapping;

    void check_open() const;
    detail::KeySlot& slot_of(int fd); // KeyError if `fd` is not registered

    // The key table, indexed by fd: fds are small dense integers, so this is one load per
    // lookup in select(), where CPython hashes into a dict.
    std::vector<detail::KeySlot> slots_;
    std::size_t count_ = 0;
    bool closed_ = false;
    std::vector<Ready> scratch_; // for the allocating select(), so it allocates only its result
};

} // namespace concur::selectors
