// Where the bytes come from and go to: sources read or downloaded, thumbnails written to a
// folder or uploaded. The HTTP side is a Request (URL + options) so that the blocking modes and
// the asyncio mode send exactly the same requests.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <concur/http/options.hpp>
#include <concur/http/response.hpp>

#include "thumbnail_maker/image/thumbnails.hpp"
#include "thumbnail_maker/tool/options.hpp"
#include "thumbnail_maker/tool/run.hpp"
#include "thumbnail_maker/tool/sources.hpp"

namespace thumbnail_maker {

/// Where outputs go: a folder, or a base URL each output is PUT below (http(s) or S3).
struct Destination {
    enum class Kind { folder, url, s3 };
    Kind kind = Kind::folder;
    std::string base;   // the folder, the base URL (ending in '/'), or the key prefix
    std::string bucket; // s3
};

/// Reads options.output; creates a local folder (with parents). Throws std::invalid_argument
/// for an output that cannot be used.
Destination make_destination(const Options& options);

/// One HTTP request the pipeline sends.
struct Request {
    std::string url;
    concur::http::RequestOptions options;
};

/// The GET of a url or s3 source.
Request fetch_request(const Options& options, const Source& source);
/// The PUT of one output file named `name` below an url or s3 destination.
Request store_request(const Options& options, const Destination& destination,
                      const std::string& name, std::string body);
/// The body of a fetch's response; raises for an error status (404 included).
std::string fetched_body(const concur::http::Response& response);
/// raise_for_status() of a PUT.
void check_stored(const concur::http::Response& response);

/// The bytes of a file source (blocking); throws concur::OSError naming the path.
std::string read_file(const std::string& path);
/// The bytes of any source, on the calling thread (the sequential and threads modes).
std::string fetch_blocking(const Options& options, const Source& source);

/// The output file name of one thumbnail: <stem>_<width>.<ext>.
std::string output_name(const Options& options, const Source& source, int width);

/// Writes every thumbnail of one source into `folder`, all or nothing: each to a temporary
/// name first, renamed only once all are written; on a failure the temporaries are removed and
/// concur::OSError says which file and why (a full disk: ENOSPC).
std::vector<OutputFile> store_in_folder(const Options& options, const std::string& folder,
                                        const Source& source,
                                        const std::vector<image::Thumbnail>& thumbnails);
/// Uploads every thumbnail of one source (blocking), one PUT each.
std::vector<OutputFile> store_blocking(const Options& options, const Destination& destination,
                                       const Source& source,
                                       const std::vector<image::Thumbnail>& thumbnails);

} // namespace thumbnail_maker
