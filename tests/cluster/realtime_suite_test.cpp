// The real-time consumer suite on the shared 3+3 cluster: the checks the
// standalone tests run (support/stream_checks.hpp), the entries written
// straight to each key's master, sharded streams spread over several masters.
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

TEST(RealTimeCluster, EarliestSeesHistoryAcrossTwoStreams) {
    checks::earliest_sees_history_across_streams(target());
}

TEST(RealTimeCluster, LatestSeesOnlyWhatIsProducedAfterStart) {
    checks::latest_sees_only_what_comes_after_start(target());
}

TEST(RealTimeCluster, QuietStreamNextToBusyOneLosesNothing) {
    checks::quiet_stream_next_to_busy_one_loses_nothing(target());
}

TEST(RealTimeCluster, MessageHasHeaderPayloadAndOtherFieldsInOrder) {
    checks::message_has_header_payload_and_fields(target());
}

TEST(RealTimeCluster, KeysWithColonsHashTagsAndGlobCharacters) {
    checks::keys_with_colons_hash_tags_and_glob_characters(target());
}

TEST(RealTimeCluster, EveryShardIsReadBackInOrder) {
    checks::shards_read_back_in_order(target());
}

TEST(RealTimeCluster, ShardCreatedAfterStartIsDiscoveredAndReadWhole) {
    checks::shard_created_after_start_is_read_whole(target());
}

TEST(RealTimeCluster, AssignAndUnassignAShard) {
    checks::assign_and_unassign_a_shard(target());
}

}  // namespace
