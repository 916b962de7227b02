// A call sent to another process: the address of a runner instantiated for the call's types,
// the callable (a code address, nothing for a captureless lambda, or its serialised state),
// then the arguments. The receiving process finds the runner by its address and lets it read
// the rest: no registry, and the same binary on both sides.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <istream>
#include <ostream>
#include <ranges>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "concur/multiprocessing/detail/code_address.hpp"
#include "concur/multiprocessing/detail/inherited_fds.hpp"
#include "concur/multiprocessing/reduction.hpp"

namespace concur::multiprocessing::detail {

/// Reads a call (after its address) from `in`, runs it, appends its serialised result to `out`.
using Runner = void (*)(InputArchive& in, std::string& out);

template <class F>
inline constexpr bool is_function_pointer_v =
    std::is_pointer_v<F>&& std::is_function_v<std::remove_pointer_t<F>>;

/// A captureless lambda: nothing to send, the receiver makes its own.
template <class F>
inline constexpr bool is_stateless_v =
    std::is_class_v<F>&& std::is_empty_v<F>&& std::is_default_constructible_v<F>;

/// What can be the target of a call in another process.
template <class F>
concept Sendable = is_function_pointer_v<F> || is_stateless_v<F> || Picklable<F>;

template <class F>
struct must_be_sendable {
    static_assert(Sendable<F>,
                  "concur::multiprocessing: a process target must be a function, a captureless "
                  "lambda or a cereal-serialisable callable (see F in must_be_sendable<F> below)");
    static constexpr bool value = true;
};

template <class F>
void save_callable(OutputArchive& archive, const F& fn) {
    if constexpr (is_function_pointer_v<F>) {
        archive(code_address(fn));
    } else if constexpr (is_stateless_v<F>) {
        // the type says it all
    } else {
        archive(fn);
    }
}

template <class F>
F load_callable(InputArchive& archive) {
    if constexpr (is_function_pointer_v<F>) {
        CodeAddress where;
        archive(where);
        return function_at<F>(where);
    } else if constexpr (is_stateless_v<F>) {
        return F{};
    } else {
        F fn{};
        archive(fn);
        return fn;
    }
}

template <class... Args>
void read_args(InputArchive& in, std::tuple<Args...>& args) {
    if constexpr (sizeof...(Args) > 0) {
        std::apply([&](auto&... a) { in(a...); }, args);
    }
}

template <class F, class... Args>
using remote_result_t = std::invoke_result_t<F&, Args&&...>;

/// Runs one call: f(args...), the result serialised into `out`.
template <class F, class... Args>
void run_call(InputArchive& in, std::string& out) {
    F fn = load_callable<F>(in);
    std::tuple<Args...> args;
    read_args(in, args);
    close_inherited_fds();
    using R = remote_result_t<F, Args...>;
    // Each argument is used once: moved in, so that move-only ones (a Connection) work.
    auto call = [&](auto&... a) -> decltype(auto) { return fn(std::move(a)...); };
    if constexpr (std::is_void_v<R>) {
        std::apply(call, args);
    } else {
        R result = std::apply(call, args);
        dump_into(out, result);
    }
}

/// Arithmetic values travel as one block of bytes, not one archive call each.
template <class T>
inline constexpr bool is_block_v = std::is_arithmetic_v<T>;

/// Runs a chunk of calls: a count, then each call's arguments; the results in order.
template <class F, class... Args>
void run_chunk(InputArchive& in, std::string& out) {
    F fn = load_callable<F>(in);
    std::uint64_t n = 0;
    in(n);
    using R = remote_result_t<F, Args...>;
    StringSink sink(out);
    std::ostream stream(&sink);
    OutputArchive results(stream);
    if constexpr (sizeof...(Args) == 1 && (is_block_v<Args> && ...) &&
                  (std::is_void_v<R> || is_block_v<R>)) {
        using A = std::tuple_element_t<0, std::tuple<Args...>>;
        std::vector<A> args(n);
        in(cereal::binary_data(args.data(), n * sizeof(A)));
        if constexpr (std::is_void_v<R>) {
            for (const A& a : args) {
                fn(a);
            }
        } else {
            std::vector<R> values(n);
            for (std::uint64_t i = 0; i < n; ++i) {
                values[i] = fn(args[i]);
            }
            results(cereal::binary_data(values.data(), n * sizeof(R)));
        }
    } else {
        std::tuple<Args...> args;
        for (std::uint64_t i = 0; i < n; ++i) {
            read_args(in, args);
            if constexpr (std::is_void_v<R>) {
                std::apply(fn, args);
            } else {
                results(std::apply(fn, args));
            }
        }
    }
}

/// Serialises `fn(args...)` as a message run_message() can run.
template <class F, class... Args>
void dump_call(std::string& out, const F& fn, const Args&... args) {
    static_assert(must_be_sendable<F>::value && (must_be_picklable<Args>::value && ...));
    StringSink sink(out);
    std::ostream stream(&sink);
    OutputArchive archive(stream);
    const Runner runner = &run_call<F, Args...>;
    archive(code_address(runner));
    save_callable(archive, fn);
    if constexpr (sizeof...(Args) > 0) {
        archive(args...);
    }
}

/// Starts a chunk message for `fn` over n argument tuples; append each with dump_into().
template <class F, class... Args>
void dump_chunk_header(std::string& out, const F& fn, std::uint64_t n) {
    static_assert(must_be_sendable<F>::value && (must_be_picklable<Args>::value && ...));
    StringSink sink(out);
    std::ostream stream(&sink);
    OutputArchive archive(stream);
    const Runner runner = &run_chunk<F, Args...>;
    archive(code_address(runner));
    save_callable(archive, fn);
    archive(n);
}

/// Appends each element of `items` (one call's argument each) to a chunk message.
template <class T>
void dump_sequence(std::string& out, const std::vector<T>& items) {
    if constexpr (is_block_v<T>) {
        out.append(reinterpret_cast<const char*>(items.data()), items.size() * sizeof(T));
    } else {
        StringSink sink(out);
        std::ostream stream(&sink);
        OutputArchive archive(stream);
        for (const auto& item : items) {
            archive(item);
        }
    }
}

/// Splits `inputs` into chunk messages of at most `chunksize` calls `fn(Args...)` each (an
/// input is one argument, or a tuple of them) and hands each to `submit(message, count)`.
template <class... Args, class F, class Range, class Submit>
void for_each_chunk(const F& fn, Range&& inputs, std::size_t chunksize, Submit&& submit) {
    using Item = std::remove_cvref_t<std::ranges::range_reference_t<Range>>;
    std::vector<Item> batch;
    std::string message;
    auto flush = [&] {
        message.clear();
        dump_chunk_header<F, Args...>(message, fn, batch.size());
        dump_sequence(message, batch);
        submit(std::string_view(message), batch.size());
        batch.clear();
    };
    for (auto&& input : inputs) {
        batch.push_back(std::forward<decltype(input)>(input));
        if (batch.size() == chunksize) {
            flush();
        }
    }
    if (!batch.empty()) {
        flush();
    }
}

/// The n results of a chunk's answer (std::monostate for calls returning nothing).
template <class V>
std::vector<V> load_chunk(std::string_view payload, std::size_t n) {
    std::vector<V> values(n);
    if constexpr (is_block_v<V>) {
        if (payload.size() != n * sizeof(V)) {
            throw std::length_error("a worker's answer has the wrong size");
        }
        std::memcpy(values.data(), payload.data(), payload.size());
    } else if constexpr (!std::is_same_v<V, std::monostate>) {
        ViewSource source(payload);
        std::istream stream(&source);
        InputArchive archive(stream);
        for (V& v : values) {
            archive(v);
        }
    }
    return values;
}

/// A chunk's result type: R, or std::monostate for void.
template <class R>
using chunk_value_t = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

/// Runs a message made by dump_call() or dump_chunk_header(); appends the result to `out`.
/// Exceptions of the call propagate.
void run_message(std::string_view message, std::string& out);

} // namespace concur::multiprocessing::detail
