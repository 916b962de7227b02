// The Thumbnail Maker's command line, as one struct the modes read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "thumbnail_maker/image/thumbnails.hpp"
#include "thumbnail_maker/tool/s3.hpp"

namespace thumbnail_maker {

/// The folder of photographs `thumbnail-maker` reads when given no source: Debian's
/// mate-backgrounds package (installed by scripts/install-deps.sh).
inline constexpr const char* kDefaultSource = "/usr/share/backgrounds/mate/nature";
inline constexpr const char* kDefaultOutput = "out/thumbnails";

struct Options {
    /// Folders, image files, URLs (http://, https://, file://) and s3://bucket/prefix.
    std::vector<std::string> sources;
    /// A folder, an http(s):// folder URL (each file PUT below it) or s3://bucket/prefix.
    std::string output = kDefaultOutput;
    image::ThumbnailOptions thumbnails{.widths = {64, 256, 1024}};
    std::string mode = "asyncio"; // sequential, threads or asyncio
    int workers = 0;              // resize processes; 0: cpu_count()
    int downloads = 8;            // transfers at once (threads, asyncio)
    double timeout = 30;          // seconds per transfer
    std::string endpoint;         // S3 endpoint URL; empty: from the environment
    std::string report;           // JSON report file; empty: none
    bool progress = true;
    /// The S3 store's endpoint and credentials: set (resolve_s3()) when a source or the
    /// output is s3://.
    std::optional<s3::Config> s3 = std::nullopt;
};

/// Sets options.s3 from the environment and options.endpoint if a source or the output is
/// an s3:// URL; throws std::invalid_argument if the credentials are missing.
void resolve_s3(Options& options);

} // namespace thumbnail_maker
