#include "concur/selectors/base_selector.hpp"

#include <string>

#include "concur/core/exceptions.hpp"

namespace concur::selectors {

namespace {

void check_events(std::uint32_t events) {
    if (events == 0 || (events & ~(EVENT_READ | EVENT_WRITE)) != 0) {
        throw ValueError("Invalid events: " + std::to_string(events));
    }
}

void check_fd(int fd) {
    if (fd < 0) {
        throw ValueError("Invalid file descriptor: " + std::to_string(fd));
    }
}

[[noreturn]] void not_registered(int fd) {
    throw KeyError("fd " + std::to_string(fd) + " is not registered");
}

} // namespace

// SelectorMapping

std::size_t SelectorMapping::size() const noexcept {
    return selector_->count_;
}

bool SelectorMapping::contains(int fd) const noexcept {
    return selector_->key_from_fd(fd) != nullptr;
}

std::optional<SelectorKey> SelectorMapping::get(int fd) const noexcept {
    const detail::KeySlot* slot = selector_->key_from_fd(fd);
    if (slot == nullptr) {
        return std::nullopt;
    }
    return SelectorKey{fd, slot->events, slot->data};
}

SelectorKey SelectorMapping::operator[](int fd) const {
    const detail::KeySlot* slot = selector_->key_from_fd(fd);
    if (slot == nullptr) {
        not_registered(fd);
    }
    return {fd, slot->events, slot->data};
}

SelectorMapping::iterator SelectorMapping::begin() const noexcept {
    return {selector_->slots_, 0};
}

SelectorMapping::iterator SelectorMapping::end() const noexcept {
    return {selector_->slots_, selector_->slots_.size()};
}

// BaseSelector

BaseSelector::~BaseSelector() = default;

void BaseSelector::check_open() const {
    if (closed_) {
        throw RuntimeError("Selector is closed");
    }
}

detail::KeySlot& BaseSelector::slot_of(int fd) {
    check_fd(fd);
    const auto index = static_cast<std::size_t>(fd);
    if (index >= slots_.size() || slots_[index].events == 0) {
        not_registered(fd);
    }
    return slots_[index];
}

SelectorKey BaseSelector::register_(int fd, std::uint32_t events, void* data) {
    check_open();
    check_events(events);
    check_fd(fd);
    const auto index = static_cast<std::size_t>(fd);
    if (index < slots_.size() && slots_[index].events != 0) {
        throw KeyError("fd " + std::to_string(fd) + " is already registered");
    }
    if (index >= slots_.size()) {
        slots_.resize(index + 1); // before the system call, so that nothing throws after it
    }
    do_register(fd, events);
    slots_[index] = {events, data};
    ++count_;
    return {fd, events, data};
}

SelectorKey BaseSelector::unregister(int fd) {
    check_open();
    detail::KeySlot& slot = slot_of(fd);
    const SelectorKey key{fd, slot.events, slot.data};
    slot = {};
    --count_;
    do_unregister(fd);
    return key;
}

SelectorKey BaseSelector::modify(int fd, std::uint32_t events, void* data) {
    check_open();
    detail::KeySlot& slot = slot_of(fd);
    check_events(events);
    if (events != slot.events) {
        try {
            do_modify(fd, events);
        } catch (...) {
            // As CPython (bpo-30014): a registration the system no longer accepts is dropped,
            // from the kernel too, so it cannot keep reporting an fd the table has forgotten.
            slot = {};
            --count_;
            do_unregister(fd);
            throw;
        }
    }
    slot = {events, data};
    return {fd, events, data};
}

std::vector<std::pair<SelectorKey, std::uint32_t>> BaseSelector::select(Timeout timeout) {
    select(timeout, scratch_);
    std::vector<std::pair<SelectorKey, std::uint32_t>> result;
    result.reserve(scratch_.size());
    for (const Ready& ready : scratch_) {
        const detail::KeySlot* slot = key_from_fd(ready.fd);
        result.emplace_back(SelectorKey{ready.fd, slot->events, slot->data}, ready.events);
    }
    return result;
}

std::size_t BaseSelector::select(Timeout timeout, std::vector<Ready>& out) {
    check_open();
    out.clear();
    return do_select(timeout, out);
}

void BaseSelector::close() noexcept {
    if (closed_) {
        return;
    }
    closed_ = true;
    // Emptied, not only cleared: a closed selector keeps no memory (clear() keeps capacity).
    std::vector<detail::KeySlot>().swap(slots_);
    std::vector<Ready>().swap(scratch_);
    count_ = 0;
    do_close();
}

SelectorKey BaseSelector::get_key(int fd) const {
    check_open();
    check_fd(fd);
    const detail::KeySlot* slot = key_from_fd(fd);
    if (slot == nullptr) {
        not_registered(fd);
    }
    return {fd, slot->events, slot->data};
}

} // namespace concur::selectors
