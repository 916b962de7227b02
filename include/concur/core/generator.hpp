// Python's generators as a C++20 coroutine type: lazy, iterable, with next/send/throw/close
// (PEP 255, PEP 342) and delegation, `yield from` (PEP 380).
//
//   concur::Generator<int> count(int n) {
//       for (int i = 0; i < n; ++i) co_yield i;
//   }
//   for (int x : count(3)) { ... }                      // for x in count(3): ...
//
// How it works. Every generator of a delegation chain keeps a pointer to the outermost one, the
// root; the root holds the pointer to the current value and the handle of the innermost active
// generator, the leaf. An advance resumes the leaf directly, and the leaf's co_yield stores the
// address of its value in the root: one item costs one indirect call and a few stores whatever
// the depth of delegation. Values are not copied: the consumer reads the yielded object where it
// lives, in the generator's frame, until the next advance.
//
// A delegation that begins or ends suspends back to the root's advance, which then resumes the
// new leaf (a trampoline): no chain of delegations, however long, grows the stack, as symmetric
// transfer would where the compiler does not make it a tail call (-O0, -O1). send() and throw_()
// leave their value or exception in the leaf's promise, which its co_yield returns or raises.
#pragma once

#include "concur/core/exceptions.hpp"
#include "concur/core/slot_pool.hpp"

#include <coroutine>
#include <cstddef>
#include <exception>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <type_traits>
#include <utility>

namespace concur {

template <class T, class Send = void>
class Generator;

/// inspect.getgeneratorstate()'s answers: not started, running, suspended at a co_yield, or
/// finished (returned, raised, closed or moved from).
enum class GeneratorState { GEN_CREATED, GEN_RUNNING, GEN_SUSPENDED, GEN_CLOSED };

/// What yield_from() returns: the iterable to delegate to, held by value when it was given as
/// an rvalue, by reference otherwise (R is then a reference type).
template <class R>
struct YieldFrom {
    R iterable;
};

/// Python's `yield from iterable`, written `co_yield concur::yield_from(iterable)`: yields every
/// item of the iterable. To a Generator of the same type it also passes send() and throw_(), and
/// an exception it raises comes out of the co_yield; a borrowed generator is closed afterwards.
template <std::ranges::input_range R>
[[nodiscard]] YieldFrom<R> yield_from(R&& iterable) {
    return {std::forward<R>(iterable)};
}

namespace detail {

// What throw_() accepts besides an exception_ptr: an exception object, of any class type.
template <class E>
concept ExceptionObject = std::is_class_v<std::remove_cvref_t<E>> &&
    !std::is_same_v<std::remove_cvref_t<E>, std::exception_ptr>;

// The type of the parameter of send(): Send, or an unusable placeholder when Send is void, so
// that the declaration of send() is well formed (its requires-clause then removes it).
struct NoSend {
    NoSend() = delete;
};
template <class Send>
using SendParameter = std::conditional_t<std::is_void_v<Send>, NoSend, Send>;

template <class T, class Send>
class GeneratorPromise {
public:
    using Handle = std::coroutine_handle<GeneratorPromise>;

    // What `co_yield value` evaluates to: nothing, or the value sent (std::nullopt, Python's
    // None, when the generator was advanced by next() or iteration).
    using YieldResult = std::conditional_t<std::is_void_v<Send>, void, std::optional<Send>>;

    // Frames come from the slot pool when they fit a slot (most do), else from operator new.
    static void* operator new(std::size_t size) { return allocate_slot(size); }
    static void operator delete(void* frame, std::size_t size) noexcept { free_slot(frame, size); }

    Generator<T, Send> get_return_object() noexcept {
        return Generator<T, Send>(Handle::from_promise(*this));
    }
    std::suspend_always initial_suspend() const noexcept { return {}; }

    // The awaiter of a plain co_yield: suspends, then raises what throw_() left, or returns
    // what send() left.
    struct YieldAwaiter {
        GeneratorPromise* self;
        bool await_ready() const noexcept { return false; }
        void await_suspend(Handle) const noexcept {}
        YieldResult await_resume() const {
            if (self->thrown_) [[unlikely]] {
                self->raise_thrown();
            }
            if constexpr (!std::is_void_v<Send>) {
                if (Send* sent = std::exchange(self->sent_, nullptr)) {
                    return std::optional<Send>(std::move(*sent));
                }
                return std::nullopt;
            }
        }
    };

