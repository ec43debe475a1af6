// The producer checks: receipts, what the server stored, per-send errors,
// flush and disconnect, sharding and trimming.
#include <map>
#include <set>

#include <redstream/core/error.hpp>

#include "support/stream_checks_util.hpp"

namespace redstream::test::stream_checks {

using namespace util;

void receipts_in_order_and_payloads_stored(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto key = unique_key("orders");
    auto producer = streamer.create_producer(key);
    std::vector<SendFuture> futures;
    for (int i = 0; i < 100; ++i)
        futures.push_back(producer.send("payload-" + std::to_string(i)));
    std::vector<MessageId> ids;
    for (auto& f : futures) {
        const Receipt r = f.get();
        EXPECT_EQ(r.stream_key.name(), key);
        EXPECT_EQ(r.shard_id.value, 0u);
        if (!ids.empty()) {
            EXPECT_GT(r.id, ids.back()) << "receipts come back in send order";
        }
        EXPECT_EQ(r.timestamp, timestamp_of(r.id));
        ids.push_back(r.id);
    }
    const auto stored = direct.xrange(key);
    ASSERT_EQ(stored.size(), 100u);
    for (std::size_t i = 0; i < stored.size(); ++i) {
        EXPECT_EQ(stored[i].id, ids[i]) << i;
        EXPECT_EQ(stored[i].field("msg"), "payload-" + std::to_string(i)) << i;
    }
}

// Issue 10 §2: a payload handed over (send(std::move(s))) at or above
// zero_copy_threshold is written from the string itself, held until it is
// written; smaller ones and lvalues are copied. Every entry is stored whole.
void handed_over_payloads_stored_whole(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto key = unique_key("owned");
    ProducerOptions opts;
    opts.zero_copy_threshold = 4096;
    auto producer = streamer.create_producer(key, opts);
    const auto payload_of = [](std::size_t i, std::size_t size) {
        std::string p(size, static_cast<char>('a' + i % 26));
        p.replace(0, std::to_string(i).size(), std::to_string(i));
        return p;
    };
    const std::size_t sizes[] = {10, 4095, 4096, 70000};
    std::vector<std::string> expected;
    std::vector<SendFuture> futures;
    for (std::size_t i = 0; i < 40; ++i) {
        const auto size = sizes[i % 4];
        expected.push_back(payload_of(i, size));
        std::string owned = payload_of(i, size);
        if (i % 8 == 7)
            futures.push_back(producer.send(owned));  // an lvalue: copied
        else
            futures.push_back(producer.send(std::move(owned)));
    }
    for (auto& f : futures)
        f.get();
    const auto stored = direct.xrange(key);
    ASSERT_EQ(stored.size(), 40u);
    for (std::size_t i = 0; i < 40; ++i)
        EXPECT_EQ(stored[i].field("msg"), expected[i]) << "entry " << i;
}

void extra_fields_and_explicit_ids(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto key = unique_key("fields");
    auto producer = streamer.create_producer(key);
    const Field extra[] = {{"kind", "order"}, {"n", "7"}};
    auto r = producer.send("p", {.fields = extra, .id = commands::XAddId::exact({5, 1})}).get();
    EXPECT_EQ(r.id, (MessageId{5, 1}));
    r = producer.send("q", {.id = commands::XAddId::auto_seq(5)}).get();
    EXPECT_EQ(r.id, (MessageId{5, 2}));
    const auto stored = direct.xrange(key);
    ASSERT_EQ(stored.size(), 2u);
    EXPECT_EQ(stored[0].id, (MessageId{5, 1}));
    using Fields = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ(stored[0].fields, (Fields{{"msg", "p"}, {"kind", "order"}, {"n", "7"}}));
    EXPECT_EQ(stored[1].id, (MessageId{5, 2}));
    EXPECT_EQ(stored[1].fields, (Fields{{"msg", "q"}}));
}

// On a cluster the two keys are in different slots: the batch is split by
// node, and the refusals still come back to the right sends.
void rejected_send_fails_alone(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto key = unique_key("mixed");
    const auto wrong = unique_key("string");
    direct.run(wrong, {"SET", wrong, "x"});
    auto producer = streamer.create_generic_producer();
    auto ok1 = producer.send_to(key, "a");
    auto bad_type = producer.send_to(wrong, "b");
    auto bad_id = producer.send_to(key, "c", {.id = commands::XAddId::exact({0, 1})});
    auto ok2 = producer.send_to(key, "d");
    std::error_code ec;
    EXPECT_FALSE((ok1.get(ec), ec));
    bad_type.get(ec);
    EXPECT_EQ(ec, errc::wrongtype);
    bad_id.get(ec);  // ERR The ID specified in XADD is equal or smaller than ...
    EXPECT_EQ(ec, errc::server_error);
    EXPECT_FALSE((ok2.get(ec), ec));
    const auto stored = direct.xrange(key);
    ASSERT_EQ(stored.size(), 2u);
    EXPECT_EQ(stored[0].field("msg"), "a");
    EXPECT_EQ(stored[1].field("msg"), "d");

    // The stats count each send once, as its future saw it.
    producer.flush();  // completes once every send before it completed and let go
    auto stats = producer.stats();
    EXPECT_EQ(stats.sent, 4u);
    EXPECT_EQ(stats.confirmed, 2u);
    EXPECT_EQ(stats.failed, 2u);
    EXPECT_EQ(stats.in_flight, 0u);
    EXPECT_GE(stats.bytes, 4 * std::string_view("*5\r\n$4\r\nXADD\r\n").size());
    producer.send("no stream").get(ec);  // refused before it is taken
    EXPECT_EQ(ec, errc::invalid_argument);
    stats = producer.stats();
    EXPECT_EQ(stats.sent, 4u);
    EXPECT_EQ(stats.failed, 3u);
}

void flush_and_disconnect_store_everything_sent(const Target& t) {
    Direct direct(t);
    {
        auto streamer = Streamer::connect(t.url);
        const auto key = unique_key("flush");
        auto producer = streamer.create_producer(key);
        for (int i = 0; i < 5000; ++i)
            producer.send("x");  // futures ignored
        producer.flush();
        EXPECT_EQ(direct.xlen(key), 5000u);
        producer.end();
        std::error_code ec;
        producer.send("after end").get(ec);
        EXPECT_EQ(ec, errc::shutting_down);
    }
    // disconnect() flushes every producer, over every shard's master.
    auto streamer = Streamer::connect(t.url);
    const auto name = sharded_name(t, 4);
    const auto keys = shard_keys(name, 4);
    auto producer = streamer.create_producer(name, {.shards = 4});
    for (int i = 0; i < 2000; ++i)
        producer.send("x");
    streamer.disconnect();
    for (const auto& key : keys)
        EXPECT_EQ(direct.xlen(key), 500u) << key;
    expect_spread(t, keys);
    std::error_code ec;
    producer.send("late").get(ec);
    EXPECT_EQ(ec, errc::shutting_down);
}

void round_robin_covers_every_shard_evenly(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto name = sharded_name(t, 6);
    const auto keys = shard_keys(name, 6);
    auto producer = streamer.create_producer(name, {.shards = 6});
    std::vector<SendFuture> sends;
    for (int i = 0; i < 60; ++i)
        sends.push_back(producer.send(std::to_string(i)));
    std::map<std::string, std::vector<MessageId>> ids;
    for (std::size_t i = 0; i < sends.size(); ++i) {
        const auto r = sends[i].get();
        EXPECT_EQ(r.shard_id.value, i % 6);
        ids[keys.at(r.shard_id.value)].push_back(r.id);
    }
    for (std::size_t s = 0; s < keys.size(); ++s) {
        const auto stored = direct.xrange(keys[s]);
        ASSERT_EQ(stored.size(), 10u) << keys[s];
        for (std::size_t j = 0; j < stored.size(); ++j) {
            EXPECT_EQ(stored[j].id, ids[keys[s]].at(j)) << keys[s];
            EXPECT_EQ(stored[j].field("msg"), std::to_string(j * 6 + s)) << keys[s];
        }
    }
    EXPECT_FALSE(direct.exists(name)) << "nothing on the stream's own key";
    expect_spread(t, keys);
}

void key_hash_and_custom_sharders(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto name = sharded_name(t, 4);
    const auto keys = shard_keys(name, 4);
    auto producer = streamer.create_producer(name, {.shards = 4, .sharder = Sharder::key_hash()});
    std::set<std::uint64_t> user_a, all;
    std::map<std::uint64_t, std::uint64_t> sent;
    for (int i = 0; i < 20; ++i) {
        const auto a = producer.send("m", {.partition_key = "user-a"}).get().shard_id.value;
        const auto any =
            producer.send("m", {.partition_key = "user-" + std::to_string(i)}).get().shard_id.value;
        user_a.insert(a);
        all.insert(any);
        ++sent[a];
        ++sent[any];
    }
    EXPECT_EQ(user_a.size(), 1u);
    EXPECT_GT(all.size(), 1u);

    auto custom = streamer.create_producer(
        name, {.shards = 4,
               .sharder = Sharder::custom(
                   [](const StreamKey&, std::string_view k, std::uint64_t) { return k.size(); })});
    EXPECT_EQ(custom.send("m", {.partition_key = "abc"}).get().shard_id.value, 3u);
    EXPECT_EQ(custom.send("m", {.partition_key = "abcdef"}).get().shard_id.value, 2u);  // 6 % 4
    ++sent[3];
    ++sent[2];
    for (std::uint64_t s = 0; s < 4; ++s)
        EXPECT_EQ(direct.xlen(keys[s]), sent[s]) << keys[s];
}

void trim_policy_and_trim_helper(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto key = unique_key("trimmed");
    auto producer = streamer.create_producer(key, {.trim = commands::TrimOptions::maxlen(10)});
    for (int i = 0; i < 50; ++i)
        producer.send(std::to_string(i));
    producer.flush();
    const auto kept = direct.xrange(key);
    ASSERT_EQ(kept.size(), 10u);
    EXPECT_EQ(kept.front().field("msg"), "40") << "the newest are kept";

    const auto other = sharded_name(t, 2);
    const auto keys = shard_keys(other, 2);
    auto plain = streamer.create_producer(other, {.shards = 2});
    for (int i = 0; i < 40; ++i)
        plain.send("x");
    plain.flush();
    plain.trim(other, commands::TrimOptions::maxlen(3));
    for (const auto& k : keys)
        EXPECT_EQ(direct.xlen(k), 3u) << k;
    expect_spread(t, keys);
}

}  // namespace redstream::test::stream_checks
