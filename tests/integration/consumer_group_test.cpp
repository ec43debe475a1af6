// Group consumers (resumable, load_balanced) against a real redis-server: the
// checks shared with the cluster tests (support/stream_checks.hpp: start
// positions, resuming after end() under each commit policy, the member's own
// pending list first, sharing work, claiming a dead member's entries, deleted
// pending entries, delayed acks), and mkstream, NOGROUP recovery, a stream
// deleted under a blocked read, what immediate and rolling do between reads.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <redstream/core/error.hpp>
#include <redstream/redis/streamer.hpp>

#include "group_fixture.hpp"
#include "support/stream_checks.hpp"

namespace redstream {
namespace {

using namespace std::chrono_literals;
using test::GroupConsumer;
using test::unique_key;
namespace checks = test::stream_checks;

TEST_F(GroupConsumer, EarliestGroupSeesHistoryLatestOnlyNew) {
    checks::group_start_positions(target());
}

TEST_F(GroupConsumer, DelayedResumesExactlyAfterTheLastCommitted) {
    checks::delayed_resumes_after_the_last_committed(target());
}

TEST_F(GroupConsumer, ANewConsumerInTheGroupResumesAfterEnd) {
    const auto key = unique_key();
    const auto group = unique_key("g");
    send(key, 5, "m");
    {
        auto c =
            streamer_.create_consumer({key}, options(ConsumerMode::resumable, AutoCommit::immediate,
                                                     AutoStreamReset::earliest, group));
        EXPECT_EQ(take(c, 3).back(), "m2");
        c.end();
    }
    // The first consumer may have prefetched the rest; under immediate
    // (NOACK) what it fetched counts as consumed, so start from a fresh point.
    send(key, 2, "later");
    auto again = streamer_.create_consumer(
        {key},
        options(ConsumerMode::resumable, AutoCommit::immediate, AutoStreamReset::earliest, group));
    const auto got = take(again, 2);
    EXPECT_EQ(got.back(), "later1");
    EXPECT_EQ(std::count(got.begin(), got.end(), "m0"), 0) << "history re-read";
}

TEST_F(GroupConsumer, UnackedEntriesComeBackFirstToTheSameMember) {
    checks::unacked_entries_come_back_first_to_the_same_member(target());
}

TEST_F(GroupConsumer, TwoLoadBalancedConsumersShareTheWorkNoneTwice) {
    checks::load_balanced_members_share_the_work(target());
}

TEST_F(GroupConsumer, MissingStreamIsAnErrorWithoutMkstream) {
    const auto key = unique_key();
    auto opts = options(ConsumerMode::resumable, AutoCommit::immediate, AutoStreamReset::earliest,
                        unique_key("g"));
    try {
        streamer_.create_consumer({key}, opts);
        FAIL() << "a missing stream without mkstream must fail";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), errc::nogroup);
        EXPECT_NE(std::string(e.what()).find("mkstream"), std::string::npos) << e.what();
    }
    opts.mkstream = true;
    auto c = streamer_.create_consumer({key}, opts);
    send(key, 1, "x");
    EXPECT_EQ(take(c, 1), std::vector<std::string>{"x0"});
}

TEST_F(GroupConsumer, AGroupDestroyedWhileConsumingIsCreatedAgain) {
    const auto key = unique_key();
    const auto group = unique_key("g");
    send(key, 1, "a");
    // Delayed: it reads by itself (immediate would read only for a next()).
    auto c = streamer_.create_consumer({key}, options(ConsumerMode::resumable, AutoCommit::delayed,
                                                      AutoStreamReset::latest, group));
    server().cli({"XGROUP", "DESTROY", key, group});
    send(key, 1, "b");  // may be lost with the group: history between is not promised
    // Recreated at `$`: what comes after the recreation is delivered. No
    // event tells the test the group is back: poll the server.
    ASSERT_TRUE(eventually([&] {
        return server().cli({"XINFO", "GROUPS", key}).find(group) != std::string::npos;
    }));
    send(key, 1, "c");
    bool got_c = false;
    for (int i = 0; i < 3 && !got_c; ++i)
        if (auto m = c.next_for(5s)) got_c = m->payload() == "c0";
    EXPECT_TRUE(got_c);
}

// Redis 7 ends an XREADGROUP blocked on a key that is deleted with
// "UNBLOCKED the stream key no longer exists": the group went with the key,
// so it is created again, as after NOGROUP, rather than ending the reads.
TEST_F(GroupConsumer, AStreamDeletedUnderABlockedReadIsReadAgain) {
    const auto key = unique_key();
    const auto group = unique_key("g");
    auto opts =
        options(ConsumerMode::resumable, AutoCommit::delayed, AutoStreamReset::latest, group);
    opts.block_time = 5s;
    opts.mkstream = true;
    auto c = streamer_.create_consumer({key}, opts);
    ASSERT_TRUE(eventually([] { return blocked_clients() == 1; }));
    server().cli({"DEL", key});
    ASSERT_TRUE(eventually([&] {
        return server().cli({"XINFO", "GROUPS", key}).find(group) != std::string::npos;
    }));
    send(key, 1, "after");
    EXPECT_EQ(take(c, 1), std::vector<std::string>{"after0"});
    EXPECT_FALSE(c.last_error()) << c.last_error().message();
    EXPECT_EQ(c.stats().groups_recreated, 1u);
}

