// A call sent to another process: the address of a runner instantiated for the call's types,
// the callable (a code address, nothing for a captureless lambda, or its serialised state),
// then the arguments, as plain bytes when they are numbers, else serialised. The receiving process
// finds the runner by its address and lets it read the rest: no registry, and the same binary on
// both sides.
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

/// Runs a call whose message body is `in`; appends its result to `out`.
using Runner = void (*)(std::string_view in, std::string& out);

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

/// Arithmetic values travel as their bytes: no stream, no archive (the same binary reads them).
template <class T>
inline constexpr bool is_block_v = std::is_arithmetic_v<T>;

template <class T>
struct is_plain : std::bool_constant<is_block_v<T>> {};
template <>
struct is_plain<std::string> : std::true_type {};
template <class T>
struct is_plain<std::vector<T>> : std::bool_constant<is_block_v<T>> {};

/// Values with a plain encoding (numbers; strings and vectors of numbers as a length and their
/// bytes): what most calls send, without a stream or an archive.
template <class T>
inline constexpr bool is_plain_v = is_plain<T>::value;

/// A call whose callable and arguments all travel plainly.
template <class F, class... Args>
inline constexpr bool is_plain_call_v = (is_function_pointer_v<F> ||
                                         is_stateless_v<F>)&&(is_plain_v<Args>&&...);

template <class F, class... Args>
using remote_result_t = std::invoke_result_t<F&, Args&&...>;

/// A chunk's result type: R, or std::monostate for void.
template <class R>
using chunk_value_t = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

[[noreturn]] inline void cut_short() {
    throw std::length_error("a message between processes is cut short");
}

/// Reads a plain value from the front of `in`; std::length_error if it is not all there.
template <class T>
T take_plain(std::string_view& in) {
    if constexpr (std::is_trivially_copyable_v<T>) {
        if (in.size() < sizeof(T)) {
            cut_short();
        }
        T value;
        std::memcpy(&value, in.data(), sizeof(T));
        in.remove_prefix(sizeof(T));
        return value;
    } else {
        using E = typename T::value_type;
        const auto n = take_plain<std::uint64_t>(in);
        if (n > in.size() / sizeof(E)) {
            cut_short();
        }
        T value(static_cast<std::size_t>(n), E{});
        std::memcpy(value.data(), in.data(), n * sizeof(E));
        in.remove_prefix(n * sizeof(E));
        return value;
    }
}

/// Appends a plain value (the inverse of take_plain).
template <class T>
void put_plain(std::string& out, const T& value) {
    if constexpr (std::is_trivially_copyable_v<T>) {
        out.append(reinterpret_cast<const char*>(&value), sizeof(T));
    } else {
        using E = typename T::value_type;
        put_plain(out, static_cast<std::uint64_t>(value.size()));
        out.append(reinterpret_cast<const char*>(value.data()), value.size() * sizeof(E));
    }
}

