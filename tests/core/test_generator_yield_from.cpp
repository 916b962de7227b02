// co_yield yield_from(...): Python's `yield from` (PEP 380).
#include <concur/core.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using concur::Generator;
using concur::GeneratorState;
using concur::yield_from;

namespace {

template <class G>
std::vector<int> collect(G&& gen) {
    std::vector<int> out;
    for (int x : gen) {
        out.push_back(x);
    }
    return out;
}

Generator<int> count(int n) {
    for (int i = 0; i < n; ++i) {
        co_yield i;
    }
}

Generator<int> leaf(int base) {
    co_yield base;
    co_yield base + 1;
}
Generator<int> middle(int base) {
    co_yield base;
    co_yield yield_from(leaf(base + 10));
    co_yield base + 2;
}
Generator<int> top() {
    co_yield 0;
    co_yield yield_from(middle(100));
    co_yield 1;
}

// Records its destruction in a shared log, to check the order of cleanup.
struct Logged {
    std::vector<std::string>* log;
    std::string name;
    ~Logged() { log->push_back(name); }
};

// Sends: each level answers what it is sent with its own tag, to show who received it.
Generator<std::string, std::string> echo(std::string tag, int n) {
    std::optional<std::string> got;
    for (int i = 0; i < n; ++i) {
        got = co_yield tag + ":" + got.value_or("None");
    }
}
Generator<std::string, std::string> echo_via(std::string tag, int depth) {
    if (depth == 0) {
        co_yield yield_from(echo(tag, 2));
    } else {
        co_yield yield_from(echo_via(tag, depth - 1));
    }
    co_yield "after " + std::to_string(depth);
}

struct Tree {
    int value;
    std::unique_ptr<Tree> left, right;
};
Generator<int> inorder(const Tree* t) {
    if (t != nullptr) {
        co_yield yield_from(inorder(t->left.get()));
        co_yield t->value;
        co_yield yield_from(inorder(t->right.get()));
    }
}

} // namespace

TEST(GeneratorYieldFrom, NestedThreeDeep) {
    EXPECT_EQ(collect(top()), (std::vector<int>{0, 100, 110, 111, 102, 1}));
}

TEST(GeneratorYieldFrom, RecursiveDelegation) {
    // A degenerate tree (a list to the right, 300 deep) and a balanced one.
    auto root = std::make_unique<Tree>(Tree{0, nullptr, nullptr});
    Tree* last = root.get();
    for (int i = 1; i < 300; ++i) {
        last->right = std::make_unique<Tree>(Tree{i, nullptr, nullptr});
        last = last->right.get();
    }
    std::vector<int> expected;
    for (int i = 0; i < 300; ++i) {
        expected.push_back(i);
    }
    EXPECT_EQ(collect(inorder(root.get())), expected);
    Tree balanced{2, std::make_unique<Tree>(Tree{1, nullptr, nullptr}),
                  std::make_unique<Tree>(Tree{3, nullptr, nullptr})};
    EXPECT_EQ(collect(inorder(&balanced)), (std::vector<int>{1, 2, 3}));
}

Generator<long> chain(long depth) {
    co_yield depth;
    if (depth > 0) {
        co_yield yield_from(chain(depth - 1));
    }
}

TEST(GeneratorYieldFrom, ALongChainOfDelegationsDoesNotGrowTheStack) {
    // 100,000 generators finish one after the other at the end: each hands control back to the
    // root's advance, not to its delegator by a call (which overflows the stack at -O0 and -O1).
    const long depth = 100000;
    long sum = 0;
    long items = 0;
    for (long x : chain(depth)) {
        sum += x;
        ++items;
    }
    EXPECT_EQ(items, depth + 1);
    EXPECT_EQ(sum, depth * (depth + 1) / 2);
}

