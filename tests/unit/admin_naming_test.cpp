// How the administration API tells which stream a key belongs to: Redis glob
// matching as SCAN MATCH does it, the wider MATCH it sends, and the `X:N`
// shard rule.
#include <gtest/gtest.h>

#include "../../src/redis/admin/naming.hpp"

namespace redstream::detail {
namespace {

TEST(AdminGlob, StarsQuestionMarksAndLiterals) {
    EXPECT_TRUE(glob_match("*", ""));
    EXPECT_TRUE(glob_match("*", "anything"));
    EXPECT_TRUE(glob_match("orders", "orders"));
    EXPECT_FALSE(glob_match("orders", "orders:1"));
    EXPECT_TRUE(glob_match("ord*", "orders:1"));
    EXPECT_TRUE(glob_match("*:1", "orders:1"));
    EXPECT_TRUE(glob_match("a*b*c", "aXXbYYbZc"));
    EXPECT_FALSE(glob_match("a*b*c", "aXXbYYbZ"));
    EXPECT_TRUE(glob_match("a?c", "abc"));
    EXPECT_FALSE(glob_match("a?c", "ac"));
    EXPECT_TRUE(glob_match("**a**", "xxaxx"));
    EXPECT_FALSE(glob_match("", "a"));
    EXPECT_TRUE(glob_match("", ""));
}

TEST(AdminGlob, ClassesAndEscapes) {
    EXPECT_TRUE(glob_match("h[ae]llo", "hallo"));
    EXPECT_FALSE(glob_match("h[ae]llo", "hillo"));
    EXPECT_TRUE(glob_match("h[^e]llo", "hallo"));
    EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
    EXPECT_TRUE(glob_match("s[0-9]", "s7"));
    EXPECT_TRUE(glob_match("s[9-0]", "s7"));  // either order, as Redis
    EXPECT_FALSE(glob_match("s[0-9]", "sx"));
    EXPECT_TRUE(glob_match("a\\*b", "a*b"));
    EXPECT_FALSE(glob_match("a\\*b", "aXb"));
    EXPECT_TRUE(glob_match("[\\]]", "]"));
    EXPECT_FALSE(glob_match("[ab", "c"));  // an unterminated class matches what it lists
    EXPECT_TRUE(glob_match("[ab", "b"));
}

TEST(AdminGlob, ManyStarsOnALongKeyStayCheap) {
    const std::string text(10'000, 'a');
    EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*b", text));
    EXPECT_TRUE(glob_match("*a*a*a*a*a*a*a*a*a", text));
}

TEST(AdminNaming, ScanMatchCoversTheShards) {
    EXPECT_EQ(scan_match_for("orders"), "orders*");
    EXPECT_EQ(scan_match_for("ord*"), "ord*");
    EXPECT_EQ(scan_match_for("*"), "*");
    EXPECT_EQ(scan_match_for("a\\*"), "a\\**");  // an escaped star is a literal
    EXPECT_EQ(scan_match_for("a\\\\*"), "a\\\\*");
    EXPECT_EQ(scan_match_for(""), "*");
}

TEST(AdminNaming, ShardKeysBelongToTheirStream) {
    auto o = owner_of("orders", "orders:12");
    ASSERT_TRUE(o);
    EXPECT_EQ(o->stream, "orders");
    EXPECT_EQ(o->shard, ShardId{12});

    o = owner_of("orders", "orders");
    ASSERT_TRUE(o);
    EXPECT_EQ(o->stream, "orders");
    EXPECT_EQ(o->shard, ShardId{0});

    // Matched only by the wider MATCH sent: neither a shard nor a match.
    EXPECT_FALSE(owner_of("orders", "orders_old"));
    EXPECT_FALSE(owner_of("orders", "orders:01"));  // not a canonical shard number
    EXPECT_FALSE(owner_of("orders", "orders:x"));

    // The stream part must match; else the key is a stream of its own.
    o = owner_of("*:1", "app:1");
    ASSERT_TRUE(o);
    EXPECT_EQ(o->stream, "app:1");
    EXPECT_EQ(o->shard, ShardId{0});
    o = owner_of("app:*", "app:events:3");
    ASSERT_TRUE(o);
    EXPECT_EQ(o->stream, "app:events");
    EXPECT_EQ(o->shard, ShardId{3});
    o = owner_of("*", ":3");  // an empty stream name is no stream
    ASSERT_TRUE(o);
    EXPECT_EQ(o->stream, ":3");
}

}  // namespace
}  // namespace redstream::detail