    // A const lvalue is copied into the awaiter (in the frame), so that the consumer can be
    // given a T& without ever writing to a const object.
    struct CopyAwaiter : YieldAwaiter {
        T copy;
        void await_suspend(Handle) noexcept {
            this->self->root_->value_ = std::addressof(copy);
            this->self->root_->movable_ = true;
        }
    };

    // The awaiter of `co_yield yield_from(sub)`: makes sub's leaf the leaf of this chain, which
    // the root's advance() then resumes; comes back when sub has finished, raising what sub
    // raised.
    struct DelegateAwaiter {
        GeneratorPromise* self;
        Generator<T, Send> owned;
        Generator<T, Send>* borrowed;

        DelegateAwaiter(GeneratorPromise* s, Generator<T, Send> o, Generator<T, Send>* b) noexcept
            : self(s), owned(std::move(o)), borrowed(b) {}
        DelegateAwaiter(const DelegateAwaiter&) = delete;
        DelegateAwaiter& operator=(const DelegateAwaiter&) = delete;
        // A delegation left unfinished (the delegating generator was closed) closes the
        // sub-generator, as PEP 380 says; an owned one is closed by its own destructor.
        ~DelegateAwaiter() {
            if (borrowed != nullptr) {
                borrowed->destroy_frame();
            }
        }

        Generator<T, Send>& sub() noexcept { return borrowed != nullptr ? *borrowed : owned; }

        bool await_ready() noexcept { return !sub().h_ || sub().h_.done(); }

        void await_suspend(Handle delegating) noexcept {
            GeneratorPromise& sub_root = sub().h_.promise();
            GeneratorPromise* root = self->root_;
            // sub may be suspended inside a delegation of its own: every generator of its
            // chain, from its leaf up to sub, now belongs to this chain.
            for (GeneratorPromise* p = &sub_root.leaf_.promise();; p = &p->parent_.promise()) {
                p->root_ = root;
                if (p == &sub_root) {
                    break;
                }
            }
            sub_root.parent_ = delegating;
            // Seen from its own handle, a borrowed sub-generator is running until the delegation
            // ends: advancing it directly meanwhile is refused, not undefined.
            sub_root.started_ = true;
            sub_root.value_ = nullptr;
            root->leaf_ = sub_root.leaf_;
        }

        void await_resume() {
            if (sub().h_) {
                if (std::exception_ptr error = std::exchange(sub().h_.promise().error_, nullptr)) {
                    std::rethrow_exception(error);
                }
            }
        }
    };

    YieldAwaiter yield_value(T& value) noexcept {
        root_->value_ = std::addressof(value);
        return {this};
    }
    YieldAwaiter yield_value(T&& value) noexcept {
        root_->value_ = std::addressof(value);
        root_->movable_ = true; // see take_value()
        return {this};
    }
    CopyAwaiter yield_value(const T& value) requires std::copy_constructible<T> {
        return {{this}, value};
    }
    template <class R>
    DelegateAwaiter yield_value(YieldFrom<R>&& from) {
        using Sub = std::remove_cvref_t<R>;
        if constexpr (std::is_same_v<Sub, Generator<T, Send>>) {
            if constexpr (std::is_reference_v<R>) {
                check_delegation(from.iterable);
                return {this, Generator<T, Send>(), std::addressof(from.iterable)};
            } else {
                check_delegation(from.iterable);
                return {this, std::move(from.iterable), nullptr};
            }
        } else {
            static_assert(std::is_convertible_v<std::ranges::range_reference_t<Sub&>, T>,
                          "yield_from(r): r's items must convert to the generator's type T");
            return {this, iterate<R>(std::forward<R>(from.iterable)), nullptr};
        }
    }

    void return_void() const noexcept {}

    // Keeps the exception for the advance (or the delegating generator) that ran into it.
    // PEP 479: a StopIteration escaping a generator's body becomes a RuntimeError.
    void unhandled_exception() {
        try {
            throw;
        } catch (const StopIteration&) {
            try {
                std::throw_with_nested(RuntimeError("generator raised StopIteration"));
            } catch (...) {
                error_ = std::current_exception();
            }
        } catch (...) {
            error_ = std::current_exception();
        }
    }

    // At the end, the generator delegating to this one, if any, becomes the leaf again.
    struct FinalAwaiter {
        bool await_ready() const noexcept { return false; }
        void await_suspend(Handle h) const noexcept {
            GeneratorPromise& p = h.promise();
            if (p.parent_) {
                p.root_->leaf_ = p.parent_;
            }
        }
        void await_resume() const noexcept {}
    };
    FinalAwaiter final_suspend() const noexcept { return {}; }

