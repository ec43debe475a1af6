// Group consumers' health features against a real redis-server: dead letters
// (max_deliveries), group_stats(), and lease renewal for slow handlers.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <redstream/core/error.hpp>
#include <redstream/redis/streamer.hpp>

#include "group_fixture.hpp"

namespace redstream {
namespace {

using namespace std::chrono_literals;
using test::unique_key;

class GroupHealth : public test::GroupConsumer {
  protected:
    // group_stats() twice: the first one's XINFO goes out behind any dead
    // letter or XACK already sent on the shared connection, so once it has
    // completed their completions are queued on the consumer's strand ahead
    // of the second one, whose counters therefore include them.
    static std::vector<GroupStreamStats> settled_stats(Consumer& c) {
        c.group_stats();
        return c.group_stats();
    }
    // Blocks until the dead-letter stream has an entry (at most 5 s), and
    // returns redis-cli's rendering of it (one field or value per line).
    static std::vector<std::string> first_dead_letter(const std::string& dead_key) {
        const auto out = server().cli({"XREAD", "BLOCK", "5000", "STREAMS", dead_key, "0"});
        std::vector<std::string> lines;
        for (std::size_t at = 0; at < out.size();) {
            const auto nl = out.find('\n', at);
            lines.push_back(out.substr(at, nl - at));
            at = nl == std::string::npos ? out.size() : nl + 1;
        }
        return lines;
    }
    static std::string field_after(const std::vector<std::string>& lines, std::string_view name) {
        for (std::size_t i = 0; i + 1 < lines.size(); ++i)
            if (lines[i] == name) return lines[i + 1];
        return {};
    }
};

// A resumable consumer that dies on one message every time: it is delivered
// max_deliveries times, then moved to `{<key>}:dead` with its origin, and acked.
TEST_F(GroupHealth, APoisonMessageIsDeadLetteredAfterMaxDeliveries) {
    const auto key = unique_key();
    const auto group = unique_key("g");
    auto opts =
        options(ConsumerMode::resumable, AutoCommit::disabled, AutoStreamReset::earliest, group);
    opts.max_deliveries = 2;
    send(key, 1, "poison");
    std::string poison_id;
    for (std::uint64_t delivery = 1; delivery <= 2; ++delivery) {
        auto c = streamer_.create_consumer({key}, opts);
        auto m = c.next_for(5s);
        ASSERT_TRUE(m);
        EXPECT_EQ(m->payload(), "poison0");
        EXPECT_EQ(m->delivery_count(), delivery);
        EXPECT_EQ(c.stats().redelivered, delivery - 1);
        poison_id = m->id().to_string();
    }  // "crashes": never acked
    auto c = streamer_.create_consumer({key}, opts);
    send(key, 1, "next");
    auto m = c.next_for(5s);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->payload(), "next0") << "the poison message is not delivered a third time";
    const auto dead = first_dead_letter("{" + key + "}:dead");
    EXPECT_EQ(field_after(dead, "msg"), "poison0");
    EXPECT_EQ(field_after(dead, DeadLetterFields::origin), key);
    EXPECT_EQ(field_after(dead, DeadLetterFields::group), group);
    EXPECT_EQ(field_after(dead, DeadLetterFields::id), poison_id);
    EXPECT_EQ(field_after(dead, DeadLetterFields::deliveries), "3");
    const auto stats = settled_stats(c);
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].dead_lettered, 1u);
    EXPECT_EQ(stats[0].pending, 1u) << "only next0, unacked";
    EXPECT_EQ(c.stats().dead_lettered, 1u);
}

// Load-balanced: a message nobody acks is claimed again and again (each
// claim is a delivery) until it is dead-lettered into the configured key.
TEST_F(GroupHealth, ClaimsCountDeliveriesAndDeadLetterAConfiguredKey) {
    const auto key = unique_key();
    const auto dead_key = unique_key("dead");
    const auto group = unique_key("g");
    auto opts =
        options(ConsumerMode::load_balanced, AutoCommit::rolling, AutoStreamReset::earliest, group);
    opts.auto_claim_interval = 20ms;
    opts.auto_claim_idle = 50ms;
    opts.max_deliveries = 3;
    opts.dead_letter_key = dead_key;
    send(key, 1, "poison");
    auto c = streamer_.create_consumer({key}, opts);
    for (std::uint64_t delivery = 1; delivery <= 3; ++delivery) {
        auto m = c.next_for(5s);
        ASSERT_TRUE(m);
        EXPECT_EQ(m->delivery_count(), delivery);  // never acked
    }
    EXPECT_EQ(field_after(first_dead_letter(dead_key), DeadLetterFields::deliveries), "4");
    const auto stats = settled_stats(c);
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].pending, 0u);
    EXPECT_EQ(stats[0].claimed, 3u) << "the last claim found it poisoned";
    EXPECT_EQ(stats[0].dead_lettered, 1u);
    EXPECT_EQ(c.stats().redelivered, 2u);
    expect_quiet(c);
}

