// What the Thumbnail Maker reads: each source image, where it is and the name its thumbnails
// take.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "thumbnail_maker/tool/options.hpp"

namespace thumbnail_maker {

/// One image to make thumbnails of.
struct Source {
    enum class Kind { file, url, s3 };
    Kind kind = Kind::file;
    /// A path (file), a URL (url: http, https or file) or a bucket key (s3, with `bucket`).
    std::string location;
    std::string bucket;
    /// What the report and errors call it: the path, the URL or s3://bucket/key.
    std::string display;
    /// The stem of its outputs (<stem>_<width>.<ext>), unique among the run's sources.
    std::string stem;
};

/// Every source image the options name, in order: a folder gives its image files (.jpg, .jpeg,
/// .png, .webp, any case; sorted; not recursive), an s3://bucket/prefix every object under the
/// prefix with such a name, a file or URL itself (a missing file is that image's error, found
/// when it is read). Throws std::invalid_argument for an unknown scheme, and the listing's
/// error for a bucket that cannot be listed.
std::vector<Source> list_sources(const Options& options);

/// The stem of a file name or URL path: its last segment without query, fragment and
/// extension, with characters other than letters, digits, '-', '_' and '.' replaced by '_'.
std::string stem_of(std::string_view location);

/// Makes the stems unique in order: a repeat of "x" becomes "x-2", then "x-3"... (a stem
/// already taken by a later source is skipped over).
void make_stems_unique(std::vector<Source>& sources);

/// Whether a file name has one of the image extensions above.
bool has_image_extension(std::string_view name);

} // namespace thumbnail_maker
