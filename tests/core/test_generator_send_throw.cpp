// Generator<T, Send>: send() (PEP 342), throw_(), close(), and exceptions raised by the body.
#include <concur/core.hpp>
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using concur::Generator;
using concur::GeneratorState;

namespace {

struct Tracked {
    int* destroyed;
    explicit Tracked(int* d) : destroyed(d) {}
    Tracked(const Tracked&) = delete;
    Tracked& operator=(const Tracked&) = delete;
    ~Tracked() { ++*destroyed; }
};

// def accumulator(): total = 0; while True: x = yield total; if x is None: return; total += x
Generator<long, long> accumulator() {
    long total = 0;
    while (true) {
        const std::optional<long> x = co_yield total;
        if (!x) {
            co_return;
        }
        total += *x;
    }
}

// Yields 1, 2, 3; a ValueError thrown in is answered with -1, and it goes on. C++ forbids
// co_yield inside a catch handler: the handler records, the co_yield follows it.
Generator<int> resilient() {
    for (int i = 1; i <= 3; ++i) {
        bool caught = false;
        try {
            co_yield i;
        } catch (const concur::ValueError&) {
            caught = true;
        }
        if (caught) {
            co_yield -1;
        }
    }
}

} // namespace

TEST(GeneratorSend, TheSentValueIsTheResultOfCoYield) {
    auto acc = accumulator();
    EXPECT_EQ(acc.next(), 0);
    EXPECT_EQ(acc.send(10), 10);
    EXPECT_EQ(acc.send(5), 15);
    EXPECT_THROW(acc.next(), concur::StopIteration); // next() sends None: it returns
    EXPECT_THROW(acc.send(1), concur::StopIteration);
}

TEST(GeneratorSend, NextAndIterationSendNone) {
    auto body = []() -> Generator<int, std::string> {
        std::vector<std::optional<std::string>> got;
        for (int i = 0; i < 3; ++i) {
            got.push_back(co_yield i);
        }
        EXPECT_EQ(got, (std::vector<std::optional<std::string>>{std::nullopt, "x", std::nullopt}));
    };
    auto gen = body();
    auto it = gen.begin();
    EXPECT_EQ(*it, 0);
    ++it;
    EXPECT_EQ(gen.send("x"), 2);
    EXPECT_THROW(gen.next(), concur::StopIteration);
}

TEST(GeneratorSend, ASendIntoAJustStartedGeneratorIsATypeError) {
    auto acc = accumulator();
    try {
        acc.send(1);
        FAIL() << "no TypeError";
    } catch (const concur::TypeError& e) {
        EXPECT_STREQ(e.what(), "can't send non-None value to a just-started generator");
    }
    EXPECT_EQ(acc.state(), GeneratorState::GEN_CREATED); // unchanged, as in Python
    EXPECT_EQ(acc.next(), 0);
    EXPECT_EQ(acc.send(1), 1);
}

TEST(GeneratorSend, AMoveOnlySentValueIsMovedIn) {
    auto body = []() -> Generator<int, std::unique_ptr<int>> {
        auto p = co_yield 0;
        co_yield **p;
    };
    auto gen = body();
    gen.next();
    EXPECT_EQ(gen.send(std::make_unique<int>(7)), 7);
}

TEST(GeneratorThrow, CaughtInsideTheGeneratorWhichYieldsAgain) {
    auto gen = resilient();
    EXPECT_EQ(gen.next(), 1);
    EXPECT_EQ(gen.throw_(concur::ValueError("bad")), -1); // the except clause's yield
    EXPECT_EQ(gen.next(), 2);
    EXPECT_EQ(gen.throw_(std::make_exception_ptr(concur::ValueError("bad"))), -1);
    EXPECT_EQ(gen.next(), 3);
    EXPECT_THROW(gen.next(), concur::StopIteration);
}

TEST(GeneratorThrow, NotCaughtItPropagatesAndTheGeneratorIsClosed) {
    int destroyed = 0;
    auto body = [](int& d) -> Generator<int> {
        Tracked t(&d);
        co_yield 1;
        co_yield 2;
    };
    auto gen = body(destroyed);
    EXPECT_EQ(gen.next(), 1);
    EXPECT_THROW(gen.throw_(std::runtime_error("boom")), std::runtime_error);
    EXPECT_EQ(destroyed, 1); // unwound through the body
    EXPECT_EQ(gen.state(), GeneratorState::GEN_CLOSED);
    EXPECT_THROW(gen.next(), concur::StopIteration);
}

