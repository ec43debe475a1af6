// delivery_count() (deliver.cpp): the count a redelivered entry carries, from
// an XPENDING sent before the read that delivers it (one more than listed) or
// after the claim that did (as listed); 0, "not known", for an entry not
// listed. listed_prefix(): how much of a re-read may be delivered with
// known counts.
#include <gtest/gtest.h>

#include <vector>

#include "../../src/redis/consumer/core.hpp"

namespace {

using redstream::MessageId;
using redstream::commands::PendingEntry;
using redstream::commands::StreamEntry;
using redstream::detail::delivery_count;
using redstream::detail::KeyPending;
using redstream::detail::listed_prefix;

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

// A read's page of these ids.
std::vector<StreamEntry> page(std::initializer_list<MessageId> ids) {
    std::vector<StreamEntry> out;
    for (const auto id : ids)
        out.push_back({.id = id});
    return out;
}

TEST(ListedPrefix, AReadOfTheListedEntriesIsDeliveredWhole) {
    const auto pending = listed(false);  // {1-0, 5-2}
    EXPECT_EQ(listed_prefix(pending, page({{1, 0}, {5, 2}})), 2u);
    EXPECT_EQ(listed_prefix(pending, page({{5, 2}})), 1u);  // 1-0 acked in between
    EXPECT_EQ(listed_prefix(pending, page({})), 0u);
}

// Acks on another connection between XPENDING and the read move the read
// past the listing; a claim in between gives the member an entry unlisted.
TEST(ListedPrefix, ItStopsAtTheFirstEntryTheListingLacks) {
    const auto pending = listed(false);
    EXPECT_EQ(listed_prefix(pending, page({{1, 0}, {5, 2}, {7, 0}})), 2u);
    EXPECT_EQ(listed_prefix(pending, page({{1, 0}, {3, 0}, {5, 2}})), 1u);
    EXPECT_EQ(listed_prefix(pending, page({{0, 9}, {1, 0}})), 0u);
    EXPECT_EQ(listed_prefix(KeyPending{"k", {}, false}, page({{1, 0}})), 0u);
}

}  // namespace
