// The producer suite on the shared 3+3 cluster: the checks the standalone
// tests run (support/stream_checks.hpp), every key verified on the master
// that serves it, sharded streams spread over several masters.
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

TEST(ProducerCluster, SendReturnsReceiptsInOrderAndStoresThePayload) {
    checks::receipts_in_order_and_payloads_stored(target());
}

TEST(ProducerCluster, HandedOverPayloadsAreStoredWholeAboveAndBelowTheThreshold) {
    checks::handed_over_payloads_stored_whole(target());
}

TEST(ProducerCluster, ExtraFieldsAndExplicitIds) {
    checks::extra_fields_and_explicit_ids(target());
}

TEST(ProducerCluster, ARejectedSendFailsAloneWithTheServersCode) {
    checks::rejected_send_fails_alone(target());
}

TEST(ProducerCluster, FlushAndDisconnectStoreEverythingSent) {
    checks::flush_and_disconnect_store_everything_sent(target());
}

TEST(ProducerCluster, RoundRobinShardingCoversEveryShardEvenly) {
    checks::round_robin_covers_every_shard_evenly(target());
}

TEST(ProducerCluster, KeyHashKeepsAKeyOnOneShardAndCustomSharderIsUsed) {
    checks::key_hash_and_custom_sharders(target());
}

TEST(ProducerCluster, TrimPolicyAndTrimHelper) {
    checks::trim_policy_and_trim_helper(target());
}

}  // namespace
