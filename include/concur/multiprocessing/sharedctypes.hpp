// multiprocessing.sharedctypes: Value and Array, trivially copyable data in memory shared
// between processes, each with an optional RLock (Python's "synchronized" wrappers).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <cereal/types/optional.hpp>

#include "concur/core/exceptions.hpp"
#include "concur/multiprocessing/detail/shared_block.hpp"
#include "concur/multiprocessing/synchronize.hpp"

namespace concur::multiprocessing {

/// The keyword argument of Value and Array.
struct SharedOptions {
    /// With a lock (an RLock, as Python's default), value() and set_value() take it and
    /// get_lock() returns it; without, the object is Python's RawValue/RawArray.
    bool lock = true;
};

namespace detail {
template <class T>
concept SharedCType = std::is_trivially_copyable_v<T> && std::is_default_constructible_v<T>;

inline RLock& lock_of(std::optional<RLock>& lock) {
    if (!lock) {
        throw RuntimeError("this object was made with lock = false (a RawValue or RawArray): it "
                           "has no lock");
    }
    return *lock;
}
} // namespace detail

/// A T in shared memory (Python's multiprocessing.Value). Copies are handles on the same
/// value, in this process and in fork()ed children; it travels to spawned ones as a Process
/// argument. value() and set_value() are each atomic under the lock; a read-modify-write is
/// not: hold get_lock() around it, as in Python (`with v.get_lock(): v.value += 1`).
template <detail::SharedCType T>
class Value {
public:
    /// A shared T holding `initial`.
    explicit Value(T initial = T{}, SharedOptions options = {}) : block_(sizeof(T)) {
        new (block_.data()) T(initial);
        if (options.lock) {
            lock_.emplace();
        }
    }

    /// The value (read under the lock, if any).
    [[nodiscard]] T value() const {
        auto guard = hold();
        T result{};
        std::memcpy(&result, block_.data(), sizeof(T));
        return result;
    }
    /// Replaces the value (under the lock, if any).
    void set_value(const T& v) {
        auto guard = hold();
        std::memcpy(block_.data(), &v, sizeof(T));
    }
    /// The lock. RuntimeError for a Value made with lock = false.
    [[nodiscard]] RLock& get_lock() { return detail::lock_of(lock_); }
    /// The shared T itself, without locking (Python's get_obj()).
    [[nodiscard]] T& get_obj() const noexcept { return *block_.as<T>(); }

    template <class Archive>
    void serialize(Archive& archive) {
        archive(block_, lock_);
    }

private:
    [[nodiscard]] std::unique_lock<RLock> hold() const {
        return lock_ ? std::unique_lock<RLock>(*lock_) : std::unique_lock<RLock>();
    }
    detail::SharedBlock block_;
    mutable std::optional<RLock> lock_;
};

/// A Value without a lock (Python's RawValue).
template <detail::SharedCType T>
Value<T> RawValue(T initial = T{}) {
    return Value<T>(initial, {.lock = false});
}

/// A fixed-size array of T in shared memory (Python's multiprocessing.Array). Copies are
/// handles on the same array. Element access ([], at, iteration) does not lock: hold
/// get_lock() around it; to_vector() and assign() take the lock themselves. Note that
/// `Array<std::size_t>{5}` is one element 5, `Array<std::size_t>(5)` five zeros.
template <detail::SharedCType T>
class Array {
public:
    /// `size` zero-filled elements.
    explicit Array(std::size_t size = 0, SharedOptions options = {})
        : block_(bytes_for(size)), size_(size) {
        if (options.lock) {
            lock_.emplace();
        }
    }
    /// A copy of `values`.
    Array(std::initializer_list<T> values, SharedOptions options = {})
        : Array(std::span<const T>(values.begin(), values.size()), options) {}
    explicit Array(std::span<const T> values, SharedOptions options = {})
        : Array(values.size(), options) {
        if (!values.empty()) {
            std::memcpy(block_.data(), values.data(), values.size() * sizeof(T));
        }
    }

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] T& operator[](std::size_t i) const noexcept { return data()[i]; }
    /// Element `i`; IndexError (std::out_of_range) past the end.
    [[nodiscard]] T& at(std::size_t i) const {
        if (i >= size_) {
            throw std::out_of_range("array index out of range");
        }
        return data()[i];
    }
    [[nodiscard]] T* begin() const noexcept { return data(); }
    [[nodiscard]] T* end() const noexcept { return data() + size_; }

    /// A copy of the elements, under the lock (Python's arr[:]).
    [[nodiscard]] std::vector<T> to_vector() const {
        auto guard = hold();
        return std::vector<T>(begin(), end());
    }
    /// Replaces the elements with `values`, under the lock (Python's arr[:] = values).
    /// ValueError if the sizes differ.
    void assign(std::span<const T> values) {
        if (values.size() != size_) {
            throw ValueError("can only assign a sequence of the same size");
        }
        auto guard = hold();
        std::copy(values.begin(), values.end(), begin());
    }

    /// The lock. RuntimeError for an Array made with lock = false.
    [[nodiscard]] RLock& get_lock() { return detail::lock_of(lock_); }
    /// The shared elements themselves, without locking (Python's get_obj()).
    [[nodiscard]] std::span<T> get_obj() const noexcept { return {data(), size_}; }

    template <class Archive>
    void serialize(Archive& archive) {
        archive(block_, size_, lock_);
    }

private:
    static std::size_t bytes_for(std::size_t size) {
        if (size > std::numeric_limits<std::size_t>::max() / sizeof(T)) {
            throw ValueError("array size too large");
        }
        return size == 0 ? 1 : size * sizeof(T); // a mapping has at least one byte
    }
    [[nodiscard]] T* data() const noexcept { return block_.as<T>(); }
    [[nodiscard]] std::unique_lock<RLock> hold() const {
        return lock_ ? std::unique_lock<RLock>(*lock_) : std::unique_lock<RLock>();
    }
    detail::SharedBlock block_;
    std::size_t size_ = 0;
    mutable std::optional<RLock> lock_;
};

/// An Array without a lock (Python's RawArray).
template <detail::SharedCType T>
Array<T> RawArray(std::size_t size) {
    return Array<T>(size, {.lock = false});
}

} // namespace concur::multiprocessing