template <class F>
void save_callable(OutputArchive& archive, const F& fn) {
    if constexpr (is_function_pointer_v<F>) {
        archive(code_address(fn));
    } else if constexpr (!is_stateless_v<F>) {
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

/// The callable of a plain call.
template <class F>
F take_callable(std::string_view& in) {
    if constexpr (is_function_pointer_v<F>) {
        return function_at<F>(take_plain<CodeAddress>(in));
    } else {
        return F{};
    }
}

template <class F>
void put_callable(std::string& out, const F& fn) {
    if constexpr (is_function_pointer_v<F>) {
        put_plain(out, code_address(fn));
    }
}

template <class... Args>
void read_args(InputArchive& in, std::tuple<Args...>& args) {
    if constexpr (sizeof...(Args) > 0) {
        std::apply([&](auto&... a) { in(a...); }, args);
    }
}

/// Appends a result: its bytes if plain, else serialised.
template <class R>
void put_result(std::string& out, const R& value) {
    if constexpr (is_plain_v<R>) {
        put_plain(out, value);
    } else {
        dump_into(out, value);
    }
}

/// A call's result from an answer made by put_result().
template <class R>
R load_result(std::string_view payload) {
    if constexpr (is_plain_v<R>) {
        return take_plain<R>(payload);
    } else {
        return loads<R>(payload);
    }
}

/// Runs one call: f(args...), its result into `out`.
template <class F, class... Args>
void run_call(std::string_view in, std::string& out) {
    using R = remote_result_t<F, Args...>;
    auto finish = [&](auto& fn, auto& args) {
        // Each argument is used once: moved in, so that move-only ones (a Connection) work.
        auto call = [&](auto&... a) -> decltype(auto) { return fn(std::move(a)...); };
        if constexpr (std::is_void_v<R>) {
            std::apply(call, args);
        } else {
            put_result<R>(out, std::apply(call, args));
        }
    };
    if constexpr (is_plain_call_v<F, Args...>) {
        F fn = take_callable<F>(in);
        std::tuple<Args...> args{take_plain<Args>(in)...};
        finish(fn, args);
    } else {
        ViewSource source(in);
        std::istream stream(&source);
        InputArchive archive(stream);
        F fn = load_callable<F>(archive);
        std::tuple<Args...> args;
        read_args(archive, args);
        close_inherited_fds();
        finish(fn, args);
    }
}

/// Runs a chunk of calls: a count, then each call's arguments; the results in order.
template <class F, class... Args>
void run_chunk(std::string_view in, std::string& out) {
    using R = remote_result_t<F, Args...>;
    if constexpr (sizeof...(Args) == 1 && is_plain_call_v<F, Args...> &&
                  (is_block_v<Args> && ...) && (std::is_void_v<R> || is_block_v<R>)) {
        using A = std::tuple_element_t<0, std::tuple<Args...>>;
        F fn = take_callable<F>(in);
        const auto n = take_plain<std::uint64_t>(in);
        if (in.size() != n * sizeof(A)) {
            throw std::length_error("a message between processes is cut short");
        }
        const std::size_t at = out.size();
        if constexpr (!std::is_void_v<R>) {
            out.resize(at + n * sizeof(R));
        }
        for (std::uint64_t i = 0; i < n; ++i) {
            A a;
            std::memcpy(&a, in.data() + i * sizeof(A), sizeof(A));
            if constexpr (std::is_void_v<R>) {
                fn(a);
            } else {
                const R r = fn(a);
                std::memcpy(out.data() + at + i * sizeof(R), &r, sizeof(R));
            }
        }
    } else if constexpr (sizeof...(Args) == 1 && is_plain_call_v<F, Args...> &&
                         (std::is_void_v<R> || is_plain_v<R>)) {
        F fn = take_callable<F>(in);
        const auto n = take_plain<std::uint64_t>(in);
        for (std::uint64_t i = 0; i < n; ++i) {
            std::tuple<Args...> args{take_plain<Args>(in)...};
            if constexpr (std::is_void_v<R>) {
                std::apply(fn, args);
            } else {
                put_plain(out, std::apply(fn, args));
            }
        }
    } else {
        ViewSource source(in);
        std::istream stream(&source);
        InputArchive archive(stream);
        F fn = load_callable<F>(archive);
        std::uint64_t n = 0;
        archive(n);
        StringSink sink(out);
        std::ostream out_stream(&sink);
        OutputArchive results(out_stream);
        std::tuple<Args...> args;
        for (std::uint64_t i = 0; i < n; ++i) {
            read_args(archive, args);
            if constexpr (std::is_void_v<R>) {
                std::apply(fn, args);
            } else if constexpr (is_plain_v<R>) {
                put_plain(out, std::apply(fn, args)); // as load_chunk() reads a plain result
            } else {
                results(std::apply(fn, args));
            }
        }
    }
}

/// A runner's portable address, found once per runner: not a module-table lookup per message.
template <Runner R>
const CodeAddress& runner_address() {
    static const CodeAddress where = code_address(R);
    return where;
}

/// Serialises `fn(args...)` as a message run_message() can run.
template <class F, class... Args>
void dump_call(std::string& out, const F& fn, const Args&... args) {
    static_assert(must_be_sendable<F>::value && (must_be_picklable<Args>::value && ...));
    put_plain(out, runner_address<&run_call<F, Args...>>());
    if constexpr (is_plain_call_v<F, Args...>) {
        put_callable(out, fn);
        (put_plain(out, args), ...);
    } else {
        StringSink sink(out);
        std::ostream stream(&sink);
        OutputArchive archive(stream);
        save_callable(archive, fn);
        if constexpr (sizeof...(Args) > 0) {
            archive(args...);
        }
    }
}

/// A chunk message for `fn` over `items` (each one argument, or a tuple of them).
template <class F, class... Args, class Item>
void dump_chunk(std::string& out, const F& fn, const std::vector<Item>& items) {
    static_assert(must_be_sendable<F>::value && (must_be_picklable<Args>::value && ...));
    put_plain(out, runner_address<&run_chunk<F, Args...>>());
    const auto n = static_cast<std::uint64_t>(items.size());
    using R = remote_result_t<F, Args...>;
    if constexpr (sizeof...(Args) == 1 && is_plain_call_v<F, Args...> &&
                  (is_block_v<Args> && ...) && (std::is_void_v<R> || is_block_v<R>)) {
        put_callable(out, fn);
        put_plain(out, n);
        out.append(reinterpret_cast<const char*>(items.data()), items.size() * sizeof(Item));
    } else if constexpr (sizeof...(Args) == 1 && is_plain_call_v<F, Args...> &&
                         (std::is_void_v<R> || is_plain_v<R>)) {
        put_callable(out, fn);
        put_plain(out, n);
        for (const Item& item : items) {
            put_plain(out, item);
        }
    } else {
        StringSink sink(out);
        std::ostream stream(&sink);
        OutputArchive archive(stream);
        save_callable(archive, fn);
        archive(n);
        for (const Item& item : items) {
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
    batch.reserve(chunksize);
    std::string message;
    auto flush = [&] {
        message.clear();
        dump_chunk<F, Args...>(message, fn, batch);
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
    } else if constexpr (is_plain_v<V>) {
        for (V& v : values) {
            v = take_plain<V>(payload);
        }
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

/// Runs a message made by dump_call() or dump_chunk(); appends the result to `out`.
/// Exceptions of the call propagate.
void run_message(std::string_view message, std::string& out);

} // namespace concur::multiprocessing::detail
