// Output names: a stem per source, unique within the run.
#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include "thumbnail_maker/tool/sources.hpp"

namespace thumbnail_maker {

namespace {
std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}
} // namespace

bool has_image_extension(std::string_view name) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos) {
        return false;
    }
    const std::string ext = lower(name.substr(dot + 1));
    return ext == "jpg" || ext == "jpeg" || ext == "png" || ext == "webp";
}

std::string stem_of(std::string_view location) {
    std::string_view s = location;
    if (const auto scheme = s.find("://"); scheme != std::string_view::npos) {
        s.remove_prefix(scheme + 3);
        if (const auto cut = s.find_first_of("?#"); cut != std::string_view::npos) {
            s = s.substr(0, cut);
        }
    }
    while (!s.empty() && s.back() == '/') {
        s.remove_suffix(1);
    }
    if (const auto slash = s.rfind('/'); slash != std::string_view::npos) {
        s.remove_prefix(slash + 1);
    }
    if (const auto dot = s.rfind('.'); dot != std::string_view::npos && dot > 0) {
        s = s.substr(0, dot);
    }
    std::string stem;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        stem += (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.') ? c : '_';
    }
    // Hidden or empty names would make hidden or odd outputs.
    if (stem.empty() || stem.front() == '.') {
        stem.insert(0, "image");
    }
    return stem;
}

void make_stems_unique(std::vector<Source>& sources) {
    std::set<std::string> wanted;
    for (const Source& s : sources) {
        wanted.insert(s.stem);
    }
    std::set<std::string> taken;
    for (Source& s : sources) {
        if (taken.insert(s.stem).second) {
            continue;
        }
        for (int n = 2;; ++n) {
            std::string candidate = s.stem + "-" + std::to_string(n);
            if (wanted.count(candidate) == 0 && taken.insert(candidate).second) {
                s.stem = std::move(candidate);
                break;
            }
        }
    }
}

} // namespace thumbnail_maker