    // The root's advance: resume the leaf until a co_yield has set value_, or the generator
    // has finished, raising the exception that ended it, if any. value_ is null while the
    // generator runs, which is also how gi_running is known without another store per item.
    void advance() {
        value_ = nullptr;
        leaf_.resume();
        while (value_ == nullptr)
            [[unlikely]] {
                // A delegation began or ended (leaf_ has changed), or the generator has finished.
                if (Handle::from_promise(*this).done()) {
                    raise_error();
                    return;
                }
                leaf_.resume();
            }
    }

    // gi_running: started, not finished, and not suspended at a co_yield.
    [[nodiscard]] bool running() const noexcept {
        return started_ && value_ == nullptr &&
               !Handle::from_promise(const_cast<GeneratorPromise&>(*this)).done();
    }

    // Out of line and cold, so that the co_yield's fast path needs no stack frame of its own.
    [[noreturn, gnu::cold, gnu::noinline]] void raise_thrown() {
        std::rethrow_exception(std::exchange(thrown_, nullptr));
    }

    void raise_error() {
        if (error_) {
            std::rethrow_exception(std::exchange(error_, nullptr));
        }
    }

    // next()'s copy of the current value: moved out when it was yielded as an rvalue (or is
    // move-only), copied when it is an lvalue the generator may use again. movable_ is reset by
    // next(), send() and throw_() before they resume, so that a co_yield of an lvalue (the
    // common case, on iteration's fast path) need not store it.
    T take_value() {
        if constexpr (std::is_copy_constructible_v<T>) {
            if (!movable_) {
                return *value_;
            }
        }
        return std::move(*value_);
    }

    // Fields of every generator of a chain.
    GeneratorPromise* root_ = this;           // the outermost generator of the chain
    Handle parent_;                           // the generator delegating to this one, if any
    std::exception_ptr error_;                // what ended this generator, until delivered
    std::exception_ptr thrown_;               // throw_(): to raise at this generator's co_yield
    std::add_pointer_t<Send> sent_ = nullptr; // send(): the value of this generator's co_yield
    // Fields used in the root only.
    T* value_ = nullptr; // the current value; null before the first co_yield and while running
    Handle leaf_ = Handle::from_promise(*this); // the generator an advance resumes
    bool movable_ = false;                      // value_ was yielded as an rvalue
    bool started_ = false;                      // advanced at least once (not GEN_CREATED)

private:
    // Python's ValueError for a generator delegating to itself or to one of its delegators.
    void check_delegation(Generator<T, Send>& sub) const {
        if (sub.h_ && (sub.h_.promise().root_ == root_ || sub.h_.promise().running())) {
            throw ValueError("generator already executing");
        }
    }

    // yield_from() of a range, or of a generator of another type: a sub-generator that walks
    // it. The range is a reference, or owned by this frame; either way it outlives the walk.
    template <class R>
    static Generator<T, Send> iterate(R iterable) {
        for (auto&& item : iterable) {
            co_yield std::forward<decltype(item)>(item);
        }
    }
};

} // namespace detail

/// A generator: the result of calling a coroutine whose body uses `co_yield`. Nothing runs until
/// the first advance (begin(), next()); then each advance runs the body to its next co_yield.
/// With Send non-void, `co_yield x` evaluates to the std::optional<Send> sent, or std::nullopt.
/// Move-only; destroying it closes it.
template <class T, class Send>
class Generator : public std::ranges::view_interface<Generator<T, Send>> {
    static_assert(std::is_object_v<T> && !std::is_const_v<T>,
                  "Generator<T>: T must be a non-const object type (not a reference or void)");
    static_assert(std::is_void_v<Send> || std::is_object_v<Send>,
                  "Generator<T, Send>: Send must be void or an object type");

public:
    using promise_type = detail::GeneratorPromise<T, Send>;

    /// The input iterator of a generator: `*it` is the current value, valid until the next
    /// advance; `++it` advances (and throws what the generator raises).
    class iterator {
    public:
        using iterator_concept = std::input_iterator_tag;
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using reference = T&;

        iterator() noexcept = default;

        reference operator*() const noexcept { return *h_.promise().value_; }
        iterator& operator++() {
            h_.promise().advance();
            return *this;
        }
        void operator++(int) { ++*this; }
        // After an advance, no value means finished. A closed generator has no frame (the null
        // test is loop-invariant: free in a loop).
        friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept {
            return !it.h_ || it.h_.promise().value_ == nullptr;
        }

    private:
        friend class Generator;
        explicit iterator(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}
        std::coroutine_handle<promise_type> h_;
    };

