// The Thumbnail Maker's pipeline: fetch each source, make its thumbnails, store them, in one of
// three modes; and what a run reports.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "thumbnail_maker/tool/options.hpp"
#include "thumbnail_maker/tool/sources.hpp"

namespace thumbnail_maker {

/// One stored thumbnail.
struct OutputFile {
    int width = 0;
    int height = 0;
    std::size_t bytes = 0;
    std::string location; // the path or URL it was stored at
};

/// What happened to one source.
struct ImageResult {
    std::string source; // Source::display
    bool ok = false;
    std::string error; // why it failed, when !ok
    std::size_t bytes_in = 0;
    std::vector<OutputFile> outputs;
    double seconds = 0; // from the start of its fetch to the end of its store
};

/// A whole run: every source's result (in the order they finished) and the totals.
struct RunResult {
    std::vector<ImageResult> images;
    double seconds = 0;
    bool interrupted = false; // stopped by Ctrl-C: the sources not reached have no result
};

/// Makes the thumbnails of every source with options.mode; never throws for one image's
/// failure (it is in that image's result). Throws std::invalid_argument for bad options.
RunResult run(const Options& options, const std::vector<Source>& sources);

RunResult run_sequential(const Options& options, const std::vector<Source>& sources);
RunResult run_threads(const Options& options, const std::vector<Source>& sources);
RunResult run_asyncio(const Options& options, const std::vector<Source>& sources);

/// Prints the summary (images, failures and their errors, bytes in and out, seconds, images/s);
/// returns the exit status: 0 all succeeded, 1 some failed, 130 interrupted.
int print_summary(const Options& options, const RunResult& result);

/// Writes the JSON report: {"summary": {...}, "images": [{source, ok, error, bytes_in,
/// outputs: [{width, height, bytes, location}], seconds}...]}, to a temporary name then renamed.
void write_report(const std::string& path, const Options& options, const RunResult& result);

} // namespace thumbnail_maker
