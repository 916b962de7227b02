// What ProcessPoolExecutor::map returns: the results of chunks of calls, one by one.
#pragma once

#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

#include "concur/core/timeout.hpp"
#include "concur/futures/detail/pull_iterator.hpp"
#include "concur/futures/future.hpp"

namespace concur::futures {

/// The results of a map whose calls went out in chunks (Python's generator of results): an
/// input range yielding each value in input order, waiting for its chunk as needed and
/// rethrowing a chunk's exception at its turn; TimeoutError once the map's timeout, counted from
/// the call to map, has passed. Destroying it cancels the chunks not yet read.
template <class V>
class ChunkedResults {
public:
    ChunkedResults(std::vector<Future<std::vector<V>>> chunks, Deadline deadline)
        : chunks_(std::move(chunks)), deadline_(deadline) {}
    ChunkedResults(ChunkedResults&&) noexcept = default;
    ChunkedResults& operator=(ChunkedResults&&) noexcept = default;
    ChunkedResults(const ChunkedResults&) = delete;
    ChunkedResults& operator=(const ChunkedResults&) = delete;
    ~ChunkedResults() {
        for (std::size_t i = next_; i < chunks_.size(); ++i) {
            chunks_[i].cancel();
        }
    }

    using iterator = detail::PullIterator<ChunkedResults, V&>;

    /// Waits for the first result; call once, as a range-for does.
    iterator begin() {
        at_ = 0;
        current_ = nullptr;
        next_chunk();
        return iterator(this);
    }
    std::default_sentinel_t end() const noexcept { return {}; }

    /// Every remaining result, in order (Python's list(executor.map(...))).
    std::vector<V> to_vector() {
        std::vector<V> all;
        for (V& value : *this) {
            all.push_back(std::move(value));
        }
        return all;
    }

private:
    friend iterator;
    V& current() { return (*current_)[at_]; }
    [[nodiscard]] bool exhausted() const noexcept { return current_ == nullptr; }
    void advance() {
        if (++at_ == current_->size()) {
            at_ = 0;
            next_chunk();
        }
    }

    // Moves to the next chunk with values; current_ null at the end.
    void next_chunk() {
        current_ = nullptr;
        while (next_ < chunks_.size()) {
            // The chunk stays ours (its values are read in place) until the next one.
            held_ = std::move(chunks_[next_]);
            ++next_;
            std::vector<V>& values = held_.result(deadline_.remaining());
            if (!values.empty()) {
                current_ = &values;
                return;
            }
        }
    }

    std::vector<Future<std::vector<V>>> chunks_;
    Deadline deadline_;
    std::size_t next_ = 0;
    Future<std::vector<V>> held_;
    std::vector<V>* current_ = nullptr;
    std::size_t at_ = 0;
};

} // namespace concur::futures
