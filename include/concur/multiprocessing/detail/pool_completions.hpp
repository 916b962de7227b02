// The receivers of a Pool's answers: one call's result, a map's chunks gathered into one list,
// and chunks streamed to imap's generators.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "concur/core/generator.hpp"
#include "concur/multiprocessing/async_result.hpp"
#include "concur/multiprocessing/detail/call.hpp"
#include "concur/multiprocessing/detail/remote_exception.hpp"
#include "concur/multiprocessing/detail/worker_pool.hpp"

namespace concur::multiprocessing::detail {

template <class F, class Tuple>
struct star_value;
template <class F, class... Args>
struct star_value<F, std::tuple<Args...>> {
    using type = chunk_value_t<remote_result_t<F, Args...>>;
};
/// The result type of a starmap call: F applied to the elements of Tuple.
template <class F, class Tuple>
using star_value_t = typename star_value<F, Tuple>::type;

/// apply_async's receiver: deletes itself once told.
template <class R>
class ApplyCompletion final : public Completion {
public:
    using V = chunk_value_t<R>;
    explicit ApplyCompletion(std::shared_ptr<ResultState<V>> state) : state_(std::move(state)) {}

    void finish(bool ok, std::string_view payload) noexcept override {
        if (!ok) {
            state_->set_exception(load_exception(payload));
        } else {
            try {
                if constexpr (std::is_void_v<R>) {
                    state_->set_value(V{});
                } else {
                    state_->set_value(load_result<R>(payload));
                }
            } catch (...) {
                state_->set_exception(std::current_exception());
            }
        }
        delete this;
    }
    void fail(std::exception_ptr error) noexcept override {
        state_->set_exception(std::move(error));
        delete this;
    }

private:
    std::shared_ptr<ResultState<V>> state_;
};

/// A map's results, filled chunk by chunk; complete when the last chunk is in.
template <class V>
class MapGather {
public:
    MapGather(std::shared_ptr<ResultState<std::vector<V>>> state, std::size_t n)
        : state_(std::move(state)), values_(n), missing_(n) {}

    void fill(std::size_t offset, std::vector<V>&& chunk) noexcept {
        std::size_t left = 0;
        {
            std::lock_guard lock(mutex_);
            for (std::size_t i = 0; i < chunk.size(); ++i) {
                values_[offset + i] = std::move(chunk[i]);
            }
            missing_ -= chunk.size();
            left = missing_;
        }
        if (left == 0) {
            state_->set_value(std::move(values_));
        }
    }
    void fail(std::exception_ptr error) noexcept { state_->set_exception(std::move(error)); }

private:
    std::shared_ptr<ResultState<std::vector<V>>> state_;
    std::mutex mutex_;
    std::vector<V> values_;
    std::size_t missing_;
};

/// One chunk of a map.
template <class V>
class MapChunk final : public Completion {
public:
    MapChunk(std::shared_ptr<MapGather<V>> gather, std::size_t offset, std::size_t n)
        : gather_(std::move(gather)), offset_(offset), n_(n) {}

    void finish(bool ok, std::string_view payload) noexcept override {
        if (!ok) {
            gather_->fail(load_exception(payload));
        } else {
            try {
                gather_->fill(offset_, load_chunk<V>(payload, n_));
            } catch (...) {
                gather_->fail(std::current_exception());
            }
        }
        delete this;
    }
    void fail(std::exception_ptr error) noexcept override {
        gather_->fail(std::move(error));
        delete this;
    }

private:
    std::shared_ptr<MapGather<V>> gather_;
    std::size_t offset_;
    std::size_t n_;
};

/// The chunks of an imap, as they arrive, for a generator to yield in order or as finished.
template <class V>
class ChunkStream : public std::enable_shared_from_this<ChunkStream<V>> {
public:
    /// A new chunk's index (called before any chunk finishes being read).
    std::size_t add() {
        std::lock_guard lock(mutex_);
        chunks_.emplace_back();
        errors_.emplace_back();
        return chunks_.size() - 1;
    }

    void complete(std::size_t index, std::vector<V> values, std::exception_ptr error) noexcept {
        {
            std::lock_guard lock(mutex_);
            if (error) {
                errors_[index] = std::move(error);
            } else {
                chunks_[index].emplace(std::move(values));
            }
            finished_.push_back(index);
        }
        changed_.notify_all();
    }

    Generator<V> in_order() { return yield(this->shared_from_this(), true); }
    Generator<V> as_finished() { return yield(this->shared_from_this(), false); }

private:
    static Generator<V> yield(std::shared_ptr<ChunkStream> self, bool ordered) {
        std::size_t count = 0;
        {
            std::lock_guard lock(self->mutex_);
            count = self->chunks_.size();
        }
        for (std::size_t k = 0; k < count; ++k) {
            std::vector<V> values;
            {
                std::unique_lock lock(self->mutex_);
                std::size_t index = k;
                if (ordered) {
                    self->changed_.wait(lock, [&] {
                        return self->chunks_[k].has_value() || self->errors_[k] != nullptr;
                    });
                } else {
                    self->changed_.wait(lock, [&] { return !self->finished_.empty(); });
                    index = self->finished_.front();
                    self->finished_.pop_front();
                }
                if (self->errors_[index]) {
                    std::rethrow_exception(self->errors_[index]);
                }
                values = std::move(*self->chunks_[index]);
            }
            for (V& v : values) {
                co_yield std::move(v);
            }
        }
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::optional<std::vector<V>>> chunks_;
    std::deque<std::exception_ptr> errors_;
    std::deque<std::size_t> finished_;
};

/// One chunk of an imap.
template <class V>
class StreamChunk final : public Completion {
public:
    StreamChunk(std::shared_ptr<ChunkStream<V>> stream, std::size_t index, std::size_t n)
        : stream_(std::move(stream)), index_(index), n_(n) {}

    void finish(bool ok, std::string_view payload) noexcept override {
        if (!ok) {
            stream_->complete(index_, {}, load_exception(payload));
        } else {
            try {
                stream_->complete(index_, load_chunk<V>(payload, n_), nullptr);
            } catch (...) {
                stream_->complete(index_, {}, std::current_exception());
            }
        }
        delete this;
    }
    void fail(std::exception_ptr error) noexcept override {
        stream_->complete(index_, {}, std::move(error));
        delete this;
    }

private:
    std::shared_ptr<ChunkStream<V>> stream_;
    std::size_t index_;
    std::size_t n_;
};

} // namespace concur::multiprocessing::detail