TEST(GeneratorYieldFrom, SendReachesTheInnermostGenerator) {
    auto gen = echo_via("leaf", 2); // three generators deep
    EXPECT_EQ(gen.next(), "leaf:None");
    EXPECT_EQ(gen.send("a"), "leaf:a");
    // The leaf returns on this advance; each delegator goes on after its yield_from.
    EXPECT_EQ(gen.send("b"), "after 0");
    EXPECT_EQ(gen.next(), "after 1");
    EXPECT_EQ(gen.next(), "after 2");
    EXPECT_THROW(gen.next(), concur::StopIteration);
}

TEST(GeneratorYieldFrom, ThrowCaughtByTheInnermostGenerator) {
    auto inner = []() -> Generator<int> {
        bool caught = false;
        try {
            co_yield 1;
        } catch (const concur::ValueError&) {
            caught = true;
        }
        co_yield caught ? -1 : 2;
    };
    auto outer = [](Generator<int> sub) -> Generator<int> {
        co_yield yield_from(std::move(sub));
        co_yield 99;
    };
    auto gen = outer(inner());
    EXPECT_EQ(gen.next(), 1);
    EXPECT_EQ(gen.throw_(concur::ValueError("in")), -1);
    EXPECT_EQ(gen.next(), 99);
}

TEST(GeneratorYieldFrom, ThrowNotCaughtByTheSubGeneratorReachesTheDelegator) {
    std::vector<std::string> log;
    auto inner = [](std::vector<std::string>& l) -> Generator<int> {
        Logged guard{&l, "inner"};
        co_yield 1;
        co_yield 2;
    };
    auto outer = [](Generator<int> sub) -> Generator<int> {
        bool caught = false;
        try {
            co_yield yield_from(std::move(sub));
        } catch (const std::runtime_error&) {
            caught = true;
        }
        co_yield caught ? 42 : 0;
    };
    auto gen = outer(inner(log));
    EXPECT_EQ(gen.next(), 1);
    EXPECT_EQ(gen.throw_(std::runtime_error("through")), 42);
    EXPECT_EQ(log, std::vector<std::string>{"inner"}); // the sub-generator was unwound
    EXPECT_THROW(gen.next(), concur::StopIteration);
}

TEST(GeneratorYieldFrom, AnExceptionFromTheSubGeneratorComesOutOfTheCoYield) {
    auto failing = []() -> Generator<int> {
        co_yield 1;
        throw std::out_of_range("sub failed");
    };
    auto catching = [](Generator<int> sub) -> Generator<int> {
        std::string what;
        try {
            co_yield yield_from(std::move(sub));
        } catch (const std::out_of_range& e) {
            what = e.what();
        }
        co_yield what == "sub failed" ? 7 : 0;
    };
    EXPECT_EQ(collect(catching(failing())), (std::vector<int>{1, 7}));
    // Not caught by the delegator: the consumer gets it at the advance that ran into it.
    auto passing = [](Generator<int> sub) -> Generator<int> {
        co_yield yield_from(std::move(sub));
        co_yield 8;
    };
    auto gen = passing(failing());
    EXPECT_EQ(gen.next(), 1);
    EXPECT_THROW(gen.next(), std::out_of_range);
    EXPECT_EQ(gen.state(), GeneratorState::GEN_CLOSED);
}

TEST(GeneratorYieldFrom, ABorrowedGeneratorGoesOnWhereItWasAndIsExhaustedAfter) {
    auto sub = count(4);
    EXPECT_EQ(sub.next(), 0);
    auto body = [](Generator<int>& s) -> Generator<int> {
        co_yield yield_from(s);
        co_yield -1;
    };
    EXPECT_EQ(collect(body(sub)), (std::vector<int>{1, 2, 3, -1}));
    EXPECT_EQ(sub.state(), GeneratorState::GEN_CLOSED);
    EXPECT_THROW(sub.next(), concur::StopIteration);
}

