// Response headers: a case-insensitive multi-dictionary (aiohttp's CIMultiDictProxy).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace concur::http {

/// Header names and values in the order received; lookups ignore the case of the name, and a
/// name may appear more than once (Set-Cookie).
class CIMultiDict {
public:
    using value_type = std::pair<std::string, std::string>;

    /// Appends a header.
    void add(std::string name, std::string value);
    /// The first value of `name`; KeyError if there is none.
    [[nodiscard]] const std::string& operator[](std::string_view name) const;
    /// The first value of `name`, or std::nullopt (Python's headers.get(name)).
    [[nodiscard]] std::optional<std::string> get(std::string_view name) const;
    /// Every value of `name`, in order.
    [[nodiscard]] std::vector<std::string> getall(std::string_view name) const;
    [[nodiscard]] bool contains(std::string_view name) const;
    [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
    [[nodiscard]] bool empty() const noexcept { return items_.empty(); }
    void clear() noexcept { items_.clear(); }
    [[nodiscard]] auto begin() const noexcept { return items_.begin(); }
    [[nodiscard]] auto end() const noexcept { return items_.end(); }

private:
    [[nodiscard]] const std::string* find(std::string_view name) const noexcept;
    std::vector<value_type> items_;
};

} // namespace concur::http
