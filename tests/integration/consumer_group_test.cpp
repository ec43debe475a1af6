// Group consumers (resumable, load_balanced) against a real redis-server:
// group creation and start positions, resuming after end(), the member's own
// pending list first, sharing work, mkstream, and NOGROUP recovery.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <redstream/core/error.hpp>
#include <redstream/redis/streamer.hpp>

#include "group_fixture.hpp"

namespace redstream {
namespace {

using namespace std::chrono_literals;
using test::GroupConsumer;
using test::unique_key;

TEST_F(GroupConsumer, EarliestGroupSeesHistoryLatestOnlyNew) {
    for (auto commit : {AutoCommit::immediate, AutoCommit::delayed})
        for (auto mode : {ConsumerMode::resumable, ConsumerMode::load_balanced}) {
            const auto key = unique_key();
            send(key, 3, "old");
            auto early = streamer_.create_consumer(
                {key}, options(mode, commit, AutoStreamReset::earliest, unique_key("early")));
            auto late = streamer_.create_consumer(
                {key}, options(mode, commit, AutoStreamReset::latest, unique_key("late")));
            EXPECT_EQ(take(early, 3), (std::vector<std::string>{"old0", "old1", "old2"}));
            expect_quiet(late);
            send(key, 1, "new");
            EXPECT_EQ(take(late, 1), std::vector<std::string>{"new0"});
            EXPECT_EQ(take(early, 1), std::vector<std::string>{"new0"});
        }
}

// Delayed, in both modes: end() commits what next() returned, so a consumer
// under the same name resumes exactly after it: first what the old one had
// read ahead (its pending list), then the rest.
TEST_F(GroupConsumer, DelayedResumesExactlyAfterTheLastCommitted) {
    for (auto mode : {ConsumerMode::resumable, ConsumerMode::load_balanced}) {
        const auto key = unique_key();
        const auto group = unique_key("g");
        auto opts = options(mode, AutoCommit::delayed, AutoStreamReset::earliest, group);
        opts.consumer = "worker";
        opts.auto_commit_delay = 1h;
        send(key, 5, "m");
        {
            auto c = streamer_.create_consumer({key}, opts);
            EXPECT_EQ(take(c, 3).back(), "m2");
        }
        EXPECT_EQ(pending(key, group), 2) << "read ahead, not returned, not acked";
        send(key, 1, "later");
        auto again = streamer_.create_consumer({key}, opts);
        EXPECT_EQ(take(again, 3), (std::vector<std::string>{"m3", "m4", "later0"}));
        again.end();
        EXPECT_EQ(pending(key, group), 0);
    }
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
    const auto key = unique_key();
    const auto group = unique_key("g");
    send(key, 5, "m");
    auto opts =
        options(ConsumerMode::resumable, AutoCommit::disabled, AutoStreamReset::earliest, group);
    opts.batch_size = 2;
    opts.prefetch = 2;
    {
        auto c = streamer_.create_consumer({key}, opts);
        EXPECT_EQ(take(c, 2), (std::vector<std::string>{"m0", "m1"}));
        c.end();  // never acked
    }
    auto again = streamer_.create_consumer({key}, opts);
    const auto got = take(again, 5);
    EXPECT_EQ(got.front(), "m0") << "its own pending list first";
    EXPECT_EQ(got.back(), "m4");
}

TEST_F(GroupConsumer, TwoLoadBalancedConsumersShareTheWorkNoneTwice) {
    const auto key = unique_key();
    const auto group = unique_key("g");
    auto opts =
        options(ConsumerMode::load_balanced, AutoCommit::immediate, AutoStreamReset::latest, group);
    opts.batch_size = 1;
    opts.prefetch = 1;
    opts.mkstream = true;
    auto a = streamer_.create_consumer({key}, opts);
    auto b = streamer_.create_consumer({key}, opts);
    send(key, 10, "w");
    std::multiset<std::string> seen;
    std::size_t from_a = 0, from_b = 0;
    while (seen.size() < 10) {
        if (auto m = a.next_for(50ms)) seen.emplace(m->payload()), ++from_a;
        if (auto m = b.next_for(50ms)) seen.emplace(m->payload()), ++from_b;
    }
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 10u) << "none twice";
    EXPECT_GT(from_a, 0u);
    EXPECT_GT(from_b, 0u);
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
    const auto key = unique_key();
    const auto group = unique_key("g");
    send(key, 3, "m");
    auto opts =
        options(ConsumerMode::resumable, AutoCommit::delayed, AutoStreamReset::earliest, group);
    opts.auto_commit_delay = 100ms;
    auto c = streamer_.create_consumer({key}, opts);
    take(c, 3);
    // Acked by the consumer's timer: no event reaches the test, so poll.
    EXPECT_TRUE(eventually([&] { return pending(key, group) == 0; }));
    // The counter moves when the XACK's reply is back, just after the server
    // has dropped them from the pending list.
    EXPECT_TRUE(eventually([&] { return c.stats().acked == 3u; })) << c.stats().acked;
    EXPECT_THROW(c.ack(Message{}), Error) << "delayed acks by itself";
    EXPECT_THROW(c.commit(), Error);
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
    const auto key = unique_key();
    const auto group = unique_key("g");
    send(key, 5, "m");
    auto opts =
        options(ConsumerMode::resumable, AutoCommit::rolling, AutoStreamReset::earliest, group);
    opts.auto_commit_interval = 50ms;
    {
        auto c = streamer_.create_consumer({key}, opts);
        auto ms = std::vector<Message>{};
        for (int i = 0; i < 5; ++i)
            ms.push_back(*c.next_for(5s));
        for (int i = 0; i < 4; ++i)
            c.ack(ms[i]);
        EXPECT_THROW(c.commit(), Error) << "rolling commits by itself";
        c.end();
    }
    EXPECT_EQ(pending(key, group), 1);
    send(key, 1, "n");
    auto again = streamer_.create_consumer({key}, opts);
    EXPECT_EQ(take(again, 2), (std::vector<std::string>{"m4", "n0"}));
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

TEST_F(GroupConsumer, DisabledCommitsOnlyWhenAskedAndResumesAtTheFifth) {
    const auto key = unique_key();
    const auto group = unique_key("g");
    send(key, 5, "m");
    auto opts =
        options(ConsumerMode::resumable, AutoCommit::disabled, AutoStreamReset::earliest, group);
    {
        auto c = streamer_.create_consumer({key}, opts);
        auto ms = std::vector<Message>{};
        for (int i = 0; i < 5; ++i)
            ms.push_back(*c.next_for(5s));
        for (int i = 0; i < 4; ++i)
            c.ack(ms[i]);
        EXPECT_EQ(pending(key, group), 5) << "nothing sent before commit()";
        c.commit();
        EXPECT_EQ(pending(key, group), 1);
        EXPECT_EQ(c.stats().acked, 4u);
    }
    auto again = streamer_.create_consumer({key}, opts);
    EXPECT_EQ(take(again, 1), std::vector<std::string>{"m4"});
}

TEST_F(GroupConsumer, DeletedPendingEntriesAreAckedNotDelivered) {
    const auto key = unique_key();
    const auto group = unique_key("g");
    send(key, 3, "m");
    auto opts =
        options(ConsumerMode::resumable, AutoCommit::disabled, AutoStreamReset::earliest, group);
    std::vector<std::string> ids;
    {
        auto c = streamer_.create_consumer({key}, opts);
        for (int i = 0; i < 3; ++i)
            ids.push_back(c.next_for(5s)->id().to_string());
    }
    server().cli({"XDEL", key, ids[0], ids[1]});
    auto again = streamer_.create_consumer({key}, opts);
    EXPECT_EQ(take(again, 1), std::vector<std::string>{"m2"});
    EXPECT_TRUE(eventually([&] { return pending(key, group) == 1; }));
    EXPECT_EQ(again.stats().deleted, 2u);
}

// One member reads 5 and dies without acking; another claims exactly those
// 5 once they are idle long enough, with their delivery counts; the dead
// one, restarted under its old name, goes on with the group.
TEST_F(GroupConsumer, FailoverClaimsADeadMembersEntriesExactlyOnce) {
    const auto key = unique_key();
    const auto group = unique_key("g");
    auto opts = options(ConsumerMode::load_balanced, AutoCommit::disabled,
                        AutoStreamReset::earliest, group);
    opts.mkstream = true;
    opts.auto_claim_interval = 50ms;
    opts.auto_claim_idle = 300ms;
    opts.batch_size = 5;
    opts.prefetch = 5;
    auto dead_opts = opts;
    dead_opts.consumer = "dead";
    dead_opts.auto_claim_interval = 0ms;
    send(key, 5, "m");
    std::set<std::string> taken;
    {
        auto dead = streamer_.create_consumer({key}, dead_opts);
        for (const auto& p : take(dead, 5))
            taken.insert(p);
    }  // ended without acks: its 5 stay pending under "dead"
    opts.consumer = "survivor";
    auto survivor = streamer_.create_consumer({key}, opts);
    std::set<std::string> claimed;
    for (int i = 0; i < 5; ++i) {
        auto m = survivor.next_for(5s);
        ASSERT_TRUE(m) << "claimed only " << claimed.size();
        EXPECT_EQ(m->delivery_count(), 2u) << m->payload();
        claimed.emplace(m->payload());
        survivor.ack(*m);
    }
    survivor.commit();
    EXPECT_EQ(claimed, taken);
    expect_quiet(survivor);
    EXPECT_EQ(survivor.stats().claimed, 5u);
    EXPECT_EQ(pending(key, group), 0);

    auto restarted = streamer_.create_consumer({key}, dead_opts);
    send(key, 1, "after");
    std::set<std::string> later;
    for (int i = 0; i < 100 && later.empty(); ++i) {
        if (auto m = restarted.next_for(50ms)) later.emplace(m->payload());
        if (auto m = survivor.next_for(50ms)) later.emplace(m->payload());
    }
    EXPECT_EQ(later, std::set<std::string>{"after0"}) << "nothing old comes back";
}

}  // namespace
}  // namespace redstream
