// The input iterator of the ranges that wait for results one at a time (as_completed, map's
// results): each step asks the range itself, which holds the state.
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <type_traits>

namespace concur::futures::detail {

/// An input iterator over `Owner`, which gives current() (a reference: `Ref`), advance() and
/// exhausted(); end() is std::default_sentinel.
template <class Owner, class Ref>
class PullIterator {
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = std::remove_cvref_t<Ref>;
    using difference_type = std::ptrdiff_t;

    PullIterator() = default;
    explicit PullIterator(Owner* owner) noexcept : owner_(owner) {}

    Ref operator*() const { return owner_->current(); }
    std::add_pointer_t<Ref> operator->() const { return std::addressof(owner_->current()); }
    PullIterator& operator++() {
        owner_->advance();
        return *this;
    }
    void operator++(int) { owner_->advance(); }
    friend bool operator==(const PullIterator& it, std::default_sentinel_t /*end*/) noexcept {
        return it.at_end();
    }

private:
    // A member, so that the owner's friendship reaches it (the operator above is not one).
    [[nodiscard]] bool at_end() const noexcept { return owner_->exhausted(); }

    Owner* owner_ = nullptr;
};

} // namespace concur::futures::detail
