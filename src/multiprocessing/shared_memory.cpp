#include "concur/multiprocessing/shared_memory.hpp"

#include <cerrno>
#include <fcntl.h>
#include <random>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

#include "concur/core/exceptions.hpp"

namespace concur::multiprocessing::shared_memory {
namespace {

std::string random_name() {
    static thread_local std::mt19937 generator{std::random_device{}()};
    std::uniform_int_distribution<std::uint32_t> digits;
    char text[9];
    std::snprintf(text, sizeof text, "%08x", digits(generator));
    return std::string("psm_") + text;
}

} // namespace

SharedMemory::SharedMemory(SharedMemoryOptions options) {
    if (!options.create && !options.name) {
        throw ValueError("'name' can only be None if create=True");
    }
    if (options.create && options.size == 0) {
        throw ValueError("'size' must be a positive number different from zero");
    }
    if (options.name && options.name->starts_with('/')) {
        options.name->erase(0, 1);
    }
    if (options.create) {
        for (;;) {
            name_ = options.name ? *options.name : random_name();
            fd_ = ::shm_open(("/" + name_).c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
            if (fd_ >= 0 || errno != EEXIST || options.name) {
                break; // a random name that is taken: draw another
            }
        }
        if (fd_ < 0) {
            raise_os_error(errno,
                           "[Errno " + std::to_string(errno) + "] cannot create '/" + name_ + "'");
        }
        if (::ftruncate(fd_, static_cast<off_t>(options.size)) != 0) {
            const int error = errno;
            ::shm_unlink(("/" + name_).c_str());
            close();
            raise_os_error(error, "cannot size shared memory '/" + name_ + "'");
        }
        size_ = options.size;
    } else {
        name_ = *options.name;
        fd_ = ::shm_open(("/" + name_).c_str(), O_RDWR | O_CLOEXEC, 0600);
        if (fd_ < 0) {
            raise_os_error(errno, "[Errno " + std::to_string(errno) +
                                      "] No such file or directory: '/" + name_ + "'");
        }
        struct stat status {};
        if (::fstat(fd_, &status) != 0) {
            const int error = errno;
            close();
            raise_os_error(error, "cannot stat shared memory '/" + name_ + "'");
        }
        size_ = static_cast<std::size_t>(status.st_size);
    }
    if (size_ > 0) {
        void* data = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
        if (data == MAP_FAILED) {
            const int error = errno;
            close();
            raise_os_error(error, "cannot map shared memory '/" + name_ + "'");
        }
        data_ = data;
    }
}

SharedMemory::SharedMemory(SharedMemory&& other) noexcept
    : name_(std::move(other.name_)), fd_(std::exchange(other.fd_, -1)),
      data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SharedMemory& SharedMemory::operator=(SharedMemory&& other) noexcept {
    if (this != &other) {
        close();
        name_ = std::move(other.name_);
        fd_ = std::exchange(other.fd_, -1);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

std::span<std::byte> SharedMemory::buf() const {
    if (fd_ < 0) {
        throw ValueError("operation on a closed SharedMemory");
    }
    return {static_cast<std::byte*>(data_), size_};
}

void SharedMemory::close() noexcept {
    if (data_ != nullptr) {
        ::munmap(data_, size_);
        data_ = nullptr;
    }
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

void SharedMemory::unlink() {
    if (name_.empty()) {
        throw ValueError("this SharedMemory has no name");
    }
    if (::shm_unlink(("/" + name_).c_str()) != 0) {
        raise_os_error(errno, "[Errno " + std::to_string(errno) +
                                  "] No such file or directory: '/" + name_ + "'");
    }
}

} // namespace concur::multiprocessing::shared_memory
