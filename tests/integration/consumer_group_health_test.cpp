// Group consumers' health features against a real redis-server: the checks
// shared with the cluster tests (support/stream_checks.hpp: dead letters after
// max_deliveries, group_stats()), and lease renewal for slow handlers and a
// consumer outliving disconnect().
#include <gtest/gtest.h>

#include <memory>
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
using test::unique_key;
namespace checks = test::stream_checks;

class GroupHealth : public test::GroupConsumer {};

TEST_F(GroupHealth, APoisonMessageIsDeadLetteredAfterMaxDeliveries) {
    checks::poison_message_dead_lettered_after_max_deliveries(target());
}

TEST_F(GroupHealth, ClaimsCountDeliveriesAndDeadLetterAConfiguredKey) {
    checks::claims_count_deliveries_into_a_configured_key(target());
}

TEST_F(GroupHealth, ARefusedDeadLetterLeavesTheEntryPending) {
    checks::refused_dead_letter_leaves_the_entry_pending(target());
}

TEST_F(GroupHealth, EveryShardDeadLettersIntoItsOwnSlot) {
    checks::every_shard_dead_letters_into_its_own_slot(target());
}

TEST_F(GroupHealth, GroupStatsReportLagPendingAndCounters) {
    checks::group_stats_report_lag_pending_and_counters(target());
}

TEST_F(GroupHealth, ImmediateReadsNoFurtherThanTheBatchInHand) {
    checks::immediate_reads_no_further_than_the_batch(target());
}

TEST_F(GroupHealth, GroupStatsPerShardMatchEachMaster) {
    checks::group_stats_per_shard_match_each_master(target());
}

TEST_F(GroupHealth, StreamerStatsListEveryObject) {
    checks::streamer_stats_list_every_object(target());
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
