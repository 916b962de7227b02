#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <concur/core/exceptions.hpp>
#include <concur/http/blocking.hpp>

#include "thumbnail_maker/tool/transfer.hpp"

namespace thumbnail_maker {

namespace {

// Python's OSError text: "[Errno 28] No space left on device: 'out/x_64.jpg'".
[[noreturn]] void raise_errno(int error, const std::string& path) {
    concur::raise_os_error(error, "[Errno " + std::to_string(error) + "] " + std::strerror(error) +
                                      ": '" + path + "'");
}

// Writes all of `data` to a new file at `path`, flushed to the file system; removes the file
// and raises on any failure.
void write_new_file(const std::string& path, std::string_view data) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        raise_errno(errno, path);
    }
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            const int error = n < 0 ? errno : ENOSPC;
            ::close(fd);
            ::unlink(path.c_str());
            raise_errno(error, path);
        }
        done += static_cast<std::size_t>(n);
    }
    // close() is where a network file system reports a full disk.
    if (::close(fd) != 0) {
        const int error = errno;
        ::unlink(path.c_str());
        raise_errno(error, path);
    }
}

// An S3 store's error (an XML body with its code) as s3::S3Error; any other as HTTP's own.
void raise_for_status(const concur::http::Response& response) {
    if (response.status >= 400 && response.bytes().find("<Error>") != std::string::npos) {
        s3::raise_for_status(response);
    }
    response.raise_for_status();
}

concur::http::ClientTimeout timeout_of(const Options& options) {
    return {.total = std::chrono::duration<double>(options.timeout)};
}

} // namespace

Destination make_destination(const Options& options) {
    const std::string& out = options.output;
    if (out.empty()) {
        throw std::invalid_argument("the output is empty");
    }
    if (const auto location = s3::parse_url(out)) {
        if (!options.s3) {
            throw std::invalid_argument("no S3 configuration for " + out);
        }
        return {
            .kind = Destination::Kind::s3, .base = location->prefix, .bucket = location->bucket};
    }
    if (out.rfind("http://", 0) == 0 || out.rfind("https://", 0) == 0) {
        return {.kind = Destination::Kind::url,
                .base = out.back() == '/' ? out : out + "/",
                .bucket = {}};
    }
    if (out.find("://") != std::string::npos) {
        throw std::invalid_argument("unknown output '" + out +
                                    "': a folder, an http(s):// URL or s3://bucket/prefix");
    }
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec || !std::filesystem::is_directory(out)) {
        throw std::invalid_argument("cannot create the output folder '" + out +
                                    "': " + (ec ? ec.message() : "not a folder"));
    }
    return {.kind = Destination::Kind::folder, .base = out, .bucket = {}};
}

Request fetch_request(const Options& options, const Source& source) {
    if (source.kind == Source::Kind::s3) {
        return {.url = s3::object_url(*options.s3, source.bucket, source.location),
                .options = s3::signed_options(*options.s3, options.timeout)};
    }
    Request request{.url = source.location, .options = {}};
    request.options.timeout = timeout_of(options);
    return request;
}

Request store_request(const Options& options, const Destination& destination,
                      const std::string& name, std::string body) {
    if (destination.kind == Destination::Kind::s3) {
        Request request{.url = s3::object_url(*options.s3, destination.bucket,
                                              s3::join_key(destination.base, name)),
                        .options = s3::signed_options(*options.s3, options.timeout)};
        request.options.headers.emplace_back(
            "Content-Type", "image/" + std::string(image::format_name(options.thumbnails.format)));
        request.options.data = std::move(body);
        return request;
    }
    Request request{.url = destination.base + name, .options = {}};
    request.options.timeout = timeout_of(options);
    request.options.data = std::move(body);
    return request;
}

std::string fetched_body(const concur::http::Response& response) {
    raise_for_status(response);
    return response.bytes();
}

void check_stored(const concur::http::Response& response) {
    raise_for_status(response);
}

std::string read_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        raise_errno(errno, path);
    }
    std::string data;
    char buffer[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            const int error = errno;
            ::close(fd);
            raise_errno(error, path);
        }
        if (n == 0) {
            break;
        }
        data.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return data;
}

std::string fetch_blocking(const Options& options, const Source& source) {
    if (source.kind == Source::Kind::file) {
        return read_file(source.location);
    }
    const Request request = fetch_request(options, source);
    return fetched_body(concur::http::get(request.url, request.options));
}

std::string output_name(const Options& options, const Source& source, int width) {
    return source.stem + "_" + std::to_string(width) + "." +
           std::string(image::format_extension(options.thumbnails.format));
}

std::vector<OutputFile> store_in_folder(const Options& options, const std::string& folder,
                                        const Source& source,
                                        const std::vector<image::Thumbnail>& thumbnails) {
    const std::filesystem::path dir(folder);
    const std::string tag = "." + std::to_string(::getpid()) + ".tmp";
    std::vector<std::string> temporaries;
    std::vector<OutputFile> outputs;
    std::size_t renamed = 0;
    try {
        for (std::size_t i = 0; i < thumbnails.size(); ++i) {
            const std::string name = output_name(options, source, options.thumbnails.widths[i]);
            const std::string tmp = (dir / ("." + name + tag)).string();
            write_new_file(tmp, thumbnails[i].bytes);
            temporaries.push_back(tmp);
            outputs.push_back({.width = thumbnails[i].width,
                               .height = thumbnails[i].height,
                               .bytes = thumbnails[i].bytes.size(),
                               .location = (dir / name).string()});
        }
        for (std::size_t i = 0; i < outputs.size(); ++i) {
            if (::rename(temporaries[i].c_str(), outputs[i].location.c_str()) != 0) {
                raise_errno(errno, outputs[i].location);
            }
            temporaries[i].clear();
            ++renamed;
        }
    } catch (...) {
        for (std::size_t i = 0; i < renamed; ++i) {
            ::unlink(outputs[i].location.c_str());
        }
        for (const std::string& tmp : temporaries) {
            if (!tmp.empty()) {
                ::unlink(tmp.c_str());
            }
        }
        throw;
    }
    return outputs;
}

std::vector<OutputFile> store_blocking(const Options& options, const Destination& destination,
                                       const Source& source,
                                       const std::vector<image::Thumbnail>& thumbnails) {
    if (destination.kind == Destination::Kind::folder) {
        return store_in_folder(options, destination.base, source, thumbnails);
    }
    std::vector<OutputFile> outputs;
    for (std::size_t i = 0; i < thumbnails.size(); ++i) {
        const std::string name = output_name(options, source, options.thumbnails.widths[i]);
        Request request = store_request(options, destination, name, thumbnails[i].bytes);
        check_stored(concur::http::put(request.url, request.options));
        outputs.push_back({.width = thumbnails[i].width,
                           .height = thumbnails[i].height,
                           .bytes = thumbnails[i].bytes.size(),
                           .location = request.url});
    }
    return outputs;
}

} // namespace thumbnail_maker
