// Outcome<T>: a value or the exception that took its place (what gather(return_exceptions)
// returns for each awaitable).
#pragma once

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace concur {

/// Either a T or an exception (Python returns the exception object in the value's place).
/// `Outcome<void>` holds std::monostate or an exception.
template <class T>
class Outcome {
public:
    using value_type = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

    Outcome(value_type value) : v_(std::in_place_index<0>, std::move(value)) {}     // NOLINT
    Outcome(std::exception_ptr exc) : v_(std::in_place_index<1>, std::move(exc)) {} // NOLINT

    /// True if this holds a value.
    [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    /// The value; rethrows the exception if this holds one.
    value_type& value() {
        if (!has_value()) {
            std::rethrow_exception(std::get<1>(v_));
        }
        return std::get<0>(v_);
    }
    const value_type& value() const {
        if (!has_value()) {
            std::rethrow_exception(std::get<1>(v_));
        }
        return std::get<0>(v_);
    }

    /// The exception, or null if this holds a value.
    [[nodiscard]] std::exception_ptr exception() const noexcept {
        return has_value() ? nullptr : std::get<1>(v_);
    }

private:
    std::variant<value_type, std::exception_ptr> v_;
};

} // namespace concur
