#include "concur/multiprocessing/detail/shared_block.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "concur/core/exceptions.hpp"

namespace concur::multiprocessing::detail {

SharedBlock::Mapping::~Mapping() {
    if (data != nullptr) {
        ::munmap(data, size);
    }
    if (fd >= 0) {
        ::close(fd);
    }
}

SharedBlock::SharedBlock(std::size_t size) {
    if (size == 0) {
        throw ValueError("a shared block needs at least one byte");
    }
    const int fd = ::memfd_create("concur-mp", MFD_CLOEXEC);
    if (fd < 0) {
        raise_os_error(errno, "memfd_create failed");
    }
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
        const int error = errno;
        ::close(fd);
        raise_os_error(error, "ftruncate of a shared block failed");
    }
    *this = adopt(fd, size);
    ::close(fd);
}

int SharedBlock::fd() const {
    if (!mapping_) {
        throw ValueError("this shared object was moved from or never made");
    }
    return mapping_->fd;
}

SharedBlock SharedBlock::adopt(int fd, std::size_t size) {
    auto mapping = std::make_shared<Mapping>();
    // Our own descriptor, so that the object owns what it closes whoever gave us `fd`.
    mapping->fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (mapping->fd < 0) {
        raise_os_error(errno, "dup of a shared block's descriptor failed");
    }
    void* data = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, mapping->fd, 0);
    if (data == MAP_FAILED) {
        raise_os_error(errno, "mmap of a shared block failed");
    }
    mapping->data = data;
    mapping->size = size;
    SharedBlock block;
    block.mapping_ = std::move(mapping);
    return block;
}

} // namespace concur::multiprocessing::detail
