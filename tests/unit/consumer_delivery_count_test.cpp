// delivery_count() (deliver.cpp): the count a redelivered entry carries, from
// an XPENDING sent before the read that delivers it (one more than listed) or
// after the claim that did (as listed); 0, "not known", for an entry not
// listed.
#include <gtest/gtest.h>

#include "../../src/redis/consumer/core.hpp"

namespace {

using redstream::MessageId;
using redstream::commands::PendingEntry;
using redstream::detail::delivery_count;
using redstream::detail::KeyPending;

KeyPending listed(bool counted) {
    return {"k",
            {PendingEntry{.id = {1, 0}, .consumer = "a", .deliveries = 1},
             PendingEntry{.id = {5, 2}, .consumer = "a", .deliveries = 3}},
            counted};
}

TEST(DeliveryCount, AReadAfterXpendingCountsItsOwnDelivery) {
    const auto pending = listed(false);
    EXPECT_EQ(delivery_count(pending, {1, 0}), 2u);
    EXPECT_EQ(delivery_count(pending, {5, 2}), 4u);
}

TEST(DeliveryCount, AClaimCountedBeforeXpendingIsTakenAsListed) {
    const auto pending = listed(true);
    EXPECT_EQ(delivery_count(pending, {1, 0}), 1u);
    EXPECT_EQ(delivery_count(pending, {5, 2}), 3u);
}

TEST(DeliveryCount, AnEntryNotListedIsUnknown) {
    for (const bool counted : {false, true}) {
        const auto pending = listed(counted);
        EXPECT_EQ(delivery_count(pending, {5, 1}), 0u);
        EXPECT_EQ(delivery_count(pending, {0, 9}), 0u);
        EXPECT_EQ(delivery_count(pending, {9, 0}), 0u);
    }
}

}  // namespace