// A dead-letter key of another type: the move is refused before anything
// changes; the entry stays pending and is not delivered.
TEST_F(GroupHealth, ARefusedDeadLetterLeavesTheEntryPending) {
    const auto key = unique_key();
    const auto dead_key = unique_key("dead");
    const auto group = unique_key("g");
    server().cli({"SET", dead_key, "not a stream"});
    auto opts =
        options(ConsumerMode::resumable, AutoCommit::disabled, AutoStreamReset::earliest, group);
    opts.max_deliveries = 1;
    opts.dead_letter_key = dead_key;
    send(key, 1, "poison");
    {
        auto c = streamer_.create_consumer({key}, opts);
        ASSERT_TRUE(c.next_for(5s));
    }
    auto c = streamer_.create_consumer({key}, opts);
    send(key, 1, "next");
    auto m = c.next_for(5s);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->payload(), "next0");
    settled_stats(c);
    EXPECT_EQ(c.stats().dead_letter_failed, 1u);
    EXPECT_EQ(c.stats().dead_lettered, 0u);
    EXPECT_EQ(pending(key, group), 2) << "poison0 and next0";
}

// group_stats(): the server's lag and pending next to our own counts.
TEST_F(GroupHealth, GroupStatsReportLagPendingAndCounters) {
    const auto key = unique_key();
    const auto group = unique_key("g");
    auto opts =
        options(ConsumerMode::resumable, AutoCommit::disabled, AutoStreamReset::earliest, group);
    opts.batch_size = 10;
    opts.prefetch = 10;
    send(key, 25, "m");
    auto c = streamer_.create_consumer({key}, opts);
    // One read of 10 fills the inbox, and reading pauses until next() takes.
    ASSERT_TRUE(eventually([&] { return c.stats().queued == 10; }));
    auto stats = c.group_stats();
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].key, key);
    EXPECT_EQ(stats[0].group, group);
    EXPECT_EQ(stats[0].delivered, 10u);
    EXPECT_EQ(stats[0].pending, 10u);
    EXPECT_EQ(stats[0].lag, std::optional<std::uint64_t>(15));
    for (int i = 0; i < 6; ++i)
        c.ack(*c.next_for(5s));
    c.commit();
    stats = c.group_stats();
    EXPECT_EQ(stats[0].acked, 6u);
    EXPECT_EQ(stats[0].redelivered, 0u);
    EXPECT_EQ(c.stats().acked, 6u);

    auto real_time = streamer_.create_consumer({key}, {});
    EXPECT_THROW(real_time.group_stats(), Error);
}

// immediate (NOACK) has no prefetch: while the user is on a batch, nothing
// more is read, so a crash loses at most that batch.
TEST_F(GroupHealth, ImmediateReadsNoFurtherThanTheBatchInHand) {
    const auto key = unique_key();
    auto opts = options(ConsumerMode::resumable, AutoCommit::immediate, AutoStreamReset::earliest,
                        unique_key("g"));
    opts.batch_size = 2;
    send(key, 10, "m");
    auto c = streamer_.create_consumer({key}, opts);
    EXPECT_EQ(take(c, 1), std::vector<std::string>{"m0"});
    auto stats = c.group_stats();
    EXPECT_EQ(stats[0].lag, std::optional<std::uint64_t>(8));
    EXPECT_EQ(stats[0].pending, 0u);
    EXPECT_EQ(take(c, 9).back(), "m9");
}

// With renew_leases a member keeps entries it is still working on: another
// member that claims entries idle > auto_claim_idle never gets them.
TEST_F(GroupHealth, RenewedLeasesAreNotClaimedByOthers) {
    const auto key = unique_key();
    const auto group = unique_key("g");
    auto opts =
        options(ConsumerMode::load_balanced, AutoCommit::rolling, AutoStreamReset::earliest, group);
    opts.auto_claim_idle = 150ms;
    opts.batch_size = 3;
    opts.prefetch = 3;
    auto slow_opts = opts;
    slow_opts.consumer = "slow";
    slow_opts.renew_leases = true;
    slow_opts.auto_claim_interval = 0ms;
    send(key, 3, "m");
    auto slow = streamer_.create_consumer({key}, slow_opts);
    const auto held = take(slow, 3);  // a slow handler: not acked yet
    opts.consumer = "eager";
    opts.auto_claim_interval = 20ms;
    auto eager = streamer_.create_consumer({key}, opts);
    // Renewal rounds run every auto_claim_idle / 3; five rounds of three
    // entries span more than the idle time, while eager claims every 20 ms.
    EXPECT_TRUE(eventually([&] { return slow.stats().leases_renewed >= 15; }));
    EXPECT_FALSE(eager.next_for(0ms));
    EXPECT_EQ(eager.stats().claimed, 0u);
    EXPECT_EQ(pending(key, group), 3);
    // Once the slow member is gone, its entries do fail over.
    slow.end();
    std::set<std::string> claimed;
    for (const auto& p : take(eager, 3))
        claimed.insert(p);
    EXPECT_EQ(claimed, (std::set<std::string>(held.begin(), held.end())));
}

// disconnect() ends a group consumer and waits for its commit; destroying
// the consumer afterwards must not wait for I/O threads that are gone.
TEST_F(GroupHealth, AConsumerOutlivingDisconnectIsDestroyedAtOnce) {
    const auto key = unique_key();
    auto opts = options(ConsumerMode::resumable, AutoCommit::rolling, AutoStreamReset::earliest,
                        unique_key("g"));
    opts.end_timeout = 5s;
    send(key, 1, "m");
    auto c = std::make_unique<Consumer>(streamer_.create_consumer({key}, opts));
    c->ack(*c->next_for(5s));
    streamer_.disconnect();
    const auto start = std::chrono::steady_clock::now();
    c.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s) << "waited for end_timeout";
}

}  // namespace
}  // namespace redstream
