// Watching many futures at once: the machinery under wait() and as_completed().
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "concur/core/timeout.hpp"
#include "concur/futures/detail/future_state.hpp"
#include "concur/futures/future.hpp"

namespace concur::futures::detail {

/// Registers a listener on every given future and collects the indices of those that finish,
/// those already done first (in input order), then in the order they finish.
class MultiWaiter {
public:
    explicit MultiWaiter(std::vector<FutureStateBase*> states);
    MultiWaiter(const MultiWaiter&) = delete;
    MultiWaiter& operator=(const MultiWaiter&) = delete;
    /// Unregisters from every future that has not finished.
    ~MultiWaiter();

    /// Appends to `out` the indices that finished since the last call, waiting until there is
    /// at least one or the deadline passes. Returns false on timeout with nothing new.
    bool take(std::vector<std::size_t>& out, const Deadline& deadline);

    [[nodiscard]] std::size_t size() const noexcept { return states_.size(); }
    [[nodiscard]] FutureStateBase* state(std::size_t i) const noexcept { return states_[i]; }

private:
    struct Node final : Listener {
        MultiWaiter* owner = nullptr;
        std::size_t index = 0;
        void on_done(FutureStateBase& /*future*/) noexcept override;
    };

    std::vector<FutureStateBase*> states_;
    std::unique_ptr<Node[]> nodes_;
    std::vector<char> registered_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::size_t> finished_; // guarded by mutex_
};

/// The futures a range names: its elements, or the keys of a map of futures (as iterating a
/// Python dict of futures gives its keys), each once, in first-seen order.
template <class T>
struct FutureTraits;
template <class T>
struct FutureTraits<Future<T>> {
    using value_type = T;
    static const Future<T>& get(const Future<T>& f) { return f; }
};
template <class T, class V>
struct FutureTraits<std::pair<const Future<T>, V>> {
    using value_type = T;
    static const Future<T>& get(const std::pair<const Future<T>, V>& p) { return p.first; }
};
template <class T, class V>
struct FutureTraits<std::pair<Future<T>, V>> {
    using value_type = T;
    static const Future<T>& get(const std::pair<Future<T>, V>& p) { return p.first; }
};

template <class Range>
using range_future_value_t =
    typename FutureTraits<std::remove_cv_t<std::ranges::range_value_t<Range>>>::value_type;

template <class Range>
std::vector<Future<range_future_value_t<Range>>> unique_futures(Range&& fs) {
    using Traits = FutureTraits<std::remove_cv_t<std::ranges::range_value_t<Range>>>;
    std::vector<Future<range_future_value_t<Range>>> out;
    std::unordered_set<const void*> seen;
    for (const auto& element : fs) {
        const auto& future = Traits::get(element);
        if (seen.insert(state_of(future)).second) {
            out.push_back(future);
        }
    }
    return out;
}

template <class T>
std::vector<FutureStateBase*> states_of(const std::vector<Future<T>>& futures) {
    std::vector<FutureStateBase*> states;
    states.reserve(futures.size());
    for (const auto& f : futures) {
        states.push_back(state_of(f));
    }
    return states;
}

} // namespace concur::futures::detail