TEST_F(GroupConsumer, SeekIsForRealTimeConsumersOnly) {
    const auto key = unique_key();
    auto opts = options(ConsumerMode::resumable, AutoCommit::immediate, AutoStreamReset::earliest,
                        unique_key("g"));
    opts.mkstream = true;
    auto c = streamer_.create_consumer({key}, opts);
    EXPECT_THROW(c.rewind(SeqPos::beginning()), Error);
    EXPECT_THROW(c.seek(Timestamp{}), Error);
}

TEST_F(GroupConsumer, DelayedAcksWhatWasDeliveredAfterTheDelay) {
    checks::delayed_acks_are_counted(target());
}

TEST_F(GroupConsumer, DelayedEndCommitsWhatIsOwedAtOnce) {
    const auto key = unique_key();
    const auto group = unique_key("g");
    send(key, 3, "m");
    auto opts =
        options(ConsumerMode::resumable, AutoCommit::delayed, AutoStreamReset::earliest, group);
    opts.auto_commit_delay = 1h;
    auto c = streamer_.create_consumer({key}, opts);
    take(c, 3);
    EXPECT_EQ(pending(key, group), 3);
    c.end();
    EXPECT_EQ(pending(key, group), 0);
}

TEST_F(GroupConsumer, RollingResumesAtTheFirstUnackedAfterARestart) {
    checks::rolling_resumes_at_the_first_unacked(target());
}

// Acks are committed in the background even when nothing else happens (no
// reads, no end()): the consumer's own timer sends them.
TEST_F(GroupConsumer, RollingCommitsInTheBackgroundWhileIdle) {
    const auto key = unique_key();
    const auto group = unique_key("g");
    auto opts =
        options(ConsumerMode::resumable, AutoCommit::rolling, AutoStreamReset::earliest, group);
    opts.auto_commit_interval = 20ms;
    send(key, 3, "m");
    auto c = streamer_.create_consumer({key}, opts);
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 3; ++i)
            c.ack(*c.next_for(5s));
        EXPECT_TRUE(eventually([&] { return pending(key, group) == 0; })) << "round " << round;
        send(key, 3, "more");
    }
    // Counted once the XACK's reply is back, just after pending said 0.
    EXPECT_TRUE(eventually([&] { return c.stats().acked == 6u; })) << c.stats().acked;
}

// A load-balanced member commits its rolling acks about one read at a time
// (its prefetch, 100 by default), not per batch_size (1000, which it never
// reads at once): the server's pending list stays as short as a read-then-ack
// loop keeps it, and its XREADGROUP and XACK as cheap (bench/README.md,
// lb_group_3x). The interval is an hour: only the batches commit here. Acks
// the strand took and acks still in the log are each below a batch at rest,
// so fewer than two batches stay owed.
TEST_F(GroupConsumer, LoadBalancedRollingCommitsAboutOneReadAtATime) {
    const auto key = unique_key();
    const auto group = unique_key("g");
    auto opts =
        options(ConsumerMode::load_balanced, AutoCommit::rolling, AutoStreamReset::earliest, group);
    opts.auto_commit_interval = 1h;
    const long long batch = static_cast<long long>(opts.prefetch_or_default());
    ASSERT_EQ(batch, 100);
    ASSERT_GT(static_cast<long long>(opts.batch_size), 900);
    send(key, 900, "m");
    auto c = streamer_.create_consumer({key}, opts);
    for (int i = 0; i < 900; ++i)
        c.ack(*c.next_for(5s));
    EXPECT_TRUE(eventually([&] { return pending(key, group) < 2 * batch; }))
        << pending(key, group) << " pending";
    // Counted once the XACK's reply is back, just after the server's pending list shrank.
    const auto least_acked = static_cast<std::uint64_t>(900 - 2 * batch);
    EXPECT_TRUE(eventually([&] { return c.stats().acked > least_acked; })) << c.stats().acked;
    c.end();
    EXPECT_EQ(pending(key, group), 0);
    EXPECT_EQ(c.stats().acked, 900u);
}

TEST_F(GroupConsumer, DisabledCommitsOnlyWhenAskedAndResumesAtTheFifth) {
    checks::disabled_commits_only_when_asked(target());
}

TEST_F(GroupConsumer, DeletedPendingEntriesAreAckedNotDelivered) {
    checks::deleted_pending_entries_are_acked_not_delivered(target());
}

TEST_F(GroupConsumer, FailoverClaimsADeadMembersEntriesExactlyOnce) {
    checks::dead_members_entries_are_claimed_once(target());
}

}  // namespace
}  // namespace redstream
