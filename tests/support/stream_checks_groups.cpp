// The group consumer checks (resumable, load_balanced): start positions,
// resuming after end() under each commit policy, the member's own pending
// list first, sharing work, claiming a dead member's entries, deleted pending
// entries. Pending counts are asked of each key's master.
#include <set>

#include <redstream/core/error.hpp>

#include "support/stream_checks_util.hpp"

namespace redstream::test::stream_checks {

using namespace util;

void group_start_positions(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    for (auto commit : {AutoCommit::immediate, AutoCommit::delayed})
        for (auto mode : {ConsumerMode::resumable, ConsumerMode::load_balanced}) {
            const auto key = unique_key();
            send(streamer, key, 3, "old");
            auto early = streamer.create_consumer(
                {key}, in_group(mode, commit, AutoStreamReset::earliest, unique_key("early")));
            auto late = streamer.create_consumer(
                {key}, in_group(mode, commit, AutoStreamReset::latest, unique_key("late")));
            EXPECT_EQ(take_payloads(early, 3), (std::vector<std::string>{"old0", "old1", "old2"}));
            expect_quiet(late);
            send(streamer, key, 1, "new");
            EXPECT_EQ(take_payloads(late, 1), std::vector<std::string>{"new0"});
            EXPECT_EQ(take_payloads(early, 1), std::vector<std::string>{"new0"});
        }
}

// Delayed, in both modes: end() commits what next() returned, so a consumer
// under the same name resumes exactly after it: first what the old one had
// read ahead (its pending list), then the rest.
void delayed_resumes_after_the_last_committed(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    for (auto mode : {ConsumerMode::resumable, ConsumerMode::load_balanced}) {
        const auto key = unique_key();
        const auto group = unique_key("g");
        auto opts = in_group(mode, AutoCommit::delayed, AutoStreamReset::earliest, group);
        opts.consumer = "worker";
        opts.auto_commit_delay = 1h;
        send(streamer, key, 5, "m");
        {
            auto c = streamer.create_consumer({key}, opts);
            EXPECT_EQ(take_payloads(c, 3).back(), "m2");
        }
        EXPECT_EQ(direct.pending(key, group), 2) << "read ahead, not returned, not acked";
        send(streamer, key, 1, "later");
        auto again = streamer.create_consumer({key}, opts);
        EXPECT_EQ(take_payloads(again, 3), (std::vector<std::string>{"m3", "m4", "later0"}));
        again.end();
        EXPECT_EQ(direct.pending(key, group), 0);
    }
}

void unacked_entries_come_back_first_to_the_same_member(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    const auto key = unique_key();
    const auto group = unique_key("g");
    send(streamer, key, 5, "m");
    auto opts =
        in_group(ConsumerMode::resumable, AutoCommit::disabled, AutoStreamReset::earliest, group);
    opts.batch_size = 2;
    opts.prefetch = 2;
    {
        auto c = streamer.create_consumer({key}, opts);
        EXPECT_EQ(take_payloads(c, 2), (std::vector<std::string>{"m0", "m1"}));
        c.end();  // never acked
    }
    auto again = streamer.create_consumer({key}, opts);
    const auto got = take_payloads(again, 5);
    ASSERT_EQ(got.size(), 5u);
    EXPECT_EQ(got.front(), "m0") << "its own pending list first";
    EXPECT_EQ(got.back(), "m4");
}

void disabled_commits_only_when_asked(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto key = unique_key();
    const auto group = unique_key("g");
    send(streamer, key, 5, "m");
    auto opts =
        in_group(ConsumerMode::resumable, AutoCommit::disabled, AutoStreamReset::earliest, group);
    {
        auto c = streamer.create_consumer({key}, opts);
        const auto ms = take(c, 5);
        ASSERT_EQ(ms.size(), 5u);
        for (int i = 0; i < 4; ++i)
            c.ack(ms[i]);
        EXPECT_EQ(direct.pending(key, group), 5) << "nothing sent before commit()";
        c.commit();
        EXPECT_EQ(direct.pending(key, group), 1);
        EXPECT_EQ(c.stats().acked, 4u);
    }
    auto again = streamer.create_consumer({key}, opts);
    EXPECT_EQ(take_payloads(again, 1), std::vector<std::string>{"m4"});
}

void rolling_resumes_at_the_first_unacked(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto key = unique_key();
    const auto group = unique_key("g");
    send(streamer, key, 5, "m");
    auto opts =
        in_group(ConsumerMode::resumable, AutoCommit::rolling, AutoStreamReset::earliest, group);
    opts.auto_commit_interval = 50ms;
    {
        auto c = streamer.create_consumer({key}, opts);
        const auto ms = take(c, 5);
        ASSERT_EQ(ms.size(), 5u);
        for (int i = 0; i < 4; ++i)
            c.ack(ms[i]);
        EXPECT_THROW(c.commit(), Error) << "rolling commits by itself";
        c.end();
    }
    EXPECT_EQ(direct.pending(key, group), 1);
    send(streamer, key, 1, "n");
    auto again = streamer.create_consumer({key}, opts);
    EXPECT_EQ(take_payloads(again, 2), (std::vector<std::string>{"m4", "n0"}));
}

// Members holding one message at a time, over four shards on more than one
// master: both get work, none a message twice, and their acks empty every
// shard's pending list on its own master.
void load_balanced_members_share_the_work(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto name = sharded_name(t, 4);
    const auto keys = shard_keys(name, 4);
    const auto group = unique_key("g");
    send(streamer, name, 40, "w", 4);
    auto opts = in_group(ConsumerMode::load_balanced, AutoCommit::rolling,
                         AutoStreamReset::earliest, group);
    opts.batch_size = 1;
    opts.prefetch = 1;
    opts.auto_commit_interval = 20ms;
    auto a = streamer.create_consumer({name}, opts);
    auto b = streamer.create_consumer({name}, opts);
    std::multiset<std::string> seen;
    std::size_t from_a = 0, from_b = 0;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (seen.size() < 40 && std::chrono::steady_clock::now() < deadline) {
        if (auto m = a.next_for(50ms)) {
            seen.emplace(m->payload());
            ++from_a;
            a.ack(*m);
        }
        if (auto m = b.next_for(50ms)) {
            seen.emplace(m->payload());
            ++from_b;
            b.ack(*m);
        }
    }
    EXPECT_EQ(seen.size(), 40u);
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size()) << "none twice";
    EXPECT_GT(from_a, 0u);
    EXPECT_GT(from_b, 0u);
    for (const auto& key : keys)
        EXPECT_TRUE(eventually([&] { return direct.pending(key, group) == 0; }))
            << key << ": " << direct.pending(key, group) << " pending";
    expect_spread(t, keys);
}

