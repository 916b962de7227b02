#include <chrono>
#include <exception>
#include <typeinfo>

#include <concur/core/exceptions.hpp>

#include "thumbnail_maker/tool/steps.hpp"

namespace thumbnail_maker {

std::string describe_current_exception() {
    try {
        throw;
    } catch (const concur::BaseException& e) {
        return e.what();
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown error";
    }
}

ImageResult process_blocking(const Options& options, const Destination& destination,
                             const Source& source, const ResizeFn& resize_fn) {
    const auto t0 = std::chrono::steady_clock::now();
    ImageResult result;
    result.source = source.display;
    try {
        std::string encoded = fetch_blocking(options, source);
        result.bytes_in = encoded.size();
        const std::vector<image::Thumbnail> thumbnails = resize_fn(std::move(encoded));
        result.outputs = store_blocking(options, destination, source, thumbnails);
        result.ok = true;
    } catch (...) {
        result.error = describe_current_exception();
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
}

} // namespace thumbnail_maker
