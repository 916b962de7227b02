#include "concur/http/headers.hpp"

#include <strings.h>

#include "concur/core/exceptions.hpp"

namespace concur::http {

namespace {
bool iequal(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}
} // namespace

void CIMultiDict::add(std::string name, std::string value) {
    items_.emplace_back(std::move(name), std::move(value));
}

const std::string* CIMultiDict::find(std::string_view name) const noexcept {
    for (const auto& [n, v] : items_) {
        if (iequal(n, name)) {
            return &v;
        }
    }
    return nullptr;
}

const std::string& CIMultiDict::operator[](std::string_view name) const {
    const std::string* v = find(name);
    if (v == nullptr) {
        throw KeyError(std::string(name));
    }
    return *v;
}

std::optional<std::string> CIMultiDict::get(std::string_view name) const {
    const std::string* v = find(name);
    return v == nullptr ? std::nullopt : std::optional<std::string>(*v);
}

std::vector<std::string> CIMultiDict::getall(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [n, v] : items_) {
        if (iequal(n, name)) {
            out.push_back(v);
        }
    }
    return out;
}

bool CIMultiDict::contains(std::string_view name) const {
    return find(name) != nullptr;
}

} // namespace concur::http