// One member reads two entries of each of three shards and dies without
// acking; another claims exactly those six, on every shard's master, once
// they are idle long enough, with their delivery counts; the dead one,
// restarted under its old name, goes on with the group.
void dead_members_entries_are_claimed_once(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto name = sharded_name(t, 3);
    const auto keys = shard_keys(name, 3);
    const auto group = unique_key("g");
    auto opts = in_group(ConsumerMode::load_balanced, AutoCommit::disabled,
                         AutoStreamReset::earliest, group);
    opts.auto_claim_interval = 50ms;
    opts.auto_claim_idle = 300ms;
    auto dead_opts = opts;
    dead_opts.consumer = "dead";
    dead_opts.auto_claim_interval = 0ms;
    send(streamer, name, 6, "m", 3);
    std::set<std::string> taken;
    {
        auto dead = streamer.create_consumer({name}, dead_opts);
        for (const auto& p : take_payloads(dead, 6))
            taken.insert(p);
    }  // ended without acks: its 6 stay pending under "dead"
    for (const auto& key : keys) {
        const auto pending = direct.pending_entries(key, group);
        EXPECT_EQ(pending.size(), 2u) << key;
        for (const auto& p : pending)
            EXPECT_EQ(p.consumer, "dead") << key;
    }
    opts.consumer = "survivor";
    auto survivor = streamer.create_consumer({name}, opts);
    std::set<std::string> claimed;
    for (int i = 0; i < 6; ++i) {
        auto m = survivor.next_for(5s);
        ASSERT_TRUE(m) << "claimed only " << claimed.size();
        EXPECT_EQ(m->delivery_count(), 2u) << m->payload();
        claimed.emplace(m->payload());
        survivor.ack(*m);
    }
    survivor.commit();
    EXPECT_EQ(claimed, taken);
    expect_quiet(survivor);
    EXPECT_EQ(survivor.stats().claimed, 6u);
    for (const auto& key : keys)
        EXPECT_EQ(direct.pending(key, group), 0) << key;

    auto restarted = streamer.create_consumer({name}, dead_opts);
    send(streamer, name, 1, "after", 3);
    std::set<std::string> later;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (later.empty() && std::chrono::steady_clock::now() < deadline) {
        if (auto m = restarted.next_for(50ms)) later.emplace(m->payload());
        if (auto m = survivor.next_for(50ms)) later.emplace(m->payload());
    }
    EXPECT_EQ(later, std::set<std::string>{"after0"}) << "nothing old comes back";
    expect_spread(t, keys);
}

void deleted_pending_entries_are_acked_not_delivered(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto key = unique_key();
    const auto group = unique_key("g");
    send(streamer, key, 3, "m");
    auto opts =
        in_group(ConsumerMode::resumable, AutoCommit::disabled, AutoStreamReset::earliest, group);
    std::vector<std::string> ids;
    {
        auto c = streamer.create_consumer({key}, opts);
        for (const auto& m : take(c, 3))
            ids.push_back(m.id().to_string());
    }
    ASSERT_EQ(ids.size(), 3u);
    direct.run(key, {"XDEL", key, ids[0], ids[1]});
    auto again = streamer.create_consumer({key}, opts);
    EXPECT_EQ(take_payloads(again, 1), std::vector<std::string>{"m2"});
    EXPECT_TRUE(eventually([&] { return direct.pending(key, group) == 1; }));
    EXPECT_EQ(again.stats().deleted, 2u);
}

}  // namespace redstream::test::stream_checks
