// A byte queue read from the front and appended at the back: a transport's unsent bytes, a
// stream reader's unread ones.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace concur::asyncio::detail {

class ByteBuffer {
public:
    [[nodiscard]] std::size_t size() const noexcept { return bytes_.size() - start_; }
    [[nodiscard]] bool empty() const noexcept { return size() == 0; }
    [[nodiscard]] const char* data() const noexcept { return bytes_.data() + start_; }
    [[nodiscard]] std::string_view view() const noexcept { return {data(), size()}; }

    void append(std::string_view more) { bytes_.append(more); }

    /// Drops the first `n` bytes (at most all). The rest moves to the front once it is less
    /// than half the string, so consuming stays amortised O(1) per byte.
    void consume(std::size_t n) noexcept {
        start_ += std::min(n, size());
        if (start_ == bytes_.size()) {
            clear();
        } else if (start_ > bytes_.size() / 2) {
            bytes_.erase(0, start_);
            start_ = 0;
        }
    }

    void clear() noexcept {
        bytes_.clear();
        start_ = 0;
    }

private:
    std::string bytes_;
    std::size_t start_ = 0;
};

} // namespace concur::asyncio::detail
