// Generator<T>: laziness, iteration, ranges, next() and StopIteration, states, lifetimes.
// send/throw/close are in test_generator_send_throw.cpp, yield_from in
// test_generator_yield_from.cpp.
#include <concur/core.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <ranges>
#include <string>
#include <type_traits>
#include <vector>

using concur::Generator;
using concur::GeneratorState;

namespace {

Generator<int> count(int n) {
    for (int i = 0; i < n; ++i) {
        co_yield i;
    }
}

// Counts its destructions, to see that a generator's locals and parameters are destroyed.
struct Tracked {
    int* destroyed;
    explicit Tracked(int* d) : destroyed(d) {}
    Tracked(const Tracked&) = delete;
    Tracked& operator=(const Tracked&) = delete;
    ~Tracked() { ++*destroyed; }
};

template <class G>
std::vector<int> collect(G&& gen) {
    std::vector<int> out;
    for (int x : gen) {
        out.push_back(x);
    }
    return out;
}

} // namespace

static_assert(std::ranges::input_range<Generator<int>>);
static_assert(std::ranges::view<Generator<int>>);
static_assert(!std::ranges::forward_range<Generator<int>>);
static_assert(std::is_same_v<std::ranges::range_reference_t<Generator<int>>, int&>);
static_assert(std::is_same_v<std::ranges::range_value_t<Generator<std::string>>, std::string>);
static_assert(!std::is_copy_constructible_v<Generator<int>>);
static_assert(std::is_nothrow_move_constructible_v<Generator<int>>);
static_assert(std::input_iterator<Generator<int>::iterator>);

TEST(Generator, NothingRunsUntilTheFirstAdvance) {
    bool ran = false;
    auto body = [](bool& flag) -> Generator<int> {
        flag = true;
        co_yield 1;
    };
    auto gen = body(ran);
    EXPECT_FALSE(ran);
    EXPECT_EQ(gen.state(), GeneratorState::GEN_CREATED);
    EXPECT_EQ(gen.next(), 1);
    EXPECT_TRUE(ran);
    EXPECT_EQ(concur::getgeneratorstate(gen), GeneratorState::GEN_SUSPENDED);
}

TEST(Generator, RangeForYieldsEveryValueInOrder) {
    EXPECT_EQ(collect(count(5)), (std::vector<int>{0, 1, 2, 3, 4}));
    EXPECT_EQ(collect(count(0)), std::vector<int>{});
}

TEST(Generator, WorksWithRangeAdaptors) {
    std::vector<int> out;
    for (int x :
         count(10) | std::views::transform([](int i) { return i * i; }) | std::views::take(4)) {
        out.push_back(x);
    }
    EXPECT_EQ(out, (std::vector<int>{0, 1, 4, 9}));
    auto gen = count(4);
    EXPECT_EQ(std::ranges::distance(gen), 4);
}

TEST(Generator, DereferenceIsTheGeneratorsOwnObjectNotACopy) {
    // As in Python, the consumer gets the object the generator yielded: a change made through
    // the reference is seen by the generator.
    auto body = []() -> Generator<int> {
        int x = 1;
        co_yield x;
        co_yield x; // the consumer doubled it
    };
    auto gen = body();
    auto it = gen.begin();
    int* first = &*it;
    *it *= 2;
    ++it;
    EXPECT_EQ(&*it, first);
    EXPECT_EQ(*it, 2);
}

TEST(Generator, AConstLvalueIsYieldedAsAModifiableCopy) {
    auto body = []() -> Generator<std::string> {
        const std::string s = "kept";
        co_yield s;
        co_yield s;
    };
    auto gen = body();
    auto it = gen.begin();
    *it = "changed";
    ++it;
    EXPECT_EQ(*it, "kept");
}

TEST(Generator, ASecondLoopGoesOnWhereTheFirstStopped) {
    // for x in g: break; for x in g: ... continues with the next item, as in Python.
    auto gen = count(5);
    for (int x : gen) {
        EXPECT_EQ(x, 0);
        break;
    }
    EXPECT_EQ(collect(gen), (std::vector<int>{1, 2, 3, 4}));
    EXPECT_EQ(collect(gen), std::vector<int>{});
}

TEST(Generator, NextReturnsEachValueThenRaisesStopIteration) {
    auto gen = count(2);
    EXPECT_EQ(gen.next(), 0);
    EXPECT_EQ(gen.next(), 1);
    EXPECT_THROW(gen.next(), concur::StopIteration);
    EXPECT_THROW(gen.next(), concur::StopIteration); // and again, as in Python
    EXPECT_EQ(gen.state(), GeneratorState::GEN_CLOSED);
}

TEST(Generator, StopIterationIsAnException) {
    static_assert(std::is_base_of_v<std::exception, concur::StopIteration>);
    try {
        count(0).next();
        FAIL() << "no StopIteration";
    } catch (const std::exception& e) {
        EXPECT_NE(dynamic_cast<const concur::StopIteration*>(&e), nullptr);
        EXPECT_STREQ(e.what(), ""); // str(StopIteration()) == ''
    }
}

