// ReadState: start ids, resolution, seek/rewind and shard keys, no server.
#include <gtest/gtest.h>

#include "../../src/redis/consumer/read_state.hpp"

namespace redstream::detail {
namespace {

using Origin = ReadState::Origin;

const ReadCursor& at(const ReadState& s, std::string_view key) {
    const auto* c = s.find(key);
    EXPECT_NE(c, nullptr) << key;
    static const ReadCursor none{};
    return c ? *c : none;
}

TEST(ReadState, EarliestStartsAfterZero) {
    ReadState s(AutoStreamReset::earliest);
    EXPECT_TRUE(s.add("a", ShardId{0}, "a", Origin::initial));
    EXPECT_FALSE(s.needs_resolution());
    EXPECT_TRUE(s.readable());
    EXPECT_EQ(at(s, "a").last, MessageId::min());
}

TEST(ReadState, LatestResolvesOnceThenTracksExplicitIds) {
    ReadState s(AutoStreamReset::latest);
    s.add("busy", ShardId{0}, "busy", Origin::initial);
    s.add("quiet", ShardId{0}, "quiet", Origin::initial);
    EXPECT_TRUE(s.needs_resolution());
    EXPECT_FALSE(s.readable());
    s.resolve("busy", MessageId{100, 5});
    s.resolve("quiet", std::nullopt);  // missing key: everything later is new
    EXPECT_FALSE(s.needs_resolution());
    EXPECT_EQ(at(s, "busy").last, (MessageId{100, 5}));
    EXPECT_EQ(at(s, "quiet").last, MessageId::min());
    // The busy key advances; the quiet one keeps its explicit id, never `$`.
    s.advance("busy", MessageId{200, 0});
    s.resolve("quiet", MessageId{999, 0});  // a late resolve must not move a resolved key
    EXPECT_EQ(at(s, "busy").last, (MessageId{200, 0}));
    EXPECT_EQ(at(s, "quiet").last, MessageId::min());
    s.advance("busy", MessageId{150, 0});  // never backwards
    EXPECT_EQ(at(s, "busy").last, (MessageId{200, 0}));
}

TEST(ReadState, DiscoveredShardsStartAfterZeroEvenUnderLatest) {
    ReadState s(AutoStreamReset::latest);
    s.add("s", ShardId{0}, "s", Origin::initial);
    s.add("s", ShardId{1}, "s:1", Origin::initial);
    s.add("s", ShardId{2}, "s:2", Origin::discovered);
    EXPECT_FALSE(at(s, "s:1").resolved);
    EXPECT_TRUE(at(s, "s:2").resolved);
    EXPECT_EQ(at(s, "s:2").last, MessageId::min());
    EXPECT_EQ(at(s, "s:2").shard, ShardId{2});
    EXPECT_FALSE(s.add("s", ShardId{2}, "s:2", Origin::discovered));  // once only
}

TEST(ReadState, RewindAndSeekMoveEveryKeyAndBumpTheGeneration) {
    ReadState s(AutoStreamReset::earliest);
    s.add("a", ShardId{0}, "a", Origin::initial);
    s.add("b", ShardId{0}, "b", Origin::initial);
    s.advance("a", MessageId{50, 0});
    const auto g = s.generation();

    s.rewind(SeqPos::at(MessageId{40, 3}));
    EXPECT_GT(s.generation(), g);
    EXPECT_EQ(at(s, "a").last, (MessageId{40, 2}));  // exclusive: 40-3 itself is read
    EXPECT_EQ(at(s, "b").last, (MessageId{40, 2}));

    s.seek(Timestamp(std::chrono::milliseconds(1000)));
    EXPECT_EQ(at(s, "a").last, (MessageId{999, UINT64_MAX}));

    s.rewind(SeqPos::end());
    EXPECT_TRUE(s.needs_resolution());
    EXPECT_FALSE(at(s, "a").resolved);

    s.rewind(SeqPos::beginning());
    EXPECT_FALSE(s.needs_resolution());
    EXPECT_EQ(at(s, "b").last, MessageId::min());
}

TEST(ReadState, KeysAddedAfterARewindFollowIt) {
    ReadState s(AutoStreamReset::latest);
    s.rewind(SeqPos::at(MessageId{10, 0}));
    s.add("a", ShardId{0}, "a", Origin::assigned);
    s.add("a", ShardId{1}, "a:1", Origin::discovered);
    EXPECT_EQ(at(s, "a").last, (MessageId{9, UINT64_MAX}));
    EXPECT_EQ(at(s, "a:1").last, (MessageId{9, UINT64_MAX}));
    s.rewind(SeqPos::end());
    s.add("a", ShardId{2}, "a:2", Origin::discovered);  // did not exist at that end
    EXPECT_TRUE(at(s, "a:2").resolved);
    EXPECT_EQ(at(s, "a:2").last, MessageId::min());
}

TEST(ReadState, BeforeIsTheIdJustBelow) {
    EXPECT_EQ(ReadState::before({5, 1}), (MessageId{5, 0}));
    EXPECT_EQ(ReadState::before({5, 0}), (MessageId{4, UINT64_MAX}));
    EXPECT_EQ(ReadState::before({0, 0}), MessageId::min());
}

TEST(ReadState, UnassignedKeysAreNotRediscoveredButCanBeAssigned) {
    ReadState s(AutoStreamReset::earliest);
    s.add("s", ShardId{0}, "s", Origin::initial);
    s.add("s", ShardId{0}, "s:0", Origin::initial);
    s.add("s", ShardId{1}, "s:1", Origin::initial);
    EXPECT_EQ(s.remove("s", ShardId{0}), 2u);  // plain key and s:0
    EXPECT_EQ(s.remove("s", ShardId{1}), 1u);
    EXPECT_TRUE(s.cursors().empty());
    EXPECT_FALSE(s.readable());
    EXPECT_FALSE(s.add("s", ShardId{1}, "s:1", Origin::discovered));
    EXPECT_TRUE(s.add("s", ShardId{1}, "s:1", Origin::assigned));
    EXPECT_EQ(s.cursors().size(), 1u);
}

TEST(ShardKeys, ScanPatternEscapesGlobCharacters) {
    EXPECT_EQ(shard_scan_pattern("orders"), "orders:*");
    EXPECT_EQ(shard_scan_pattern("{user}:feed"), "{user}:feed:*");
    EXPECT_EQ(shard_scan_pattern("a*b?c[d]e\\f"), "a\\*b\\?c\\[d\\]e\\\\f:*");
}

TEST(ShardKeys, ParsesOnlyCanonicalDecimalSuffixes) {
    EXPECT_EQ(parse_shard_key("s", "s:0"), ShardId{0});
    EXPECT_EQ(parse_shard_key("s", "s:12"), ShardId{12});
    EXPECT_EQ(parse_shard_key("app:events", "app:events:3"), ShardId{3});
    EXPECT_FALSE(parse_shard_key("s", "s"));
    EXPECT_FALSE(parse_shard_key("s", "s:"));
    EXPECT_FALSE(parse_shard_key("s", "s:01"));
    EXPECT_FALSE(parse_shard_key("s", "s:+1"));
    EXPECT_FALSE(parse_shard_key("s", "s:-1"));
    EXPECT_FALSE(parse_shard_key("s", "s:1x"));
    EXPECT_FALSE(parse_shard_key("s", "s:meta"));
    EXPECT_FALSE(parse_shard_key("s", "t:1"));
    EXPECT_FALSE(parse_shard_key("s", "s:99999999999999999999999"));
}

}  // namespace
}  // namespace redstream::detail
