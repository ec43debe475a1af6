// The real-time consumer checks: start positions, the quiet-stream case,
// messages, unusual key names, shards (in order, found late, assigned). The
// entries are written straight to each key's master, not by a Producer.
#include <algorithm>
#include <map>

#include "support/stream_checks_util.hpp"

namespace redstream::test::stream_checks {

using namespace util;

void earliest_sees_history_across_streams(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto a = unique_key(), b = unique_key();
    direct.xadd_many(a, 3, "a");
    direct.xadd_many(b, 2, "b");
    auto c = streamer.create_consumer({a, b}, real_time(AutoStreamReset::earliest));
    auto ms = take(c, 5);
    EXPECT_EQ(payloads_of(ms, a), (std::vector<std::string>{"a0", "a1", "a2"}));
    EXPECT_EQ(payloads_of(ms, b), (std::vector<std::string>{"b0", "b1"}));
    direct.xadd(b, "b2");
    EXPECT_EQ(take_payloads(c, 1), std::vector<std::string>{"b2"});
}

void latest_sees_only_what_comes_after_start(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto a = unique_key(), b = unique_key();
    direct.xadd_many(a, 3, "old");
    direct.xadd_many(b, 3, "old");
    auto c = streamer.create_consumer({a, b}, real_time(AutoStreamReset::latest));
    expect_quiet(c);
    direct.xadd(a, "new-a");
    direct.xadd(b, "new-b");
    auto ms = take(c, 2);
    EXPECT_EQ(payloads_of(ms, a), (std::vector<std::string>{"new-a"}));
    EXPECT_EQ(payloads_of(ms, b), (std::vector<std::string>{"new-b"}));
    expect_quiet(c);
}

// The seed crate's bug: a stream that had not delivered yet re-sent `$` on
// every read, losing what was added to it between two reads. A small
// prefetch makes the busy stream need many reads; the quiet one gets its
// messages while the loop is between reads (paused on a full queue). One
// hash tag puts both in one slot, so that on a cluster too they share one
// XREAD, where the quiet key's `$` would be sent again.
void quiet_stream_next_to_busy_one_loses_nothing(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto tag = hash_tag();
    const auto busy = tag + "busy", quiet = tag + "quiet";
    auto o = real_time(AutoStreamReset::latest);
    o.batch_size = 10;
    o.prefetch = 10;
    auto c = streamer.create_consumer({busy, quiet}, o);
    direct.xadd_many(busy, 300, "m");
    std::vector<Message> got;
    for (int round = 0; round < 3; ++round) {
        auto part = take(c, 50);
        got.insert(got.end(), part.begin(), part.end());
        direct.xadd(quiet, "q" + std::to_string(round));
    }
    auto rest = take(c, 300 - 150 + 3);
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_EQ(payloads_of(got, quiet), (std::vector<std::string>{"q0", "q1", "q2"}));
    EXPECT_EQ(payloads_of(got, busy).size(), 300u);
    expect_quiet(c);
}

void message_has_header_payload_and_fields(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto key = unique_key();
    auto c = streamer.create_consumer({key}, real_time(AutoStreamReset::latest));
    const auto id = direct.xadd(key, "hello", {{"a", "1"}, {"b", "2"}});
    auto m = take(c, 1).at(0);
    EXPECT_EQ(m.stream_key().name(), key);
    EXPECT_EQ(m.redis_key(), key);
    EXPECT_EQ(m.shard_id(), ShardId{0});
    EXPECT_EQ(m.id(), id);
    EXPECT_EQ(m.timestamp(), timestamp_of(id));
    EXPECT_EQ(m.payload(), "hello");
    ASSERT_EQ(m.fields().size(), 2u);
    EXPECT_EQ(m.fields()[0], (Field{"a", "1"}));
    EXPECT_EQ(m.fields()[1], (Field{"b", "2"}));
}

// On a cluster the shard of `glob` is found by a SCAN on every master with
// the glob characters escaped.
void keys_with_colons_hash_tags_and_glob_characters(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto colon = unique_key("app:events"), tag = unique_key("{user}:feed"),
               glob = unique_key("a*b?[c]\\d");
    direct.xadd(colon, "1");
    direct.xadd(tag, "2");
    direct.xadd(glob, "3");
    direct.xadd(glob + ":1", "4");
    auto c = streamer.create_consumer({colon, tag, glob}, real_time(AutoStreamReset::earliest));
    auto ms = take(c, 4);
    EXPECT_EQ(payloads_of(ms, colon), (std::vector<std::string>{"1"}));
    EXPECT_EQ(payloads_of(ms, tag), (std::vector<std::string>{"2"}));
    // Two keys (the plain one and shard 1): on a cluster in different slots,
    // read by different connections, so in no set order between them.
    auto of_glob = payloads_of(ms, glob);
    std::sort(of_glob.begin(), of_glob.end());
    EXPECT_EQ(of_glob, (std::vector<std::string>{"3", "4"}));
}

void shards_read_back_in_order(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto s = sharded_name(t, 6);
    const auto keys = shard_keys(s, 6);
    for (int i = 0; i < 60; ++i)
        direct.xadd(keys[i % 6], std::to_string(i));
    auto c = streamer.create_consumer({s}, real_time(AutoStreamReset::earliest));
    std::map<std::uint64_t, std::vector<int>> by_shard;
    for (const auto& m : take(c, 60)) {
        EXPECT_EQ(m.stream_key().name(), s);
        EXPECT_EQ(m.redis_key(), keys.at(m.shard_id().value));
        by_shard[m.shard_id().value].push_back(std::stoi(std::string(m.payload())));
    }
    ASSERT_EQ(by_shard.size(), 6u);
    for (const auto& [shard, values] : by_shard) {
        ASSERT_EQ(values.size(), 10u);
        for (std::size_t i = 0; i < values.size(); ++i)
            EXPECT_EQ(values[i], static_cast<int>(i * 6 + shard)) << "in order per shard";
    }
    expect_quiet(c);
    expect_spread(t, keys);
}

void shard_created_after_start_is_read_whole(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto s = unique_key();
    auto o = real_time(AutoStreamReset::latest);
    o.discovery_interval = 100ms;
    auto c = streamer.create_consumer({s}, o);
    direct.xadd(s + ":5", "x");
    direct.xadd(s + ":5", "y");
    auto ms = take(c, 2);
    ASSERT_EQ(ms.size(), 2u);
    EXPECT_EQ(ms[0].shard_id(), ShardId{5});
    EXPECT_EQ(payloads_of(ms, s), (std::vector<std::string>{"x", "y"}));
}

void assign_and_unassign_a_shard(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto s = unique_key();
    direct.xadd(s + ":1", "one");
    auto o = real_time(AutoStreamReset::earliest);
    o.discover_shards = false;
    auto c = streamer.create_consumer({s}, o);
    expect_quiet(c);
    c.assign(s, ShardId{1});
    auto m = take(c, 1).at(0);
    EXPECT_EQ(m.payload(), "one");
    EXPECT_EQ(m.shard_id(), ShardId{1});
    c.unassign(s, ShardId{1});
    direct.xadd(s + ":1", "two");
    direct.xadd(s, "plain");
    m = take(c, 1).at(0);  // the plain key is still read; shard 1 no longer
    EXPECT_EQ(m.payload(), "plain");
    expect_quiet(c);
}

}  // namespace redstream::test::stream_checks
