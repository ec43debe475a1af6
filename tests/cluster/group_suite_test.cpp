// The group consumer suites on the shared 3+3 cluster (resumable and
// load-balanced): the checks the standalone tests run
// (support/stream_checks.hpp), pending lists asked of each key's master,
// sharded streams spread over several masters.
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

}  // namespace
