// threading.local: an object with a separate value in each thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "concur/core/unique_function.hpp"

namespace concur::threading {

namespace detail {

class LocalBase;
struct LocalTable;

// One thread's value of one local, owned by whichever of the two goes first.
struct LocalEntry {
    LocalEntry() = default;
    LocalEntry(const LocalEntry&) = delete;
    LocalEntry& operator=(const LocalEntry&) = delete;
    virtual ~LocalEntry() = default;

    // Set by LocalBase::attach, under the registry's mutex.
    LocalBase* owner = nullptr;
    LocalTable* table = nullptr;
    LocalEntry* prev = nullptr;
    LocalEntry* next = nullptr;
};

template <class T>
struct LocalValue final : LocalEntry {
    template <class F>
    explicit LocalValue(F& make) : value(make()) {}
    T value;
};

// Each thread's values, indexed by the locals' keys. The owning thread reads its slots
// without a lock; slots are stored with the registry's mutex held, by the owning thread (a new
// value) or by a local's destructor (nullptr). Relaxed loads suffice: a thread sees its own
// stores in program order, and a local is only used after the constructor that took its key,
// which happens after the destructor that cleared that key from every table (both hold the
// mutex).
struct LocalTable {
    std::atomic<LocalEntry*>* slots = nullptr;
    std::size_t size = 0;
    bool registered = false; // a thread-exit cleanup is pending for this thread
};

extern thread_local constinit LocalTable local_table;

// The type-independent part of local<T>: its key, and the list of its values in every thread.
class LocalBase {
public:
    LocalBase();
    LocalBase(const LocalBase&) = delete;
    LocalBase& operator=(const LocalBase&) = delete;
    ~LocalBase();

protected:
    [[nodiscard]] LocalEntry* find() const noexcept {
        const LocalTable& table = local_table;
        return key_ < table.size ? table.slots[key_].load(std::memory_order_relaxed) : nullptr;
    }

    // Installs `entry` (taking ownership) as the calling thread's value and returns the value
    // in force: another one if the factory made one meanwhile, in which case `entry` is deleted.
    LocalEntry* attach(LocalEntry* entry);

private:
    friend struct LocalRegistry;

    const std::size_t key_;
    LocalEntry* head_ = nullptr; // this local's values, in every thread
    std::size_t pending_ = 0;    // values an exiting thread has taken but not yet destroyed
};

/// Destroys the calling thread's values of every local now instead of at thread exit (later
/// accesses make new ones). For Thread, so that join() can return after them, as in CPython.
void release_thread_locals() noexcept;

} // namespace detail

/// Thread-local data (Python's threading.local), as an object: each thread that uses it sees
/// its own T, made on that thread's first access, by default construction or by the factory
/// given to the constructor. A thread's value is destroyed when the thread exits or when the
/// local is destroyed, whichever comes first.
template <class T>
class local : private detail::LocalBase {
public:
    /// Each thread's value is a default-constructed T.
    local() requires std::is_default_constructible_v<T> : make_([] { return T(); }) {}

    /// Each thread's value is `factory()`, called in that thread on its first access (the
    /// `__init__` of a threading.local subclass). It may be called from several threads at once.
    explicit local(UniqueFunction<T()> factory) : make_(std::move(factory)) {}

    /// The calling thread's value, made now if this is its first access. Rethrows what the
    /// factory throws, and then tries again at the next access.
    T& get() {
        if (detail::LocalEntry* entry = find()) {
            return static_cast<detail::LocalValue<T>*>(entry)->value;
        }
        return make();
    }
    T& operator*() { return get(); }
    T* operator->() { return &get(); }

private:
    T& make() {
        auto* fresh = new detail::LocalValue<T>(make_);
        return static_cast<detail::LocalValue<T>*>(attach(fresh))->value;
    }

    UniqueFunction<T()> make_;
};

} // namespace concur::threading
