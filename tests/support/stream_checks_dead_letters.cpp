// The dead-letter checks (max_deliveries): what a dead letter holds and
// where it goes, claims counting as deliveries, a refused move. Dead letters
// are read from the master of the dead-letter key.
#include "support/stream_checks_util.hpp"

namespace redstream::test::stream_checks {

using namespace util;

namespace {

// The dead-letter key's only entry, once it is there (at most 5 s): the
// move is made by the consumer in the background.
Entry only_dead_letter(Direct& direct, const std::string& dead_key) {
    EXPECT_TRUE(eventually([&] { return direct.xlen(dead_key) >= 1; })) << dead_key;
    const auto entries = direct.xrange(dead_key);
    EXPECT_EQ(entries.size(), 1u) << dead_key;
    return entries.empty() ? Entry{} : entries[0];
}

}  // namespace

// A resumable consumer that dies on one message every time: it is delivered
// max_deliveries times, then moved to `{<key>}:dead` with its origin, and acked.
void poison_message_dead_lettered_after_max_deliveries(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto key = unique_key();
    const auto group = unique_key("g");
    auto opts =
        in_group(ConsumerMode::resumable, AutoCommit::disabled, AutoStreamReset::earliest, group);
    opts.max_deliveries = 2;
    send(streamer, key, 1, "poison");
    std::string poison_id;
    for (std::uint64_t delivery = 1; delivery <= 2; ++delivery) {
        auto c = streamer.create_consumer({key}, opts);
        auto m = c.next_for(5s);
        ASSERT_TRUE(m);
        EXPECT_EQ(m->payload(), "poison0");
        EXPECT_EQ(m->delivery_count(), delivery);
        EXPECT_EQ(c.stats().redelivered, delivery - 1);
        poison_id = m->id().to_string();
    }  // "crashes": never acked
    auto c = streamer.create_consumer({key}, opts);
    send(streamer, key, 1, "next");
    auto m = c.next_for(5s);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->payload(), "next0") << "the poison message is not delivered a third time";
    const auto dead = only_dead_letter(direct, "{" + key + "}:dead");
    EXPECT_EQ(dead.field("msg"), "poison0");
    EXPECT_EQ(dead.field(DeadLetterFields::origin), key);
    EXPECT_EQ(dead.field(DeadLetterFields::group), group);
    EXPECT_EQ(dead.field(DeadLetterFields::id), poison_id);
    EXPECT_EQ(dead.field(DeadLetterFields::deliveries), "3");
    const auto stats = settled_stats(c);
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].dead_lettered, 1u);
    EXPECT_EQ(stats[0].pending, 1u) << "only next0, unacked";
    EXPECT_EQ(c.stats().dead_lettered, 1u);
    EXPECT_EQ(c.stats().dead_letter_failed, 0u);
    EXPECT_EQ(direct.pending(key, group), 1) << "the poison message was acked";
}

// Load-balanced: a message nobody acks is claimed again and again (each
// claim is a delivery) until it is dead-lettered into the configured key,
// which shares the stream's hash tag (a dead-letter key must share its slot).
void claims_count_deliveries_into_a_configured_key(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto tag = hash_tag();
    const auto key = tag + "orders";
    const auto dead_key = tag + "dead";
    const auto group = unique_key("g");
    auto opts = in_group(ConsumerMode::load_balanced, AutoCommit::rolling,
                         AutoStreamReset::earliest, group);
    opts.auto_claim_interval = 20ms;
    opts.auto_claim_idle = 50ms;
    opts.max_deliveries = 3;
    opts.dead_letter_key = dead_key;
    send(streamer, key, 1, "poison");
    auto c = streamer.create_consumer({key}, opts);
    for (std::uint64_t delivery = 1; delivery <= 3; ++delivery) {
        auto m = c.next_for(5s);
        ASSERT_TRUE(m);
        EXPECT_EQ(m->delivery_count(), delivery);  // never acked
    }
    const auto dead = only_dead_letter(direct, dead_key);
    EXPECT_EQ(dead.field("msg"), "poison0");
    EXPECT_EQ(dead.field(DeadLetterFields::origin), key);
    EXPECT_EQ(dead.field(DeadLetterFields::deliveries), "4");
    const auto stats = settled_stats(c);
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].pending, 0u);
    EXPECT_EQ(stats[0].claimed, 3u) << "the last claim found it poisoned";
    EXPECT_EQ(stats[0].dead_lettered, 1u);
    EXPECT_EQ(c.stats().redelivered, 2u);
    EXPECT_EQ(direct.pending(key, group), 0);
    expect_quiet(c);
}

// A dead-letter key of another type: the move is refused before anything
// changes; the entry stays pending and is not delivered.
void refused_dead_letter_leaves_the_entry_pending(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto tag = hash_tag();
    const auto key = tag + "orders";
    const auto dead_key = tag + "dead";
    const auto group = unique_key("g");
    direct.run(dead_key, {"SET", dead_key, "not a stream"});
    auto opts =
        in_group(ConsumerMode::resumable, AutoCommit::disabled, AutoStreamReset::earliest, group);
    opts.max_deliveries = 1;
    opts.dead_letter_key = dead_key;
    send(streamer, key, 1, "poison");
    {
        auto c = streamer.create_consumer({key}, opts);
        ASSERT_TRUE(c.next_for(5s));
    }
    auto c = streamer.create_consumer({key}, opts);
    send(streamer, key, 1, "next");
    auto m = c.next_for(5s);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->payload(), "next0");
    settled_stats(c);
    EXPECT_EQ(c.stats().dead_letter_failed, 1u);
    EXPECT_EQ(c.stats().dead_lettered, 0u);
    EXPECT_EQ(direct.pending(key, group), 2) << "poison0 and next0";
}

// One poison message on each of three shards (on more than one master):
// each is moved to its own shard's `{<shard key>}:dead`, which the hash tag
// puts in the shard's slot, and acked there.
void every_shard_dead_letters_into_its_own_slot(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    Direct direct(t);
    const auto name = sharded_name(t, 3);
    const auto keys = shard_keys(name, 3);
    const auto group = unique_key("g");
    auto opts =
        in_group(ConsumerMode::resumable, AutoCommit::disabled, AutoStreamReset::earliest, group);
    opts.max_deliveries = 1;
    send(streamer, name, 3, "poison", 3);  // poison<i> on shard i
    {
        auto c = streamer.create_consumer({name}, opts);
        EXPECT_EQ(take(c, 3).size(), 3u);
    }  // never acked
    auto c = streamer.create_consumer({name}, opts);
    send(streamer, name, 1, "next", 3);  // on shard 0
    auto m = c.next_for(5s);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->payload(), "next0") << "no poison message is delivered again";
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const auto dead = only_dead_letter(direct, "{" + keys[i] + "}:dead");
        EXPECT_EQ(dead.field("msg"), "poison" + std::to_string(i));
        EXPECT_EQ(dead.field(DeadLetterFields::origin), keys[i]);
        EXPECT_EQ(dead.field(DeadLetterFields::deliveries), "2");
        EXPECT_EQ(direct.pending(keys[i], group), i == 0 ? 1 : 0) << keys[i];
    }
    std::uint64_t dead_lettered = 0;
    for (const auto& s : settled_stats(c))
        dead_lettered += s.dead_lettered;
    EXPECT_EQ(dead_lettered, 3u);
    EXPECT_EQ(c.stats().dead_lettered, 3u);
    EXPECT_EQ(c.stats().dead_letter_failed, 0u);
    expect_spread(t, keys);
}

}  // namespace redstream::test::stream_checks