TEST(GeneratorYieldFrom, ABorrowedGeneratorCannotBeAdvancedDirectlyWhileDelegatedTo) {
    auto sub = count(3);
    auto body = [](Generator<int>& s) -> Generator<int> { co_yield yield_from(s); };
    auto gen = body(sub);
    EXPECT_EQ(gen.next(), 0);
    EXPECT_EQ(sub.state(), GeneratorState::GEN_RUNNING);
    EXPECT_THROW(sub.next(), concur::ValueError);
    EXPECT_EQ(gen.next(), 1);
}

TEST(GeneratorYieldFrom, AnExhaustedGeneratorYieldsNothing) {
    auto body = []() -> Generator<int> {
        auto empty = count(0);
        co_yield yield_from(empty);
        co_yield yield_from(count(0));
        co_yield 5;
    };
    EXPECT_EQ(collect(body()), std::vector<int>{5});
}

TEST(GeneratorYieldFrom, ASubGeneratorSuspendedInsideItsOwnDelegation) {
    // t is paused inside middle(), inside leaf(): a new delegator takes the whole chain on.
    auto t = echo_via("deep", 2);
    EXPECT_EQ(t.next(), "deep:None");
    auto outer =
        [](Generator<std::string, std::string> sub) -> Generator<std::string, std::string> {
        co_yield yield_from(std::move(sub));
        co_yield "outer done";
    };
    auto gen = outer(std::move(t));
    EXPECT_EQ(gen.next(), "deep:None"); // the leaf's next yield, as next(t) would give
    EXPECT_EQ(gen.send("z"), "after 0");
    EXPECT_EQ(gen.next(), "after 1");
    EXPECT_EQ(gen.next(), "after 2");
    EXPECT_EQ(gen.next(), "outer done");
}

TEST(GeneratorYieldFrom, CloseDuringDelegationDestroysInnermostFirst) {
    std::vector<std::string> log;
    auto inner = [](std::vector<std::string>& l) -> Generator<int> {
        Logged guard{&l, "inner"};
        co_yield 1;
        co_yield 2;
    };
    auto mid = [](std::vector<std::string>& l, Generator<int> sub) -> Generator<int> {
        Logged guard{&l, "mid"};
        co_yield yield_from(std::move(sub));
    };
    auto outer = [](std::vector<std::string>& l, Generator<int> sub) -> Generator<int> {
        Logged guard{&l, "outer"};
        co_yield yield_from(std::move(sub));
    };
    auto gen = outer(log, mid(log, inner(log)));
    EXPECT_EQ(gen.next(), 1);
    gen.close();
    EXPECT_EQ(log, (std::vector<std::string>{"inner", "mid", "outer"}));
}

TEST(GeneratorYieldFrom, ClosingTheDelegatorClosesABorrowedSubGenerator) {
    std::vector<std::string> log;
    auto inner = [](std::vector<std::string>& l) -> Generator<int> {
        Logged guard{&l, "inner"};
        co_yield 1;
        co_yield 2;
    };
    auto sub = inner(log);
    auto body = [](Generator<int>& s) -> Generator<int> { co_yield yield_from(s); };
    auto gen = body(sub);
    EXPECT_EQ(gen.next(), 1);
    gen.close(); // PEP 380: closing the delegator closes the iterator it delegates to
    EXPECT_EQ(log, std::vector<std::string>{"inner"});
    EXPECT_EQ(sub.state(), GeneratorState::GEN_CLOSED);
}

TEST(GeneratorYieldFrom, DelegatingToItselfIsAValueError) {
    auto body = [](Generator<int>* const* self) -> Generator<int> {
        co_yield 1;
        co_yield yield_from(**self);
    };
    Generator<int>* self = nullptr;
    auto gen = body(&self);
    self = &gen;
    EXPECT_EQ(gen.next(), 1);
    try {
        gen.next();
        FAIL() << "no ValueError";
    } catch (const concur::ValueError& e) {
        EXPECT_STREQ(e.what(), "generator already executing");
    }
}
