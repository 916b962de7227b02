#include "jpeg_error.hpp"

#include <jerror.h> // the message codes

namespace thumbnail_maker::image {

namespace {

[[noreturn]] void error_exit(j_common_ptr cinfo) {
    // pub is the first member, so the pointer libjpeg holds is the manager's.
    auto* manager = reinterpret_cast<JpegErrorManager*>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, manager->message);
    std::longjmp(manager->jump, 1);
}

// Warnings that say nothing about the pixels; every other warning means corrupt or truncated
// data (libjpeg would pad with grey and go on), so it is an error here.
bool harmless_warning(int code) {
    return code == JWRN_ADOBE_XFORM || code == JWRN_BOGUS_ICC || code == JWRN_JFIF_MAJOR;
}

void emit_message(j_common_ptr cinfo, int level) {
    if (level < 0 && !harmless_warning(cinfo->err->msg_code)) {
        error_exit(cinfo);
    }
    // Trace messages (level >= 0) and harmless warnings are dropped.
}

void output_message(j_common_ptr) {} // never print to stderr

} // namespace

jpeg_error_mgr* install_error_manager(JpegErrorManager& manager) noexcept {
    jpeg_error_mgr* pub = jpeg_std_error(&manager.pub);
    pub->error_exit = error_exit;
    pub->emit_message = emit_message;
    pub->output_message = output_message;
    return pub;
}

} // namespace thumbnail_maker::image
