// What Executor::map returns: the calls' results, lazily, in the order of the inputs.
#pragma once

#include <cstddef>
#include <iterator>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "concur/core/timeout.hpp"
#include "concur/futures/detail/pull_iterator.hpp"
#include "concur/futures/future.hpp"

namespace concur::futures {

/// The results of Executor::map (Python's generator of results): an input range yielding each
/// call's value in input order, waiting for it as needed and rethrowing a call's exception at
/// its turn; TimeoutError once the map's timeout, counted from the call to map, has passed.
/// Destroying it after iteration has begun cancels the calls that have not started (Python's
/// generator cleanup); results never iterated leave every call to run, as Python's unstarted
/// generator does. Calls returning void yield std::monostate.
template <class R>
class MapResults {
public:
    using value_type = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

    MapResults(std::vector<Future<R>> futures, Deadline deadline)
        : futures_(std::move(futures)), deadline_(deadline) {}
    MapResults(MapResults&&) noexcept = default;
    MapResults& operator=(MapResults&&) noexcept = default;
    MapResults(const MapResults&) = delete;
    MapResults& operator=(const MapResults&) = delete;

    ~MapResults() {
        if (!started_) {
            return;
        }
        for (std::size_t i = next_; i < futures_.size(); ++i) {
            futures_[i].cancel();
        }
    }

    using iterator = detail::PullIterator<MapResults, value_type&>;

    /// Waits for the first result; call once, as a range-for does.
    iterator begin() {
        started_ = true;
        advance();
        return iterator(this);
    }
    std::default_sentinel_t end() const noexcept { return {}; }

    /// Every remaining result, in order (Python's list(executor.map(...))).
    std::vector<value_type> to_vector() {
        std::vector<value_type> all;
        all.reserve(futures_.size() - next_);
        for (auto& value : *this) {
            all.push_back(std::move(value));
        }
        return all;
    }

private:
    friend iterator;
    value_type& current() { return *current_; }
    [[nodiscard]] bool exhausted() const noexcept { return !current_.has_value(); }
    void advance() {
        current_.reset();
        if (next_ == futures_.size()) {
            return;
        }
        // Taking the future out drops our reference as soon as its value is ours, as Python's
        // generator pops its futures.
        Future<R> future = std::move(futures_[next_]);
        ++next_;
        try {
            if constexpr (std::is_void_v<R>) {
                future.result(deadline_.remaining());
                current_.emplace();
            } else {
                current_.emplace(std::move(future.result(deadline_.remaining())));
            }
        } catch (...) {
            futures_[next_ - 1] = std::move(future); // still ours to cancel on destruction
            --next_;
            throw;
        }
    }

    std::vector<Future<R>> futures_;
    std::size_t next_ = 0;
    Deadline deadline_;
    std::optional<value_type> current_;
    bool started_ = false; // begin() was called: the generator has run
};

} // namespace concur::futures
