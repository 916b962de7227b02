// A move-only std::function: holds any callable, including ones that capture move-only state
// (a unique_ptr, a promise), which std::function cannot.
#pragma once

#include <cstddef>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

namespace concur {

template <class Signature>
class UniqueFunction;

/// A type-erased, move-only callable with signature R(Args...). Small callables (up to three
/// pointers) are stored inline; larger ones on the heap.
template <class R, class... Args>
class UniqueFunction<R(Args...)> {
    static constexpr std::size_t kInline = 3 * sizeof(void*);

    struct Ops {
        R (*call)(void* self, Args&&... args);
        void (*move)(void* dst, void* src) noexcept; // move-constructs dst from src, destroys src
        void (*destroy)(void* self) noexcept;
    };

    template <class F>
    static constexpr bool fits_inline =
        sizeof(F) <= kInline &&
        alignof(F) <= alignof(std::max_align_t) && std::is_nothrow_move_constructible_v<F>;

    template <class F>
    static constexpr Ops inline_ops = {
        [](void* self, Args&&... args) -> R {
            return std::invoke(*static_cast<F*>(self), std::forward<Args>(args)...);
        },
        [](void* dst, void* src) noexcept {
            ::new (dst) F(std::move(*static_cast<F*>(src)));
            static_cast<F*>(src)->~F();
        },
        [](void* self) noexcept { static_cast<F*>(self)->~F(); },
    };

    template <class F>
    static constexpr Ops heap_ops = {
        [](void* self, Args&&... args) -> R {
            return std::invoke(**static_cast<F**>(self), std::forward<Args>(args)...);
        },
        [](void* dst, void* src) noexcept { *static_cast<F**>(dst) = *static_cast<F**>(src); },
        [](void* self) noexcept { delete *static_cast<F**>(self); },
    };

public:
    UniqueFunction() noexcept = default;
    UniqueFunction(std::nullptr_t) noexcept {}

    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, UniqueFunction> &&
             std::is_invocable_r_v<R, std::decay_t<F>&, Args...>)
        UniqueFunction(F&& f) { // NOLINT(google-explicit-constructor): a callable converts, as to
                                // std::function
        using Fn = std::decay_t<F>;
        if constexpr (fits_inline<Fn>) {
            ::new (static_cast<void*>(buf_)) Fn(std::forward<F>(f));
            ops_ = &inline_ops<Fn>;
        } else {
            *reinterpret_cast<Fn**>(buf_) = new Fn(std::forward<F>(f));
            ops_ = &heap_ops<Fn>;
        }
    }

    UniqueFunction(UniqueFunction&& other) noexcept : ops_(other.ops_) {
        if (ops_ != nullptr) {
            ops_->move(buf_, other.buf_);
            other.ops_ = nullptr;
        }
    }

    UniqueFunction& operator=(UniqueFunction&& other) noexcept {
        if (this != &other) {
            reset();
            if (other.ops_ != nullptr) {
                other.ops_->move(buf_, other.buf_);
                ops_ = std::exchange(other.ops_, nullptr);
            }
        }
        return *this;
    }

    UniqueFunction(const UniqueFunction&) = delete;
    UniqueFunction& operator=(const UniqueFunction&) = delete;

    ~UniqueFunction() { reset(); }

    /// Calls the held callable; precondition: not empty.
    R operator()(Args... args) const {
        return ops_->call(const_cast<unsigned char*>(buf_), std::forward<Args>(args)...);
    }

    explicit operator bool() const noexcept { return ops_ != nullptr; }

    /// Destroys the held callable, leaving this empty.
    void reset() noexcept {
        if (ops_ != nullptr) {
            ops_->destroy(buf_);
            ops_ = nullptr;
        }
    }

private:
    alignas(std::max_align_t) unsigned char buf_[kInline]{};
    const Ops* ops_ = nullptr;
};

} // namespace concur
