// One image through the pipeline on the calling thread (the sequential and threads modes):
// fetch, resize with the given function, store; every failure kept in the result.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "thumbnail_maker/tool/run.hpp"
#include "thumbnail_maker/tool/transfer.hpp"

namespace thumbnail_maker {

using ResizeFn = std::function<std::vector<image::Thumbnail>(std::string encoded)>;

/// Fetches `source`, resizes it with `resize_fn`, stores the thumbnails at `destination`.
ImageResult process_blocking(const Options& options, const Destination& destination,
                             const Source& source, const ResizeFn& resize_fn);

/// "Type: message" of the exception being handled, for an image's error.
std::string describe_current_exception();

} // namespace thumbnail_maker
