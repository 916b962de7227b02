// concurrent.futures.wait: block until some or all of a group of futures are done.
#pragma once

#include <cstddef>
#include <ranges>
#include <utility>
#include <vector>

#include "concur/core/timeout.hpp"
#include "concur/futures/detail/multi_waiter.hpp"
#include "concur/futures/future.hpp"

namespace concur::futures {

/// When wait() returns (Python's FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED).
enum class ReturnWhen { kFirstCompleted, kFirstException, kAllCompleted };
/// Return when any future finishes or is cancelled.
inline constexpr ReturnWhen FIRST_COMPLETED = ReturnWhen::kFirstCompleted;
/// Return when any future finishes by raising; if none does, as ALL_COMPLETED.
inline constexpr ReturnWhen FIRST_EXCEPTION = ReturnWhen::kFirstException;
/// Return when every future has finished or been cancelled.
inline constexpr ReturnWhen ALL_COMPLETED = ReturnWhen::kAllCompleted;

/// What wait() returns (Python's DoneAndNotDoneFutures): `auto [done, not_done] = wait(fs);`.
template <class T>
struct DoneAndNotDoneFutures {
    std::vector<Future<T>> done;
    std::vector<Future<T>> not_done;
};

namespace detail {
/// Which of `states` are done when wait() may return.
std::vector<char> wait_states(std::vector<FutureStateBase*> states, const Deadline& deadline,
                              ReturnWhen return_when);
} // namespace detail

/// Waits for the futures in `fs` (a range of futures, or a map keyed by futures) until
/// `return_when` holds or `timeout` passes, and returns them split into done (finished or
/// cancelled) and not done, each without duplicates, in input order.
template <class Range>
requires std::ranges::input_range<Range>
auto wait(Range&& fs, Timeout timeout = std::nullopt, ReturnWhen return_when = ALL_COMPLETED)
    -> DoneAndNotDoneFutures<detail::range_future_value_t<Range>> {
    const Deadline deadline = Deadline::after(timeout);
    auto futures = detail::unique_futures(fs);
    const std::vector<char> done =
        detail::wait_states(detail::states_of(futures), deadline, return_when);
    DoneAndNotDoneFutures<detail::range_future_value_t<Range>> result;
    for (std::size_t i = 0; i < futures.size(); ++i) {
        (done[i] != 0 ? result.done : result.not_done).push_back(std::move(futures[i]));
    }
    return result;
}

} // namespace concur::futures