    Generator(Generator&& other) noexcept : h_(std::exchange(other.h_, nullptr)) {}
    Generator& operator=(Generator&& other) noexcept {
        if (this != &other) {
            destroy_frame();
            h_ = std::exchange(other.h_, nullptr);
        }
        return *this;
    }
    ~Generator() { destroy_frame(); }

    /// iter(gen) and the first next(): runs the generator to its next co_yield. A generator
    /// already advanced goes on from where it is, as a second `for` loop over it does in Python.
    iterator begin() {
        if (h_ && !h_.done()) {
            prepare_resume();
            h_.promise().advance();
        }
        return iterator(h_);
    }
    /// The end of the iteration: compares equal to an iterator whose generator has finished.
    [[nodiscard]] std::default_sentinel_t end() const noexcept { return {}; }

    /// next(gen): runs the generator to its next co_yield and returns that value (moved when
    /// yielded as an rvalue, else copied). Raises StopIteration if it is exhausted.
    T next() {
        if (!h_ || h_.done()) {
            throw StopIteration();
        }
        prepare_resume();
        return resume();
    }

    /// gen.send(value): resumes the generator, its co_yield evaluating to value, and returns
    /// the next value yielded. TypeError if it has not started; StopIteration if it is exhausted.
    T send(detail::SendParameter<Send> value) requires(!std::is_void_v<Send>) {
        if (!h_ || h_.done()) {
            throw StopIteration();
        }
        if (!h_.promise().started_) {
            throw TypeError("can't send non-None value to a just-started generator");
        }
        prepare_resume();
        h_.promise().leaf_.promise().sent_ = std::addressof(value);
        return resume();
    }

    /// gen.throw(exc): raises exc at the co_yield where the generator is suspended and returns
    /// the next value it yields; exc (or what replaces it) propagates if the generator lets it
    /// out, StopIteration if it returns. A generator not started or finished raises exc at once.
    T throw_(std::exception_ptr exc) {
        if (!exc) {
            throw TypeError("throw_() expects an exception");
        }
        if (!h_ || h_.done()) {
            std::rethrow_exception(exc);
        }
        if (!h_.promise().started_) {
            destroy_frame(); // it would raise exc at its first line, and end
            std::rethrow_exception(exc);
        }
        prepare_resume();
        h_.promise().leaf_.promise().thrown_ = std::move(exc);
        return resume();
    }
    /// gen.throw(exc) with the exception object itself.
    template <class E>
    T throw_(E&& exc) requires detail::ExceptionObject<E> {
        return throw_(std::make_exception_ptr(std::forward<E>(exc)));
    }

    /// gen.close(): finishes the generator now: its suspended locals are destroyed (their
    /// destructors run, as Python's finally blocks do), and with them any sub-generator.
    void close() {
        check_not_running();
        destroy_frame();
    }

    /// gen.gi_running: the generator is executing (it is being advanced).
    [[nodiscard]] bool gi_running() const noexcept { return h_ && h_.promise().running(); }

    /// inspect.getgeneratorstate(gen).
    [[nodiscard]] GeneratorState state() const noexcept {
        if (!h_ || h_.done()) {
            return GeneratorState::GEN_CLOSED;
        }
        if (!h_.promise().started_) {
            return GeneratorState::GEN_CREATED;
        }
        return h_.promise().running() ? GeneratorState::GEN_RUNNING : GeneratorState::GEN_SUSPENDED;
    }

private:
    friend promise_type;

    explicit Generator(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}

    Generator() noexcept = default; // for yield_from() of a borrowed generator

    void check_not_running() const {
        if (h_ && h_.promise().running()) {
            throw ValueError("generator already executing");
        }
    }

    // What every advance but the iteration step does first (++ needs none of it: it follows
    // begin() or another advance, and reads no movable_).
    void prepare_resume() {
        check_not_running();
        h_.promise().started_ = true;
        h_.promise().movable_ = false;
    }

    // next(), send(), throw_(), after prepare_resume(): advance and return the value yielded.
    T resume() {
        promise_type& root = h_.promise();
        root.advance();
        if (h_.done()) {
            throw StopIteration();
        }
        return root.take_value();
    }

    void destroy_frame() noexcept {
        if (h_) {
            std::exchange(h_, nullptr).destroy();
        }
    }

    std::coroutine_handle<promise_type> h_;
};

/// inspect.getgeneratorstate(gen): GEN_CREATED, GEN_RUNNING, GEN_SUSPENDED or GEN_CLOSED.
template <class T, class Send>
[[nodiscard]] GeneratorState getgeneratorstate(const Generator<T, Send>& gen) noexcept {
    return gen.state();
}

} // namespace concur
