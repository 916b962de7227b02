// libjpeg's error handling made safe for C++: the default handler calls exit(). Ours records the
// message and longjmp()s back to the setjmp() of the one function that drives libjpeg; that
// function holds no C++ object with a destructor, so the jump skips none, and throws from there.
#pragma once

#include <csetjmp>
#include <cstdio> // before jpeglib.h, which uses FILE and size_t

#include <jpeglib.h>

namespace thumbnail_maker::image {

/// A jpeg_error_mgr that longjmp()s to `jump` on errors and on corrupt-data warnings.
struct JpegErrorManager {
    jpeg_error_mgr pub{};
    std::jmp_buf jump{};
    char message[JMSG_LENGTH_MAX] = {};
};

/// Installs `manager` in `cinfo` (call before jpeg_create_*); returns &manager.pub.
jpeg_error_mgr* install_error_manager(JpegErrorManager& manager) noexcept;

} // namespace thumbnail_maker::image