TEST(GeneratorThrow, CaughtAndReturningIsStopIteration) {
    auto body = []() -> Generator<int> {
        try {
            co_yield 1;
        } catch (const std::runtime_error&) {
        }
    };
    auto gen = body();
    gen.next();
    EXPECT_THROW(gen.throw_(std::runtime_error("x")), concur::StopIteration);
}

TEST(GeneratorThrow, IntoANotStartedGeneratorRaisesAtOnceAndClosesIt) {
    bool ran = false;
    auto body = [](bool& flag) -> Generator<int> {
        flag = true;
        co_yield 1;
    };
    auto gen = body(ran);
    EXPECT_THROW(gen.throw_(concur::ValueError("early")), concur::ValueError);
    EXPECT_FALSE(ran);
    EXPECT_EQ(gen.state(), GeneratorState::GEN_CLOSED);
}

TEST(GeneratorThrow, IntoAnExhaustedGeneratorRaisesTheException) {
    Generator<int> gen = resilient();
    while (true) {
        try {
            gen.next();
        } catch (const concur::StopIteration&) {
            break;
        }
    }
    EXPECT_THROW(gen.throw_(concur::ValueError("late")), concur::ValueError);
    EXPECT_THROW(gen.throw_(std::exception_ptr()), concur::TypeError);
}

TEST(GeneratorClose, DestroysTheSuspendedLocalsAndEndsTheGenerator) {
    int destroyed = 0;
    bool after = false;
    auto body = [](int& d, bool& reached) -> Generator<int> {
        Tracked a(&d);
        {
            Tracked b(&d);
            co_yield 1;
        }
        reached = true;
        co_yield 2;
    };
    auto gen = body(destroyed, after);
    EXPECT_EQ(gen.next(), 1);
    gen.close();
    EXPECT_EQ(destroyed, 2);
    EXPECT_FALSE(after);
    EXPECT_EQ(gen.state(), GeneratorState::GEN_CLOSED);
    EXPECT_THROW(gen.next(), concur::StopIteration);
    gen.close(); // closing a closed generator does nothing, as in Python
    auto fresh = body(destroyed, after);
    fresh.close(); // not started: nothing ran, nothing to destroy
    EXPECT_EQ(destroyed, 2);
}

TEST(GeneratorExceptions, RaisedAtTheAdvanceThatRanIntoThem) {
    auto body = []() -> Generator<int> {
        co_yield 1;
        co_yield 2;
        throw std::out_of_range("third");
    };
    auto gen = body();
    auto it = gen.begin();
    EXPECT_EQ(*it, 1);
    ++it;
    EXPECT_EQ(*it, 2);
    EXPECT_THROW(++it, std::out_of_range);
    EXPECT_TRUE(it == gen.end()); // finished by the exception
    EXPECT_EQ(gen.state(), GeneratorState::GEN_CLOSED);
    EXPECT_THROW(gen.next(), concur::StopIteration); // raised once only
}

TEST(GeneratorExceptions, FromTheFirstAdvance) {
    auto body = []() -> Generator<int> {
        throw std::logic_error("at once");
        co_yield 1;
    };
    auto gen = body();
    EXPECT_THROW(gen.begin(), std::logic_error);
    auto other = body();
    EXPECT_THROW(other.next(), std::logic_error);
    auto third = body();
    EXPECT_THROW(
        {
            for (int x : third) {
                (void)x;
            }
        },
        std::logic_error);
}

TEST(GeneratorExceptions, StopIterationEscapingTheBodyBecomesRuntimeError) {
    // PEP 479: calling next() on an exhausted iterator inside a generator and letting the
    // StopIteration out is an error, not a silent end.
    auto body = []() -> Generator<int> {
        auto inner = []() -> Generator<int> { co_return; }();
        co_yield inner.next();
    };
    auto gen = body();
    try {
        gen.next();
        FAIL() << "no RuntimeError";
    } catch (const concur::RuntimeError& e) {
        EXPECT_STREQ(e.what(), "generator raised StopIteration");
        const auto* nested = dynamic_cast<const std::nested_exception*>(&e);
        ASSERT_NE(nested, nullptr); // the StopIteration is its cause
        EXPECT_THROW(nested->rethrow_nested(), concur::StopIteration);
    }
}
