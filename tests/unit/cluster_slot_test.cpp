// The hash slot function against the vectors of the Redis Cluster spec.
#include <gtest/gtest.h>

#include <redstream/cluster/slot.hpp>

namespace cl = redstream::cluster;

namespace {

TEST(ClusterSlot, Crc16MatchesTheSpecReferenceValue) {
    EXPECT_EQ(cl::crc16("123456789"), 0x31C3);
    EXPECT_EQ(cl::crc16(""), 0);
}

TEST(ClusterSlot, KeySlotsMatchTheServer) {
    // Values from CLUSTER KEYSLOT on Redis 7.
    EXPECT_EQ(cl::key_slot("123456789"), 12739);
    EXPECT_EQ(cl::key_slot("foo"), 12182);
    EXPECT_EQ(cl::key_slot("bar"), 5061);
    EXPECT_EQ(cl::key_slot(""), 0);
}

TEST(ClusterSlot, HashTagsPutKeysInOneSlot) {
    EXPECT_EQ(cl::key_slot("{user1000}.following"), cl::key_slot("{user1000}.followers"));
    EXPECT_EQ(cl::key_slot("{user1000}.following"), cl::key_slot("user1000"));
    EXPECT_EQ(cl::hash_tag("foo{bar}{zap}"), "bar");  // the first tag only
    EXPECT_EQ(cl::hash_tag("foo{{bar}}zap"), "{bar");
}

TEST(ClusterSlot, EmptyOrUnclosedTagsHashTheWholeKey) {
    EXPECT_EQ(cl::hash_tag("foo{}{bar}"), "foo{}{bar}");
    EXPECT_EQ(cl::hash_tag("foo{bar"), "foo{bar");
    EXPECT_EQ(cl::hash_tag("}foo{"), "}foo{");
}

TEST(ClusterSlot, SlotsStayInRange) {
    for (int i = 0; i < 1000; ++i)
        EXPECT_LT(cl::key_slot("key:" + std::to_string(i)), cl::slot_count);
}

}  // namespace
