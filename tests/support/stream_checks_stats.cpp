// The stats checks: Consumer::stats() and group_stats() against what each
// key's master says (XINFO GROUPS, XPENDING).
#include <algorithm>
#include <map>
#include <set>

#include <redstream/core/error.hpp>

#include "support/promtool.hpp"
#include "support/stream_checks_util.hpp"

namespace redstream::test::stream_checks {

using namespace util;

// group_stats(): the server's lag and pending next to our own counts.
void group_stats_report_lag_pending_and_counters(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto key = unique_key();
    const auto group = unique_key("g");
    auto opts =
        in_group(ConsumerMode::resumable, AutoCommit::disabled, AutoStreamReset::earliest, group);
    opts.batch_size = 10;
    opts.prefetch = 10;
    send(streamer, key, 25, "m");
    auto c = streamer.create_consumer({key}, opts);
    // One read of 10 fills the inbox, and reading pauses until next() takes.
    ASSERT_TRUE(eventually([&] { return c.stats().queued == 10; }));
    auto stats = c.group_stats();
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].key, key);
    EXPECT_EQ(stats[0].group, group);
    EXPECT_EQ(stats[0].delivered, 10u);
    EXPECT_EQ(stats[0].pending, 10u);
    EXPECT_EQ(stats[0].lag, std::optional<std::uint64_t>(15));
    const auto info = direct.group(key, group);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->pending, 10u);
    EXPECT_EQ(info->lag, std::optional<std::int64_t>(15));
    for (int i = 0; i < 9; ++i)
        c.ack(*c.next_for(5s));
    c.commit();
    // With a batch as big as prefetch, reading waits until an eighth is
    // left: taking 9 has the inbox filled again, with 9 more.
    ASSERT_TRUE(eventually([&] { return c.stats().queued == 10; }));
    stats = c.group_stats();
    EXPECT_EQ(stats[0].acked, 9u);
    EXPECT_EQ(stats[0].delivered, 19u);
    EXPECT_EQ(stats[0].pending, 10u);
    EXPECT_EQ(stats[0].lag, std::optional<std::uint64_t>(6));
    EXPECT_EQ(stats[0].redelivered, 0u);
    EXPECT_EQ(c.stats().acked, 9u);
    const auto after = direct.group(key, group);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->pending, 10u);
    EXPECT_EQ(after->lag, std::optional<std::int64_t>(6));

    auto real_time = streamer.create_consumer({key}, {});
    EXPECT_THROW(real_time.group_stats(), Error);
}

// immediate (NOACK) has no prefetch: while the user is on a batch, nothing
// more is read, so a crash loses at most that batch.
void immediate_reads_no_further_than_the_batch(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto key = unique_key();
    const auto group = unique_key("g");
    auto opts =
        in_group(ConsumerMode::resumable, AutoCommit::immediate, AutoStreamReset::earliest, group);
    opts.batch_size = 2;
    send(streamer, key, 10, "m");
    auto c = streamer.create_consumer({key}, opts);
    EXPECT_EQ(take_payloads(c, 1), std::vector<std::string>{"m0"});
    auto stats = c.group_stats();
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].lag, std::optional<std::uint64_t>(8));
    EXPECT_EQ(stats[0].pending, 0u);
    const auto info = direct.group(key, group);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->lag, std::optional<std::int64_t>(8)) << "read by the server: two";
    EXPECT_EQ(info->pending, 0u) << "NOACK";
    EXPECT_EQ(take_payloads(c, 9).back(), "m9");
}

void delayed_acks_are_counted(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto key = unique_key();
    const auto group = unique_key("g");
    send(streamer, key, 3, "m");
    auto opts =
        in_group(ConsumerMode::resumable, AutoCommit::delayed, AutoStreamReset::earliest, group);
    opts.auto_commit_delay = 100ms;
    auto c = streamer.create_consumer({key}, opts);
    EXPECT_EQ(take(c, 3).size(), 3u);
    // Acked by the consumer's timer: no event reaches the check, so poll.
    EXPECT_TRUE(eventually([&] { return direct.pending(key, group) == 0; }));
    // The counter moves when the XACK's reply is back, just after the server
    // has dropped them from the pending list.
    EXPECT_TRUE(eventually([&] { return c.stats().acked == 3u; })) << c.stats().acked;
    EXPECT_THROW(c.ack(Message{}), Error) << "delayed acks by itself";
    EXPECT_THROW(c.commit(), Error);
}

