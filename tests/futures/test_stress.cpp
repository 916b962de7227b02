// A short randomized stress of the futures module: several threads submit, cancel, add done
// callbacks, wait and iterate as_completed on one pool at once, while another thread cancels
// what it can. Afterwards every call ran exactly once or was cancelled and never ran, every
// callback ran exactly once, every result is right. Meant to run under TSan and ASan too.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <vector>

#include <concur/futures.hpp>
#include <gtest/gtest.h>

#include "futures/helpers.hpp"

namespace {

using namespace futures_test;
namespace cf = concur::futures;

struct Record {
    int id = 0;
    bool wants_callback = false;
    bool throws = false;
    std::atomic<int> ran{0};
    std::atomic<int> callbacks{0};
    std::atomic<bool> saw_cancelled{false};
    cf::Future<int> future;
};

TEST(Stress, SubmitCancelCallbackWait) {
    Watchdog watchdog(120s);
    constexpr int kProducers = 3;
    const auto stop_at = std::chrono::steady_clock::now() + 1s;

    std::mutex shared_mutex; // guards `shared`: futures the canceller may pick
    std::vector<cf::Future<int>> shared;
    std::atomic<bool> producing{true};
    std::vector<std::vector<std::unique_ptr<Record>>> records(kProducers);

    {
        cf::ThreadPoolExecutor ex({.max_workers = 3});
        std::vector<std::unique_ptr<Background>> threads;
        for (int p = 0; p < kProducers; ++p) {
            threads.push_back(std::make_unique<Background>([&, p] {
                std::mt19937 rng(static_cast<unsigned>(1000 + p));
                auto& mine = records[static_cast<std::size_t>(p)];
                int next_id = 0;
                while (std::chrono::steady_clock::now() < stop_at) {
                    const int batch = 1 + static_cast<int>(rng() % 16);
                    std::vector<cf::Future<int>> fs;
                    for (int i = 0; i < batch; ++i) {
                        auto rec = std::make_unique<Record>();
                        Record* r = rec.get();
                        r->id = next_id++;
                        r->throws = rng() % 7 == 0;
                        r->wants_callback = rng() % 2 == 0;
                        r->future = ex.submit([r] {
                            r->ran.fetch_add(1);
                            if (r->throws) {
                                throw TaskError(r->id);
                            }
                            return r->id * 2;
                        });
                        if (r->wants_callback) {
                            r->future.add_done_callback([r](const cf::Future<int>& f) {
                                r->callbacks.fetch_add(1);
                                r->saw_cancelled = f.cancelled();
                            });
                        }
                        if (rng() % 5 == 0) {
                            r->future.cancel();
                        }
                        if (rng() % 4 == 0) {
                            std::lock_guard lock(shared_mutex);
                            shared.push_back(r->future);
                        }
                        fs.push_back(r->future);
                        mine.push_back(std::move(rec));
                    }
                    switch (rng() % 4) {
                    case 0: {
                        auto [done, not_done] = cf::wait(fs, kLong);
                        EXPECT_TRUE(not_done.empty());
                        EXPECT_EQ(done.size(), fs.size());
                        break;
                    }
                    case 1: {
                        auto first = cf::wait(fs, kLong, cf::FIRST_COMPLETED);
                        EXPECT_FALSE(first.done.empty());
                        std::size_t n = 0;
                        for (const auto& f : cf::as_completed(first.not_done, kLong)) {
                            EXPECT_TRUE(f.done());
                            ++n;
                        }
                        EXPECT_EQ(n, first.not_done.size());
                        break;
                    }
                    case 2: {
                        // Leave the loop early.
                        for (const auto& f : cf::as_completed(fs, kLong)) {
                            EXPECT_TRUE(f.done());
                            if (rng() % 2 == 0) {
                                break;
                            }
                        }
                        break;
                    }
                    default:
                        (void)cf::wait(fs, 0s, cf::FIRST_EXCEPTION);
                        break;
                    }
                }
            }));
        }
        // The canceller: cancels futures other threads made, racing with the workers.
        Background canceller([&] {
            std::mt19937 rng(7);
            while (producing) {
                std::optional<cf::Future<int>> victim;
                {
                    std::lock_guard lock(shared_mutex);
                    if (!shared.empty()) {
                        const std::size_t i = rng() % shared.size();
                        victim = shared[i];
                        shared[i] = shared.back();
                        shared.pop_back();
                    }
                }
                if (victim) {
                    victim->cancel();
                }
                std::this_thread::yield();
            }
        });
        for (auto& t : threads) {
            t->join();
        }
        producing = false;
        canceller.join();
        ex.shutdown(true);
    }

    std::size_t total = 0;
    std::size_t cancelled = 0;
    for (auto& mine : records) {
        for (auto& r : mine) {
            ++total;
            const cf::Future<int>& f = r->future;
            ASSERT_TRUE(f.done()) << "call " << r->id << " was left pending";
            if (f.cancelled()) {
                ++cancelled;
                EXPECT_EQ(r->ran, 0) << "a cancelled call ran";
            } else {
                EXPECT_EQ(r->ran, 1) << "a call ran " << r->ran << " times";
                if (r->throws) {
                    EXPECT_THROW(f.result(0s), TaskError);
                } else {
                    EXPECT_EQ(f.result(0s), r->id * 2);
                }
            }
            if (r->wants_callback) {
                EXPECT_EQ(r->callbacks, 1);
                EXPECT_EQ(r->saw_cancelled.load(), f.cancelled());
            } else {
                EXPECT_EQ(r->callbacks, 0);
            }
        }
    }
    EXPECT_GT(total, 100u);
    EXPECT_GT(cancelled, 0u);
    EXPECT_LT(cancelled, total);
}

TEST(Stress, CancelRacesWithRun) {
    // cancel() from one thread against the worker's start: exactly one of them wins each time.
    Watchdog watchdog(120s);
    cf::ThreadPoolExecutor ex({.max_workers = 2});
    int cancelled = 0;
    int ran_count = 0;
    for (int i = 0; i < 5000; ++i) {
        auto ran = std::make_shared<std::atomic<int>>(0);
        auto f = ex.submit([ran] { return ran->fetch_add(1) + 1; });
        const bool won = f.cancel();
        if (won) {
            ++cancelled;
            EXPECT_TRUE(f.cancelled());
        } else {
            EXPECT_EQ(f.result(kLong), 1);
            ++ran_count;
        }
        EXPECT_EQ(ran->load(), won ? 0 : 1);
    }
    EXPECT_EQ(cancelled + ran_count, 5000);
}

} // namespace
