// The group consumer suites on the shared 3+3 cluster (resumable and
// load-balanced, dead letters, stats): the checks the standalone tests run
// (support/stream_checks.hpp), pending lists, dead letters and group info
// asked of each key's master, sharded streams spread over several masters.
#include <gtest/gtest.h>

#include "cluster_env.hpp"
#include "support/stream_checks.hpp"
#include "support/target.hpp"

namespace checks = redstream::test::stream_checks;

namespace {

// Each key's master, from one CLUSTER NODES per test (nothing here changes
// the topology).
redstream::test::Target target() {
    return redstream::test::cluster_target(redstream::test::shared_cluster());
}

TEST(GroupCluster, EarliestGroupSeesHistoryLatestOnlyNew) {
    checks::group_start_positions(target());
}

TEST(GroupCluster, DelayedResumesExactlyAfterTheLastCommitted) {
    checks::delayed_resumes_after_the_last_committed(target());
}

TEST(GroupCluster, UnackedEntriesComeBackFirstToTheSameMember) {
    checks::unacked_entries_come_back_first_to_the_same_member(target());
}

TEST(GroupCluster, DisabledCommitsOnlyWhenAskedAndResumesAtTheFifth) {
    checks::disabled_commits_only_when_asked(target());
}

TEST(GroupCluster, RollingResumesAtTheFirstUnackedAfterARestart) {
    checks::rolling_resumes_at_the_first_unacked(target());
}

TEST(GroupCluster, TwoLoadBalancedConsumersShareTheWorkNoneTwice) {
    checks::load_balanced_members_share_the_work(target());
}

TEST(GroupCluster, FailoverClaimsADeadMembersEntriesExactlyOnce) {
    checks::dead_members_entries_are_claimed_once(target());
}

TEST(GroupCluster, DeletedPendingEntriesAreAckedNotDelivered) {
    checks::deleted_pending_entries_are_acked_not_delivered(target());
}

TEST(DeadLetterCluster, APoisonMessageIsDeadLetteredAfterMaxDeliveries) {
    checks::poison_message_dead_lettered_after_max_deliveries(target());
}

TEST(DeadLetterCluster, ClaimsCountDeliveriesAndDeadLetterAConfiguredKey) {
    checks::claims_count_deliveries_into_a_configured_key(target());
}

TEST(DeadLetterCluster, ARefusedDeadLetterLeavesTheEntryPending) {
    checks::refused_dead_letter_leaves_the_entry_pending(target());
}

TEST(DeadLetterCluster, EveryShardDeadLettersIntoItsOwnSlot) {
    checks::every_shard_dead_letters_into_its_own_slot(target());
}

TEST(StatsCluster, GroupStatsReportLagPendingAndCounters) {
    checks::group_stats_report_lag_pending_and_counters(target());
}

TEST(StatsCluster, ImmediateReadsNoFurtherThanTheBatchInHand) {
    checks::immediate_reads_no_further_than_the_batch(target());
}

TEST(StatsCluster, DelayedAcksWhatWasDeliveredAfterTheDelay) {
    checks::delayed_acks_are_counted(target());
}

TEST(StatsCluster, AnAckOfAnEntryClaimedByAnotherMemberIsCounted) {
    checks::ack_of_a_claimed_entry_is_counted(target());
}

TEST(StatsCluster, GroupStatsPerShardMatchEachMaster) {
    checks::group_stats_per_shard_match_each_master(target());
}

TEST(StatsCluster, StreamerStatsListEveryObject) {
    checks::streamer_stats_list_every_object(target());
}

}  // namespace
