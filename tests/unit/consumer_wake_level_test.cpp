// When a paused read loop is woken (WakeLevel), from given times: half of
// the bound until the user is measured to outrun reads; then, with a bound
// smaller than a batch, only when the queue is empty (whole reads); back to
// half once the user is slower than reads again.
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>

#include "../../src/redis/consumer/wake_level.hpp"

using redstream::detail::WakeLevel;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t limit = 100;  // a load-balanced member's prefetch
constexpr std::size_t batch = 1000;

// One refill: a read brings `limit` messages, the user takes them all at
// `per_take` each, and the next read takes `read` to come back.
struct User {
    WakeLevel& w;
    WakeLevel::Clock::time_point now{};
    void cycle(std::chrono::nanoseconds per_take, std::chrono::nanoseconds read,
               std::size_t wake_at = 0) {
        w.on_push(now, limit, limit, limit);
        now += per_take * static_cast<long>(limit - wake_at);
        w.on_wake(now, wake_at, limit);
        now += read;
    }
};

}  // namespace

TEST(WakeLevel, HalfOfTheBoundUntilMeasured) {
    WakeLevel w(batch);
    EXPECT_EQ(w.level(limit), 50u);
    EXPECT_FALSE(w.whole_reads(limit));
    User u{w};
    u.cycle(500ns, 100us, 50);  // the first read's time is not known yet
    EXPECT_EQ(w.level(limit), 50u);
    EXPECT_EQ(w.take_time(), 500ns);
    EXPECT_EQ(w.read_time(), 0ns);
}

TEST(WakeLevel, AUserThatOutrunsReadsGetsWholeReads) {
    WakeLevel w(batch);
    User u{w};
    u.cycle(500ns, 100us, 50);
    u.cycle(500ns, 100us, 50);  // 200 taken per read: more than half the bound
    EXPECT_EQ(w.read_time(), 100us);
    EXPECT_TRUE(w.whole_reads(limit));
    EXPECT_EQ(w.level(limit), 0u);
}

TEST(WakeLevel, AUserSlowerThanReadsKeepsHalf) {
    WakeLevel w(batch);
    User u{w};
    for (int i = 0; i < 5; ++i)
        u.cycle(5us, 100us, 50);  // 20 taken per read
    EXPECT_FALSE(w.whole_reads(limit));
    EXPECT_EQ(w.level(limit), 50u);
}

// Between a quarter and a half of the bound per read it keeps what it chose:
// a read overlapped with a busy user comes back later than one it waits for.
TEST(WakeLevel, TheChoiceHasHysteresis) {
    WakeLevel w(batch);
    User u{w};
    for (int i = 0; i < 3; ++i)
        u.cycle(500ns, 100us);
    ASSERT_TRUE(w.whole_reads(limit));
    for (int i = 0; i < 8; ++i)
        u.cycle(3us, 100us);  // ~33 per read
    EXPECT_TRUE(w.whole_reads(limit)) << "still outrunning within the gap";
    for (int i = 0; i < 8; ++i)
        u.cycle(10us, 100us);  // 10 per read
    EXPECT_FALSE(w.whole_reads(limit));
    EXPECT_EQ(w.level(limit), 50u);
    for (int i = 0; i < 8; ++i)
        u.cycle(3us, 100us, 50);
    EXPECT_FALSE(w.whole_reads(limit)) << "not outrunning yet within the gap";
}

// Real-time defaults (prefetch twice the batch): at half a read is already a
// whole batch, so half stays however fast the user is.
TEST(WakeLevel, HalfWhenHalfTheBoundHoldsAWholeBatch) {
    WakeLevel w(1000);
    User u{w};
    for (int i = 0; i < 3; ++i)
        u.cycle(100ns, 1ms, 50);
    EXPECT_FALSE(w.whole_reads(2000));
    EXPECT_EQ(w.level(2000), 1000u);
    // A bound a little above the batch: whole reads start at 200 left.
    EXPECT_TRUE(w.whole_reads(1200));
    EXPECT_EQ(w.level(1200), 200u);
}

TEST(WakeLevel, ReadTimeFallsAtOnceAndRisesByAQuarterOfAtMostFourTimes) {
    WakeLevel w(batch);
    User u{w};
    u.cycle(1us, 100us, 50);
    u.cycle(1us, 1s, 50);  // this read blocks on a quiet stream
    EXPECT_EQ(w.read_time(), 100us);
    u.cycle(1us, 60us, 50);
    EXPECT_EQ(w.read_time(), 175us) << "a quarter of the way to 400 µs, not to 1 s";
    u.cycle(1us, 0us, 50);
    EXPECT_EQ(w.read_time(), 60us);
}

TEST(WakeLevel, AReadThatBroughtNothingIsNoSample) {
    WakeLevel w(batch);
    w.on_push({}, limit, limit, limit);
    w.on_wake(WakeLevel::Clock::time_point{} + 50us, 0, limit);
    w.on_push(WakeLevel::Clock::time_point{} + 60us, 0, 0, limit);  // empty
    w.on_push(WakeLevel::Clock::time_point{} + 150us, limit, limit, limit);
    EXPECT_EQ(w.read_time(), 100us);
}
