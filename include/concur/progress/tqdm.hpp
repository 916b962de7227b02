// concur::progress::tqdm: wraps any range and counts its items on a Bar as they are reached
// (`for (auto& f : progress::tqdm(as_completed(fs), {.total = n}))`).
#pragma once

#include <iterator>
#include <type_traits>
#include <utility>

#include "concur/progress/bar.hpp"

namespace concur::progress {

/// tqdm(iterable, total=..., desc=..., unit=...): iterating it iterates the range and
/// advances the bar after each item, closing it at the end. The total defaults to the range's
/// size when it has one. Holds the range (by reference for an lvalue, moved in for an rvalue).
template <class R>
class tqdm {
    // Any range-for range will do (not only std::ranges::input_range: as_completed's is not).
    using It = decltype(std::begin(std::declval<std::remove_reference_t<R>&>()));
    using Sent = decltype(std::end(std::declval<std::remove_reference_t<R>&>()));

public:
    explicit tqdm(R&& range, TqdmOptions options = {})
        : range_(std::forward<R>(range)), bar_(with_total(range_, std::move(options))) {}

    class iterator {
    public:
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        iterator(It it, Bar* bar) : it_(std::move(it)), bar_(bar) {}
        decltype(auto) operator*() const { return *it_; }
        iterator& operator++() {
            ++it_;
            bar_->update(1);
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& a, const Sent& s) { return a.it_ == s; }

    private:
        It it_;
        Bar* bar_ = nullptr;
    };

    iterator begin() { return iterator(std::begin(range_), &bar_); }
    Sent end() { return std::end(range_); }
    /// The display, for update()/write()/set_description() by hand.
    Bar& bar() noexcept { return bar_; }

private:
    static TqdmOptions with_total(R& range, TqdmOptions options) {
        if constexpr (requires { std::size(range); }) {
            if (!options.total) {
                options.total = static_cast<std::size_t>(std::size(range));
            }
        }
        return options;
    }

    R range_;
    Bar bar_;
};

template <class R>
tqdm(R&&, TqdmOptions = {}) -> tqdm<R>;

} // namespace concur::progress
