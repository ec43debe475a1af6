// The group consumer's phases, stepped without a server: create the group,
// drain the member's own pending list, then read new entries.
#include <gtest/gtest.h>
#include <unistd.h>

#include "../../src/redis/consumer/group_names.hpp"
#include "../../src/redis/consumer/group_state.hpp"

namespace redstream::detail {
namespace {

using Phase = GroupCursor::Phase;
using Kind = commands::StreamStart::Kind;

TEST(GroupState, KeysStartByCreatingTheirGroupThenReadTheirPendingList) {
    GroupState s(AutoStreamReset::earliest);
    EXPECT_TRUE(s.add(StreamKey("orders"), ShardId{0}, "orders"));
    EXPECT_FALSE(s.add(StreamKey("orders"), ShardId{0}, "orders"));
    EXPECT_TRUE(s.needs_create());
    EXPECT_FALSE(s.readable());
    s.created("orders");
    EXPECT_FALSE(s.needs_create());
    EXPECT_TRUE(s.readable());
    EXPECT_TRUE(s.reading_pending());
    const auto start = s.find("orders")->start();
    EXPECT_EQ(start.kind(), Kind::after);
    EXPECT_EQ(start.id(), MessageId{});
}

TEST(GroupState, PendingPhaseAdvancesAndEndsOnAnEmptyRead) {
    GroupState s(AutoStreamReset::earliest);
    s.add(StreamKey("a"), ShardId{0}, "a");
    s.created("a");
    s.read("a", 2, MessageId{5, 1});
    EXPECT_EQ(s.find("a")->phase, Phase::pending);
    EXPECT_EQ(s.find("a")->start().id(), (MessageId{5, 1}));
    s.read("a", 0, std::nullopt);
    EXPECT_EQ(s.find("a")->phase, Phase::fresh);
    EXPECT_EQ(s.find("a")->start().kind(), Kind::undelivered);
    EXPECT_FALSE(s.reading_pending());
    s.read("a", 3, MessageId{9, 0});  // fresh reads do not move a position
    EXPECT_EQ(s.find("a")->start().kind(), Kind::undelivered);
}

TEST(GroupState, ReconnectReadsThePendingListAgainFromTheStart) {
    GroupState s(AutoStreamReset::latest);
    s.add(StreamKey("a"), ShardId{0}, "a");
    s.add(StreamKey("b"), ShardId{1}, "b:1");
    s.created("a");
    s.read("a", 0, std::nullopt);
    s.reconnected();
    EXPECT_EQ(s.find("a")->phase, Phase::pending);
    EXPECT_EQ(s.find("a")->start().id(), MessageId{});
    EXPECT_EQ(s.find("b:1")->phase, Phase::create) << "a group not yet created stays so";
}

TEST(GroupState, LostGroupIsCreatedAgain) {
    GroupState s(AutoStreamReset::earliest);
    s.add(StreamKey("a"), ShardId{0}, "a");
    s.created("a");
    s.read("a", 0, std::nullopt);
    s.lost_group("a");
    EXPECT_TRUE(s.needs_create());
    EXPECT_FALSE(s.readable());
    s.created("a");
    EXPECT_EQ(s.find("a")->phase, Phase::pending);
}

TEST(GroupState, CreateStartFollowsTheResetPolicy) {
    const GroupCursor c{StreamKey("a"), ShardId{0}, "a", Phase::create, MessageId{}, false};
    EXPECT_EQ(GroupState(AutoStreamReset::earliest).create_start(c).kind(), Kind::after);
    EXPECT_EQ(GroupState(AutoStreamReset::earliest).create_start(c).id(), MessageId{});
    EXPECT_EQ(GroupState(AutoStreamReset::latest).create_start(c).kind(), Kind::new_entries);
}

// A shard first seen after the start holds only entries written since: its
// group starts at 0 whatever the policy, until it has to be recreated.
TEST(GroupState, KeysFoundLaterAreCreatedAtTheBeginning) {
    for (auto reset : {AutoStreamReset::earliest, AutoStreamReset::latest}) {
        GroupState s(reset);
        s.add(StreamKey("a"), ShardId{0}, "a");
        s.add(StreamKey("a"), ShardId{3}, "a:3", true);
        EXPECT_FALSE(s.find("a")->found_later);
        const auto start = s.create_start(*s.find("a:3"));
        EXPECT_EQ(start.kind(), Kind::after);
        EXPECT_EQ(start.id(), MessageId{});
        s.created("a:3");
        s.lost_group("a:3");
        EXPECT_EQ(s.create_start(*s.find("a:3")).kind(), s.create_start(*s.find("a")).kind())
            << "recreated where the policy says";
    }
}

TEST(GroupState, RemoveDropsAShardsKeysOnly) {
    GroupState s(AutoStreamReset::earliest);
    s.add(StreamKey("a"), ShardId{0}, "a");
    s.add(StreamKey("a"), ShardId{0}, "a:0");
    s.add(StreamKey("a"), ShardId{1}, "a:1");
    EXPECT_EQ(s.remove(StreamKey("a"), ShardId{0}), 2u);
    ASSERT_EQ(s.cursors().size(), 1u);
    EXPECT_EQ(s.cursors()[0].key, "a:1");
    s.created("gone");  // unknown keys are ignored
    s.read("gone", 1, MessageId{1, 0});
    EXPECT_EQ(s.find("gone"), nullptr);
}

TEST(GroupNames, ResumableNamesAreStableAndLoadBalancedMembersUnique) {
    const std::string host = "box";
    ConsumerOptions resumable{.mode = ConsumerMode::resumable};
    EXPECT_EQ(group_name(resumable, host), "box:resumable");
    EXPECT_EQ(member_name(resumable, "box:resumable", host), "box:resumable");
    EXPECT_EQ(member_name(resumable, "box:resumable", host),
              member_name(resumable, "box:resumable", host));

    ConsumerOptions balanced{.mode = ConsumerMode::load_balanced};
    EXPECT_EQ(group_name(balanced, host), "box:load_balanced");
    const auto a = member_name(balanced, "g", host);
    const auto b = member_name(balanced, "g", host);
    EXPECT_NE(a, b);
    EXPECT_EQ(a.rfind("box:" + std::to_string(::getpid()) + ":", 0), 0u) << a;

    balanced.group = "workers";
    balanced.consumer = "worker-7";
    EXPECT_EQ(group_name(balanced, host), "workers");
    EXPECT_EQ(member_name(balanced, "workers", host), "worker-7");
    EXPECT_FALSE(host_name().empty());
}

}  // namespace
}  // namespace redstream::detail
