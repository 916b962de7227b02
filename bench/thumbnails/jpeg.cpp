#include "jpeg.hpp"

#include <csetjmp>
#include <cstdio>

#include <jpeglib.h>

namespace bench_thumbnails {

namespace {

// libjpeg's default error_exit ends the process: ours jumps back to the caller instead.
struct Errors {
    jpeg_error_mgr mgr;
    std::jmp_buf jump;
};

[[noreturn]] void on_error(j_common_ptr cinfo) {
    std::longjmp(reinterpret_cast<Errors*>(cinfo->err)->jump, 1);
}

// Warnings (level -1, e.g. a truncated file) are counted in num_warnings; no trace output.
void on_message(j_common_ptr cinfo, int level) {
    if (level < 0) {
        ++cinfo->err->num_warnings;
    }
}

// What one decode does; a plain struct so nothing with a destructor lives across setjmp.
struct Job {
    const std::string* data;
    int min_width;
    bool header_only;
    Size size;
};

bool run(Job* job) {
    jpeg_decompress_struct cinfo{};
    Errors errors{};
    cinfo.err = jpeg_std_error(&errors.mgr);
    errors.mgr.error_exit = on_error;
    errors.mgr.emit_message = on_message;
    if (setjmp(errors.jump) != 0) {
        jpeg_destroy_decompress(&cinfo);
        return false;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(job->data->data()),
                 static_cast<unsigned long>(job->data->size()));
    jpeg_read_header(&cinfo, TRUE);
    if (job->header_only) {
        job->size = {static_cast<int>(cinfo.image_width), static_cast<int>(cinfo.image_height)};
        jpeg_destroy_decompress(&cinfo);
        return true;
    }
    // libjpeg rounds the scaled size itself: ask it rather than compute it.
    cinfo.scale_denom = 8;
    for (unsigned m = 1; m <= 8; ++m) {
        cinfo.scale_num = m;
        jpeg_calc_output_dimensions(&cinfo);
        if (static_cast<long>(cinfo.output_width) >= job->min_width) {
            break;
        }
    }
    jpeg_start_decompress(&cinfo);
    // Rows from libjpeg's own pool, freed with cinfo: nothing here outlives a longjmp.
    const auto stride = cinfo.output_width * static_cast<JDIMENSION>(cinfo.output_components);
    JSAMPARRAY rows =
        (*cinfo.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&cinfo), JPOOL_IMAGE, stride,
                                   static_cast<JDIMENSION>(cinfo.rec_outbuf_height));
    while (cinfo.output_scanline < cinfo.output_height) {
        jpeg_read_scanlines(&cinfo, rows, static_cast<JDIMENSION>(cinfo.rec_outbuf_height));
    }
    job->size = {static_cast<int>(cinfo.output_width), static_cast<int>(cinfo.output_height)};
    jpeg_finish_decompress(&cinfo);
    const bool clean = errors.mgr.num_warnings == 0;
    jpeg_destroy_decompress(&cinfo);
    return clean;
}

} // namespace

std::optional<Size> jpeg_size(const std::string& data) {
    Job job{&data, 0, true, {}};
    if (!run(&job)) {
        return std::nullopt;
    }
    return job.size;
}

std::optional<Size> decode_jpeg(const std::string& data, int min_width) {
    Job job{&data, min_width, false, {}};
    if (!run(&job)) {
        return std::nullopt;
    }
    return job.size;
}

} // namespace bench_thumbnails