// XACK does not check the owner: member A's ack of an entry member B has
// claimed is counted (acked, not not_pending), and it takes the entry out of
// B's pending list, so B's own ack afterwards is the one not counted.
void ack_of_a_claimed_entry_is_counted(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto key = unique_key();
    const auto group = unique_key("g");
    auto opts = in_group(ConsumerMode::load_balanced, AutoCommit::disabled,
                         AutoStreamReset::earliest, group);
    opts.auto_claim_interval = 0ms;
    opts.consumer = "a";
    send(streamer, key, 1, "m");
    auto a = streamer.create_consumer({key}, opts);
    const auto held = a.next_for(5s);
    ASSERT_TRUE(held);
    opts.consumer = "b";
    opts.auto_claim_interval = 20ms;
    opts.auto_claim_idle = 100ms;
    auto b = streamer.create_consumer({key}, opts);
    const auto claimed = b.next_for(5s);
    ASSERT_TRUE(claimed);
    EXPECT_EQ(claimed->id(), held->id());
    EXPECT_EQ(claimed->delivery_count(), 2u);
    const auto pending = direct.pending_entries(key, group);
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].consumer, "b") << "claimed: pending under b";
    EXPECT_EQ(pending[0].deliveries, 2u);

    a.ack(*held);
    a.commit();
    EXPECT_EQ(a.stats().acked, 1u) << "XACK returned 1";
    EXPECT_EQ(a.stats().not_pending, 0u);
    EXPECT_EQ(direct.pending(key, group), 0) << "gone from b's pending list too";

    b.ack(*claimed);
    b.commit();
    EXPECT_EQ(b.stats().acked, 0u);
    EXPECT_EQ(b.stats().not_pending, 1u);
}

// A sharded stream on more than one master: group_stats() has a row per
// shard key, each with the pending count and lag its own master reports and
// this consumer's deliveries and acks there.
void group_stats_per_shard_match_each_master(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto name = sharded_name(t, 4);
    const auto keys = shard_keys(name, 4);
    const auto group = unique_key("g");
    send(streamer, name, 40, "m", 4);
    auto opts =
        in_group(ConsumerMode::resumable, AutoCommit::disabled, AutoStreamReset::earliest, group);
    auto c = streamer.create_consumer({name}, opts);
    const auto ms = take(c, 40);
    ASSERT_EQ(ms.size(), 40u);
    std::map<std::string, std::uint64_t> acked;
    for (std::size_t i = 0; i < ms.size(); i += 2) {
        c.ack(ms[i]);
        ++acked[std::string(ms[i].redis_key())];
    }
    c.commit();
    std::map<std::string, GroupStreamStats> rows;
    for (auto& s : c.group_stats())
        rows[s.key] = std::move(s);
    for (const auto& [key, row] : rows)
        EXPECT_TRUE(key == name || std::find(keys.begin(), keys.end(), key) != keys.end()) << key;
    for (const auto& key : keys) {
        ASSERT_EQ(rows.count(key), 1u) << key;
        const auto& row = rows.at(key);
        const auto info = direct.group(key, group);
        ASSERT_TRUE(info) << key;
        EXPECT_EQ(row.group, group);
        EXPECT_EQ(row.delivered, 10u) << key;
        EXPECT_EQ(row.acked, acked[key]) << key;
        EXPECT_EQ(row.pending, info->pending) << key;
        EXPECT_EQ(row.pending, 10u - acked[key]) << key;
        ASSERT_TRUE(row.lag && info->lag) << key;
        EXPECT_EQ(static_cast<std::int64_t>(*row.lag), *info->lag) << key;
    }
    EXPECT_EQ(c.stats().acked, 20u);
    expect_spread(t, keys);
}

