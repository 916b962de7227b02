// co_yield yield_from(range): Python's `yield from iterable` over what is not a Generator of the
// same type (lists, views, generators of another type).
#include <concur/core.hpp>
#include <gtest/gtest.h>

#include <ranges>
#include <vector>

using concur::Generator;
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

// [from, to) as a vector. (GCC 12 rejects a braced std::initializer_list inside a co_yield
// expression, "array used as initializer": the vectors are made by a call instead.)
std::vector<int> iota_vector(int from, int to) {
    std::vector<int> v;
    for (int i = from; i < to; ++i) {
        v.push_back(i);
    }
    return v;
}

Generator<int> count(int n) {
    for (int i = 0; i < n; ++i) {
        co_yield i;
    }
}

} // namespace

TEST(GeneratorYieldFromRange, Ranges) {
    auto gen = []() -> Generator<int> {
        std::vector<int> v{1, 2};
        co_yield yield_from(v);
        co_yield yield_from(iota_vector(3, 5)); // an rvalue: held by the delegation
        const std::vector<int> c{5};
        co_yield yield_from(c);
        co_yield yield_from(std::views::iota(6, 8));
        co_yield yield_from(iota_vector(0, 0));
    };
    EXPECT_EQ(collect(gen()), (std::vector<int>{1, 2, 3, 4, 5, 6, 7}));
}

TEST(GeneratorYieldFromRange, ItemsOfAnLvalueRangeAreTheRangesOwnObjects) {
    std::vector<int> v{1, 2, 3};
    auto body = [](std::vector<int>& r) -> Generator<int> { co_yield yield_from(r); };
    for (int& x : body(v)) {
        x *= 10;
    }
    EXPECT_EQ(v, (std::vector<int>{10, 20, 30}));
}

TEST(GeneratorYieldFromRange, AGeneratorOfAnotherType) {
    auto widen = []() -> Generator<long> {
        co_yield yield_from(count(3)); // Generator<int> into Generator<long>
        co_yield 100L;
    };
    std::vector<long> out;
    for (long x : widen()) {
        out.push_back(x);
    }
    EXPECT_EQ(out, (std::vector<long>{0, 1, 2, 100}));
}

TEST(GeneratorYieldFromRange, AThrowIntoARangeDelegationRaisesInTheDelegator) {
    // A list iterator has no throw(): Python raises the exception at the yield from.
    auto body = []() -> Generator<int> {
        bool caught = false;
        try {
            co_yield yield_from(iota_vector(1, 4));
        } catch (const concur::ValueError&) {
            caught = true;
        }
        co_yield caught ? -1 : 0;
    };
    auto gen = body();
    EXPECT_EQ(gen.next(), 1);
    EXPECT_EQ(gen.throw_(concur::ValueError("x")), -1);
}
