#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "thumbnail_maker/tool/sources.hpp"

namespace thumbnail_maker {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

void add_folder(const std::filesystem::path& folder, std::vector<Source>& out) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && has_image_extension(name)) {
            names.push_back(name);
        }
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
        const std::string path = (folder / name).string();
        out.push_back({.kind = Source::Kind::file,
                       .location = path,
                       .bucket = {},
                       .display = path,
                       .stem = stem_of(name)});
    }
}

} // namespace

void resolve_s3(Options& options) {
    bool any = s3::parse_url(options.output).has_value();
    for (const std::string& s : options.sources) {
        any = any || s3::parse_url(s).has_value();
    }
    if (any) {
        options.s3 = s3::config_from_env(options.endpoint);
    }
}

std::vector<Source> list_sources(const Options& options) {
    std::vector<Source> out;
    for (const std::string& s : options.sources) {
        if (starts_with(s, "http://") || starts_with(s, "https://") || starts_with(s, "file://")) {
            out.push_back({.kind = Source::Kind::url,
                           .location = s,
                           .bucket = {},
                           .display = s,
                           .stem = stem_of(s)});
        } else if (const auto location = s3::parse_url(s)) {
            if (!options.s3) {
                throw std::invalid_argument("no S3 configuration for " + s);
            }
            for (const s3::Object& object :
                 s3::list_objects(*options.s3, *location, options.timeout)) {
                if (has_image_extension(object.key)) {
                    out.push_back({.kind = Source::Kind::s3,
                                   .location = object.key,
                                   .bucket = location->bucket,
                                   .display = "s3://" + location->bucket + "/" + object.key,
                                   .stem = stem_of(object.key)});
                }
            }
        } else if (s.find("://") != std::string::npos) {
            throw std::invalid_argument("unknown source '" + s +
                                        "': a folder, a file, an http(s):// or file:// URL, or "
                                        "s3://bucket/prefix");
        } else if (std::filesystem::is_directory(s)) {
            add_folder(s, out);
        } else {
            // A file that is missing or unreadable is that image's error, reported with the
            // others: the run goes on.
            out.push_back({.kind = Source::Kind::file,
                           .location = s,
                           .bucket = {},
                           .display = s,
                           .stem = stem_of(s)});
        }
    }
    make_stems_unique(out);
    return out;
}

} // namespace thumbnail_maker
