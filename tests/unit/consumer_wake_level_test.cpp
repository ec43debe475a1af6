// When a paused read loop is woken (wake_level.hpp): at half of the bound
// while half still leaves room for a whole batch, else when an eighth is left.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>

#include "../../src/redis/consumer/wake_level.hpp"

using redstream::detail::wake_level;
using redstream::detail::whole_reads;

TEST(WakeLevel, HalfWhenHalfTheBoundHoldsAWholeBatch) {
    EXPECT_FALSE(whole_reads(2000, 1000));  // real-time defaults
    EXPECT_EQ(wake_level(2000, 1000), 1000u);
    EXPECT_EQ(wake_level(1000, 100), 500u);
    EXPECT_EQ(wake_level(10, 0), 5u) << "batch size unknown";
}

TEST(WakeLevel, AnEighthLeftWhenPrefetchIsBelowTwoBatches) {
    EXPECT_TRUE(whole_reads(100, 1000));  // a load-balanced member's defaults
    EXPECT_EQ(wake_level(100, 1000), 12u);
    EXPECT_EQ(wake_level(100, SIZE_MAX), 12u);
    // Where a whole batch fits above an eighth, it wakes there.
    EXPECT_TRUE(whole_reads(1200, 1000));
    EXPECT_EQ(wake_level(1200, 1000), 200u);
}

TEST(WakeLevel, TinyBounds) {
    EXPECT_EQ(wake_level(1, 1000), 0u);
    EXPECT_EQ(wake_level(4, 1000), 0u);
    EXPECT_EQ(wake_level(0, 1000), 0u);
}
