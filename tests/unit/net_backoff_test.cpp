#include <gtest/gtest.h>

#include <redstream/net/detail/backoff.hpp>

using redstream::net::ReconnectOptions;
using redstream::net::detail::Backoff;
using namespace std::chrono_literals;

TEST(Backoff, GrowsExponentiallyUpToTheCapWithoutJitter) {
    ReconnectOptions o;
    o.initial_delay = 10ms;
    o.max_delay = 100ms;
    o.multiplier = 2.0;
    o.jitter = 0.0;
    Backoff b(o);
    EXPECT_EQ(b.next_delay(), 10ms);
    EXPECT_EQ(b.next_delay(), 20ms);
    EXPECT_EQ(b.next_delay(), 40ms);
    EXPECT_EQ(b.next_delay(), 80ms);
    EXPECT_EQ(b.next_delay(), 100ms);
    for (int i = 0; i < 200; ++i)
        EXPECT_EQ(b.next_delay(), 100ms);  // no overflow
    b.reset();
    EXPECT_EQ(b.next_delay(), 10ms);
}

TEST(Backoff, JitterSpreadsDelaysWithinBounds) {
    ReconnectOptions o;
    o.initial_delay = 1000ms;
    o.max_delay = 1000ms;
    o.jitter = 0.2;
    Backoff b(o, 42);
    std::chrono::milliseconds lo = 10000ms, hi = 0ms;
    for (int i = 0; i < 1000; ++i) {
        const auto d = b.next_delay();
        EXPECT_GE(d, 800ms);
        EXPECT_LE(d, 1000ms);  // never above the cap
        lo = std::min(lo, d);
        hi = std::max(hi, d);
    }
    EXPECT_LT(lo, 850ms);  // actually spread, not constant
    EXPECT_GT(hi, 950ms);
}

TEST(Backoff, DifferentSeedsGiveDifferentDelays) {
    ReconnectOptions o;
    o.initial_delay = 1000ms;
    o.max_delay = 5000ms;
    Backoff a(o, 1), b(o, 2);
    int same = 0;
    for (int i = 0; i < 10; ++i)
        same += a.next_delay() == b.next_delay();
    EXPECT_LT(same, 10);
}
