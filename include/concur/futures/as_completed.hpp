// concurrent.futures.as_completed: the futures of a group, each as soon as it is done.
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <ranges>
#include <string>
#include <utility>
#include <vector>

#include "concur/core/exceptions.hpp"
#include "concur/core/timeout.hpp"
#include "concur/futures/detail/multi_waiter.hpp"
#include "concur/futures/detail/pull_iterator.hpp"
#include "concur/futures/future.hpp"

namespace concur::futures {

/// The range as_completed() returns: yields each future once it is done (finished or
/// cancelled): those already done first, then each as it finishes. Advancing past the timeout
/// throws TimeoutError("N (of M) futures unfinished").
template <class T>
class AsCompleted {
public:
    AsCompleted(std::vector<Future<T>> futures, Timeout timeout)
        : futures_(std::move(futures)), deadline_(Deadline::after(timeout)),
          waiter_(std::make_unique<detail::MultiWaiter>(detail::states_of(futures_))) {}

    using iterator = detail::PullIterator<AsCompleted, const Future<T>&>;

    /// Waits for the first future to be done; call once, as a range-for does.
    iterator begin() {
        advance();
        return iterator(this);
    }
    std::default_sentinel_t end() const noexcept { return {}; }

private:
    friend iterator;
    const Future<T>& current() const { return futures_[current_]; }
    [[nodiscard]] bool exhausted() const noexcept { return at_end_; }
    void advance() {
        if (yielded_ == futures_.size()) {
            at_end_ = true;
            return;
        }
        if (next_ == ready_.size()) {
            ready_.clear();
            next_ = 0;
            if (!waiter_->take(ready_, deadline_)) {
                const std::size_t unfinished = futures_.size() - yielded_;
                throw TimeoutError(std::to_string(unfinished) + " (of " +
                                   std::to_string(futures_.size()) + ") futures unfinished");
            }
        }
        current_ = ready_[next_++];
        ++yielded_;
    }

    std::vector<Future<T>> futures_;
    Deadline deadline_;
    std::unique_ptr<detail::MultiWaiter> waiter_;
    std::vector<std::size_t> ready_;
    std::size_t next_ = 0;
    std::size_t current_ = 0;
    std::size_t yielded_ = 0;
    bool at_end_ = false;
};

/// The futures in `fs` (a range of futures, or a map keyed by futures, as a Python dict of
/// futures iterates its keys), each yielded once as soon as it is done; TimeoutError when the
/// `timeout`, counted from this call, passes with futures unfinished.
template <class Range>
requires std::ranges::input_range<Range> AsCompleted<detail::range_future_value_t<Range>>
as_completed(Range&& fs, Timeout timeout = std::nullopt) {
    return AsCompleted<detail::range_future_value_t<Range>>(detail::unique_futures(fs), timeout);
}

} // namespace concur::futures
