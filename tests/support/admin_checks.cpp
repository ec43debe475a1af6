// The checks on whole streams: listing, info, trim, delete.
#include "support/admin_checks.hpp"

#include "support/admin_checks_util.hpp"

namespace redstream::test::admin_checks {
namespace {

using namespace util;

void expect_key(const ShardInfo& s, const Target& t, const std::vector<MessageId>& ids) {
    EXPECT_EQ(s.length, ids.size()) << s.key;
    ASSERT_TRUE(s.first_id && s.last_id) << s.key;
    EXPECT_EQ(*s.first_id, ids.front()) << s.key;
    EXPECT_EQ(*s.last_id, ids.back()) << s.key;
    EXPECT_EQ(s.last_generated_id, ids.back()) << s.key;
    EXPECT_EQ(s.node, t.master_name(s.key)) << s.key;
}

}  // namespace

void streams_lists_every_key(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    auto admin = streamer.admin();
    Direct direct(t);
    const auto p = spread_prefix(t, "orders", 6);
    const auto orders = produce(streamer, p + "orders", 6, 300);
    const auto audit = produce(streamer, p + "audit", 1, 10);
    produce(streamer, p + "orders_old", 1, 1);
    expect_spread(t, orders);
    direct.run(p + "audit", {"XGROUP", "CREATE", p + "audit", "g1", "0"});
    direct.run(p + "orders:x", {"SET", p + "orders:x", "not a stream"});

    const auto all = admin.streams(p + "*");
    EXPECT_FALSE(all.truncated);
    EXPECT_EQ(all.keys, 8u);
    ASSERT_EQ(all.streams.size(), 3u);
    EXPECT_EQ(all.streams[0].stream.name(), p + "audit");
    EXPECT_EQ(all.streams[1].stream.name(), p + "orders");
    EXPECT_EQ(all.streams[2].stream.name(), p + "orders_old");

    const auto& a = all.streams[0];
    ASSERT_EQ(a.shards.size(), 1u);
    EXPECT_EQ(a.shards[0].key, p + "audit");
    expect_key(a.shards[0], t, audit.at(p + "audit"));
    ASSERT_EQ(a.shards[0].groups.size(), 1u);
    EXPECT_EQ(a.shards[0].groups[0].name, "g1");
    EXPECT_EQ(a.shards[0].groups[0].lag, std::optional<std::uint64_t>(10));

    const auto& o = all.streams[1];
    EXPECT_EQ(o.length(), 300u);
    ASSERT_EQ(o.shards.size(), 6u);
    for (std::uint64_t i = 0; i < 6; ++i) {
        const auto& s = o.shards[i];
        EXPECT_EQ(s.shard, ShardId{i});
        EXPECT_EQ(s.key, p + "orders:" + std::to_string(i));
        expect_key(s, t, orders.at(s.key));
        EXPECT_TRUE(s.groups.empty());
    }

    // The MATCH sent is `orders*`, which also finds orders_old and orders:x.
    const auto one = admin.streams(p + "orders");
    ASSERT_EQ(one.streams.size(), 1u);
    EXPECT_EQ(one.streams[0].shards.size(), 6u);
    EXPECT_EQ(one.keys, 6u);

    const auto cut = admin.streams(p + "*", 3);
    EXPECT_TRUE(cut.truncated);
    EXPECT_EQ(cut.keys, 3u);
}

void stream_info_finds_every_key(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    auto admin = streamer.admin();
    Direct direct(t);
    const auto p = prefix();
    const auto name = p + "info";
    auto ids = produce(streamer, name, 4, 40);
    produce(streamer, name + "x", 2, 2);  // another stream, whose keys info:* does not match
    direct.run(name, {"XADD", name, "1-1", "msg", "plain"});
    ids[name] = {MessageId{1, 1}};

    const auto info = admin.stream_info(StreamKey(name));
    EXPECT_TRUE(info.exists());
    EXPECT_EQ(info.stream.name(), name);
    EXPECT_EQ(info.length(), 41u);
    ASSERT_EQ(info.shards.size(), 5u);
    EXPECT_EQ(info.shards[0].key, name);  // the plain key first
    for (const auto& s : info.shards)
        expect_key(s, t, ids.at(s.key));
    for (std::uint64_t i = 1; i < 5; ++i)
        EXPECT_EQ(info.shards[i].shard, ShardId{i - 1});

    const auto none = admin.stream_info(StreamKey(p + "missing"));
    EXPECT_FALSE(none.exists());
    EXPECT_EQ(none.length(), 0u);

    // A plain key of another type is not part of the stream.
    direct.run(p + "str", {"SET", p + "str", "x"});
    EXPECT_FALSE(admin.stream_info(StreamKey(p + "str")).exists());
}

void trim_trims_every_key(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    auto admin = streamer.admin();
    Direct direct(t);
    const auto name = spread_prefix(t, "trim", 6) + "trim";
    const auto ids = produce(streamer, name, 6, 300);  // 50 per key
    expect_spread(t, ids);
    EXPECT_EQ(admin.trim(StreamKey(name), commands::TrimOptions::maxlen(5)), 6u * 45u);
    for (const auto& [key, list] : ids) {
        EXPECT_EQ(direct.xlen(key), 5u) << key;
        std::error_code ec;
        const auto first = direct.run(key, {"XRANGE", key, "-", "+", "COUNT", "1"});
        const auto entries = commands::decode_xrange(first.root(), ec);
        ASSERT_EQ(entries.size(), 1u) << key;
        EXPECT_EQ(entries[0].id, list[list.size() - 5]) << key << ": the newest 5 are kept";
    }
    // MINID: every key drops what is older than the newest id of key 0.
    const auto cut = ids.begin()->second.back();
    admin.trim(StreamKey(name), commands::TrimOptions::minid(cut));
    for (const auto& [key, list] : ids) {
        const auto kept = std::count_if(list.end() - 5, list.end(),
                                        [&](const MessageId& id) { return id >= cut; });
        EXPECT_EQ(direct.xlen(key), static_cast<std::uint64_t>(kept)) << key;
    }
}

void delete_removes_every_key(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    auto admin = streamer.admin();
    Direct direct(t);
    const auto p = spread_prefix(t, "del", 6);
    const auto name = p + "del";
    auto ids = produce(streamer, name, 6, 60);
    direct.run(name, {"XADD", name, "*", "msg", "plain"});
    ids[name] = {};
    const auto other = produce(streamer, name + "_other", 3, 30);
    expect_spread(t, ids);

    EXPECT_EQ(admin.delete_stream(StreamKey(name)), 7u);
    for (const auto& [key, list] : ids) {
        const auto exists = direct.run(key, {"EXISTS", key});
        EXPECT_EQ(exists.root().to_int(), std::optional<std::int64_t>(0)) << key;
    }
    for (const auto& [key, list] : other)
        EXPECT_EQ(direct.xlen(key), list.size()) << key << " of another stream";
    EXPECT_EQ(admin.delete_stream(StreamKey(name)), 0u);
    EXPECT_FALSE(admin.stream_info(StreamKey(name)).exists());
}

}  // namespace redstream::test::admin_checks
