// The administration API on the shared 3+3 cluster: the checks shared with
// the standalone tests (support/admin_checks.hpp), each key verified on the
// master that serves it, and the slot map.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include <redstream/redis/streamer.hpp>

#include "cluster_env.hpp"
#include "support/admin_checks.hpp"
#include "support/target.hpp"

namespace rs = redstream;
namespace checks = redstream::test::admin_checks;
using rs::test::shared_cluster;

namespace {

// Each key's master, from one CLUSTER NODES per test (the topology does
// not change while an administration test runs).
rs::test::Target target() {
    return rs::test::cluster_target(shared_cluster());
}

TEST(AdminCluster, StreamsListsEveryKey) {
    checks::streams_lists_every_key(target());
}

TEST(AdminCluster, StreamInfoFindsEveryKey) {
    checks::stream_info_finds_every_key(target());
}

TEST(AdminCluster, TrimTrimsEveryKey) {
    checks::trim_trims_every_key(target());
}

TEST(AdminCluster, DeleteRemovesEveryKey) {
    checks::delete_removes_every_key(target());
}

TEST(AdminCluster, GroupOpsApplyToEveryKey) {
    checks::group_ops_apply_to_every_key(target());
}

TEST(AdminCluster, PendingAndClaimPerKey) {
    checks::pending_and_claim_per_key(target());
}

TEST(AdminCluster, ErrorsAreReported) {
    checks::errors_are_reported(target());
}

TEST(AdminCluster, AsyncFormsWork) {
    checks::async_forms_work(target());
}

// Every slot's range names the master CLUSTER NODES says serves it, with
// its one replica.
TEST(AdminCluster, SlotMapMatchesTheCluster) {
    const auto& c = shared_cluster();
    auto streamer = rs::Streamer::connect(c.url());
    const auto admin = streamer.admin();
    EXPECT_TRUE(admin.is_cluster());
    const auto map = admin.slot_map();
    const auto owners = c.slot_owners();
    std::size_t covered = 0;
    std::set<std::string> masters;
    for (const auto& r : map.ranges) {
        ASSERT_LE(r.first, r.last);
        covered += r.last - r.first + 1u;
        const auto port = c.node(owners.at(r.first)).port();
        EXPECT_EQ(r.master.port, port) << "slots " << r.first << "-" << r.last;
        EXPECT_EQ(r.master.name, "127.0.0.1:" + std::to_string(port));
        EXPECT_EQ(r.master.id.size(), 40u);
        EXPECT_EQ(c.node(owners.at(r.last)).port(), port);
        ASSERT_EQ(r.replicas.size(), 1u);
        EXPECT_NE(r.replicas[0].port, port);
        masters.insert(r.master.name);
    }
    EXPECT_EQ(covered, 16384u);
    EXPECT_EQ(masters.size(), 3u);
}

}  // namespace