TEST(Generator, NextCopiesAnLvalueAndMovesAnRvalue) {
    auto body = []() -> Generator<std::string> {
        std::string local(100, 'a');
        co_yield local;                 // the generator keeps using local: next() copies it
        EXPECT_EQ(local.size(), 100U);  // still whole
        co_yield std::string(100, 'b'); // a temporary: next() takes it
        co_yield std::move(local);      // the generator gives local away
        EXPECT_TRUE(local.empty());     // NOLINT(bugprone-use-after-move): moved out by next()
    };
    auto gen = body();
    EXPECT_EQ(gen.next(), std::string(100, 'a'));
    EXPECT_EQ(gen.next(), std::string(100, 'b'));
    EXPECT_EQ(gen.next(), std::string(100, 'a'));
    EXPECT_THROW(gen.next(), concur::StopIteration);
}

TEST(Generator, MoveOnlyValues) {
    auto body = []() -> Generator<std::unique_ptr<int>> {
        for (int i = 0; i < 3; ++i) {
            co_yield std::make_unique<int>(i);
        }
        auto last = std::make_unique<int>(3);
        co_yield std::move(last);
    };
    auto gen = body();
    std::unique_ptr<int> first = gen.next();
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, 0);
    std::vector<std::unique_ptr<int>> rest;
    for (auto& p : gen) {
        rest.push_back(std::move(p));
    }
    ASSERT_EQ(rest.size(), 3U);
    EXPECT_EQ(*rest[0], 1);
    EXPECT_EQ(*rest[2], 3);
}

TEST(Generator, GeneratorsOfGenerators) {
    auto rows = [](int n) -> Generator<Generator<int>> {
        for (int i = 1; i <= n; ++i) {
            co_yield count(i);
        }
    };
    std::vector<std::vector<int>> out;
    for (auto& row : rows(3)) {
        out.push_back(collect(row));
    }
    EXPECT_EQ(out, (std::vector<std::vector<int>>{{0}, {0, 1}, {0, 1, 2}}));
    auto gen = rows(2);
    Generator<int> kept = gen.next(); // moved out: outlives the next advance
    gen.next();
    EXPECT_EQ(collect(kept), std::vector<int>{0});
}

TEST(Generator, DestroyedBeforeItStartedRunsNothingAndFreesItsParameters) {
    int destroyed = 0;
    bool ran = false;
    {
        auto body = [](std::unique_ptr<Tracked> /*p*/, bool& flag) -> Generator<int> {
            flag = true;
            co_yield 1;
        };
        auto gen = body(std::make_unique<Tracked>(&destroyed), ran);
        EXPECT_EQ(destroyed, 0);
    }
    EXPECT_FALSE(ran);
    EXPECT_EQ(destroyed, 1);
}

TEST(Generator, DestroyingASuspendedGeneratorDestroysItsLocals) {
    int destroyed = 0;
    auto body = [](int& d) -> Generator<int> {
        Tracked a(&d);
        co_yield 1;
        Tracked b(&d);
        co_yield 2;
        co_yield 3;
    };
    {
        auto gen = body(destroyed);
        EXPECT_EQ(gen.next(), 1);
        EXPECT_EQ(gen.next(), 2);
        EXPECT_EQ(destroyed, 0);
    }
    EXPECT_EQ(destroyed, 2);
}

TEST(Generator, MovedFromIsClosedAndMoveAssignmentClosesTheOldGenerator) {
    int destroyed = 0;
    auto body = [](int& d) -> Generator<int> {
        Tracked t(&d);
        co_yield 1;
        co_yield 2;
    };
    auto a = body(destroyed);
    EXPECT_EQ(a.next(), 1);
    Generator<int> b = std::move(a);
    EXPECT_EQ(a.state(), GeneratorState::GEN_CLOSED); // NOLINT(bugprone-use-after-move)
    EXPECT_THROW(a.next(), concur::StopIteration);
    EXPECT_TRUE(collect(a).empty());
    EXPECT_EQ(b.next(), 2); // goes on where a was
    b = count(1);           // the old frame, suspended, is destroyed
    EXPECT_EQ(destroyed, 1);
    EXPECT_EQ(collect(b), std::vector<int>{0});
}

TEST(Generator, StatesAndGiRunningSeenFromInside) {
    struct Probe {
        Generator<int>* self = nullptr;
        GeneratorState seen = GeneratorState::GEN_CLOSED;
        bool running = false;
        bool reentry_refused = false;
    } probe;
    auto body = [](Probe& p) -> Generator<int> {
        p.seen = p.self->state();
        p.running = p.self->gi_running();
        try {
            p.self->next(); // Python: ValueError: generator already executing
        } catch (const concur::ValueError& e) {
            p.reentry_refused = std::string(e.what()) == "generator already executing";
        }
        co_yield 1;
    };
    auto gen = body(probe);
    probe.self = &gen;
    EXPECT_FALSE(gen.gi_running());
    for (int x : gen) {
        EXPECT_EQ(x, 1);
        EXPECT_EQ(gen.state(), GeneratorState::GEN_SUSPENDED);
    }
    EXPECT_EQ(probe.seen, GeneratorState::GEN_RUNNING);
    EXPECT_TRUE(probe.running);
    EXPECT_TRUE(probe.reentry_refused);
    EXPECT_EQ(gen.state(), GeneratorState::GEN_CLOSED);
}

TEST(Generator, ConversionsToTheYieldedType) {
    auto body = []() -> Generator<std::string> {
        co_yield "literal";
        const char* p = "pointer";
        co_yield p;
    };
    auto gen = body();
    EXPECT_EQ(gen.next(), "literal");
    EXPECT_EQ(gen.next(), "pointer");
}
