#include "concur/multiprocessing/sharedctypes.hpp"

#include <mutex>
#include <numeric>
#include <thread>

#include "concur/multiprocessing/detail/inherited_fds.hpp"
#include "concur/multiprocessing/reduction.hpp"
#include "multiprocessing/mp_test_util.hpp"

namespace mp = concur::multiprocessing;
using concur_test::fork_child;
using concur_test::wait_child;

namespace {

class SharedCTypes : public concur_test::NoLeaks {};

struct Point {
    double x;
    double y;
};

TEST_F(SharedCTypes, ValueIsSharedWithForkedChildren) {
    mp::Value<int> counter(0);
    EXPECT_EQ(counter.value(), 0);
    constexpr int kChildren = 3;
    constexpr int kIncrements = 1000;
    pid_t pids[kChildren];
    for (pid_t& pid : pids) {
        pid = fork_child([&] {
            for (int i = 0; i < kIncrements; ++i) {
                std::scoped_lock guard(counter.get_lock()); // with v.get_lock(): v.value += 1
                counter.set_value(counter.value() + 1);
            }
            return 0;
        });
    }
    for (pid_t pid : pids) {
        EXPECT_EQ(wait_child(pid), 0);
    }
    EXPECT_EQ(counter.value(), kChildren * kIncrements);
}

TEST_F(SharedCTypes, ValueOfAStructAndRawValue) {
    mp::Value<Point> point(Point{1, 2});
    point.set_value({3, 4});
    EXPECT_EQ(point.value().y, 4);
    point.get_obj().x = 5;
    EXPECT_EQ(point.value().x, 5);
    auto raw = mp::RawValue<double>(2.5);
    EXPECT_EQ(raw.value(), 2.5);
    EXPECT_THROW((void)raw.get_lock(), concur::RuntimeError);
    mp::Value<int> copy = mp::Value<int>(7, {.lock = false});
    EXPECT_EQ(copy.value(), 7);
}

TEST_F(SharedCTypes, ArrayFromSizeAndValues) {
    mp::Array<int> zeros(4);
    EXPECT_EQ(zeros.size(), 4u);
    EXPECT_EQ(zeros.to_vector(), (std::vector<int>{0, 0, 0, 0}));
    mp::Array<int> values{1, 2, 3};
    EXPECT_EQ(std::accumulate(values.begin(), values.end(), 0), 6);
    values[1] = 20;
    EXPECT_EQ(values.at(1), 20);
    EXPECT_THROW((void)values.at(3), std::out_of_range);
    values.assign(std::vector<int>{7, 8, 9});
    EXPECT_EQ(values.get_obj()[2], 9);
    EXPECT_THROW(values.assign(std::vector<int>{1}), concur::ValueError);
    mp::Array<int> empty(0);
    EXPECT_EQ(empty.begin(), empty.end());
    auto raw = mp::RawArray<char>(3);
    EXPECT_THROW((void)raw.get_lock(), concur::RuntimeError);
}

TEST_F(SharedCTypes, ArrayWrittenByAChild) {
    mp::Array<double> squares(10);
    const pid_t pid = fork_child([&] {
        std::scoped_lock guard(squares.get_lock());
        for (std::size_t i = 0; i < squares.size(); ++i) {
            squares[i] = static_cast<double>(i * i);
        }
        return 0;
    });
    EXPECT_EQ(wait_child(pid), 0);
    EXPECT_EQ(squares.to_vector()[9], 81.0);
}

TEST_F(SharedCTypes, LockIsRecursiveAcrossValueCalls) {
    mp::Value<int> v(1);
    std::scoped_lock guard(v.get_lock());
    v.set_value(v.value() * 2); // takes the RLock again: no deadlock
    EXPECT_EQ(v.value(), 2);
}

TEST_F(SharedCTypes, TravelToASpawnedChild) {
    mp::Value<long> v(5);
    mp::Array<int> a{1, 2};
    std::string data;
    {
        mp::detail::LaunchScope scope;
        data = mp::dumps(std::make_tuple(v, a));
        mp::detail::set_inherited_fds(scope.fds());
    }
    auto [child_v, child_a] = mp::loads<std::tuple<mp::Value<long>, mp::Array<int>>>(data);
    mp::detail::set_inherited_fds({});
    child_v.set_value(6);
    child_a[0] = 10;
    EXPECT_EQ(v.value(), 6);
    EXPECT_EQ(a[0], 10);
    EXPECT_EQ(child_a.size(), 2u);
    {
        std::scoped_lock guard(child_v.get_lock());
        bool other_got_it = true;
        std::thread other([&] { other_got_it = v.get_lock().acquire(false); });
        other.join();
        EXPECT_FALSE(other_got_it); // one lock, seen through both handles
    }
}

} // namespace