// Streamer::stats(): every live producer and consumer with its counters, the
// shared connections and each consumer's read connections, in a text
// promtool accepts.
void streamer_stats_list_every_object(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    const auto stream = sharded_name(t, 3);
    const auto group = unique_key("g");
    auto producer = streamer.create_producer(stream, {.shards = 3});
    for (int i = 0; i < 30; ++i)
        producer.send("m" + std::to_string(i));
    producer.flush();
    ConsumerOptions from_start;
    from_start.auto_stream_reset = AutoStreamReset::earliest;
    auto real_time = streamer.create_consumer({stream}, from_start);
    auto in_group_ = streamer.create_consumer(
        {stream},
        in_group(ConsumerMode::resumable, AutoCommit::rolling, AutoStreamReset::earliest, group));
    for (int i = 0; i < 30; ++i) {
        ASSERT_TRUE(real_time.next_for(5s));
        ASSERT_TRUE(in_group_.next_for(5s));
    }

    auto stats = streamer.stats();
    ASSERT_EQ(stats.producers.size(), 1u);
    EXPECT_EQ(stats.producers[0].stream, stream);
    EXPECT_EQ(stats.producers[0].stats.confirmed, 30u);
    EXPECT_GT(stats.producers[0].stats.bytes, 30u * 10);
    ASSERT_EQ(stats.consumers.size(), 2u);
    EXPECT_EQ(stats.consumers[0].streams, std::vector<std::string>{stream});
    EXPECT_EQ(stats.consumers[0].group, "");
    EXPECT_EQ(stats.consumers[0].stats.delivered, 30u);
    EXPECT_EQ(stats.consumers[1].group, group);
    EXPECT_FALSE(stats.consumers[1].member.empty());
    EXPECT_EQ(stats.consumers[1].stats.delivered, 30u);

    // Standalone one shared connection and one read connection each; on a
    // cluster one per master, and read connections (one per slot read, up
    // to max_connections_per_node) to exactly the masters of the keys read:
    // the shards and the plain key.
    std::set<std::string> read_masters;
    auto keys = shard_keys(stream, 3);
    keys.push_back(stream);
    for (const auto& k : keys)
        read_masters.insert(t.master_name(k));
    std::map<std::string, std::size_t> per_owner;
    std::map<std::string, std::set<std::string>> endpoints;
    std::uint64_t shared_out = 0;
    for (const auto& c : stats.connections) {
        ++per_owner[c.owner];
        endpoints[c.owner].insert(c.endpoint);
        if (c.owner == "streamer") shared_out += c.stats.bytes_out;
    }
    EXPECT_EQ(per_owner["streamer"], t.cluster ? 3u : 1u);
    EXPECT_EQ(per_owner.size(), 3u);
    for (const char* owner : {"consumer 0", "consumer 1"}) {
        if (t.cluster) {
            EXPECT_EQ(endpoints[owner], read_masters) << owner;
            EXPECT_LE(per_owner[owner], keys.size()) << owner;
        } else {
            EXPECT_EQ(per_owner[owner], 1u) << owner;
        }
    }
    for (const auto& c : stats.connections) {
        EXPECT_GT(c.stats.bytes_in, 0u) << c.owner << " " << c.endpoint << " read nothing";
    }
    EXPECT_GT(shared_out, stats.producers[0].stats.bytes) << "the XADDs went over them";

    EXPECT_EQ(promtool_problems(to_prometheus(stats)), "");

    // Gone objects are not listed: an ended consumer at once, a dropped
    // producer once its last completion has run.
    real_time = Consumer();
    producer = Producer();
    EXPECT_TRUE(eventually([&] { return streamer.stats().producers.empty(); }));
    stats = streamer.stats();
    ASSERT_EQ(stats.consumers.size(), 1u);
    EXPECT_EQ(stats.consumers[0].group, group);
}

}  // namespace redstream::test::stream_checks
