#include "concur/core/timeout.hpp"

#include <cmath>

#include "concur/core/exceptions.hpp"

namespace concur {

Deadline Deadline::after(Timeout timeout) {
    if (!timeout) {
        return {};
    }
    const double seconds = timeout->count();
    if (std::isnan(seconds)) {
        throw ValueError("timeout must be a number, not NaN");
    }
    if (seconds > TIMEOUT_MAX) {
        return {};
    }
    const auto now = Clock::now();
    if (seconds <= 0) {
        return at(now);
    }
    return at(now + std::chrono::duration_cast<Clock::duration>(*timeout));
}

Timeout Deadline::remaining() const {
    if (never_) {
        return std::nullopt;
    }
    const auto left = when_ - Clock::now();
    if (left <= Clock::duration::zero()) {
        return std::chrono::duration<double>(0);
    }
    return std::chrono::duration<double>(left);
}

} // namespace concur
