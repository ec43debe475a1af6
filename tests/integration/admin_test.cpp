// The administration API on one redis-server: the checks shared with the
// cluster tests (support/admin_checks.hpp), and what only one server shows.
#include <gtest/gtest.h>

#include <redstream/redis/streamer.hpp>

#include "support/admin_checks.hpp"
#include "support/redis_server.hpp"
#include "support/target.hpp"

namespace rs = redstream;
namespace checks = redstream::test::admin_checks;

namespace {

rs::test::RedisServer& server() {
    static rs::test::RedisServer s;
    return s;
}

rs::test::Target target() {
    return rs::test::standalone_target(server());
}

TEST(AdminStandalone, StreamsListsEveryKey) {
    checks::streams_lists_every_key(target());
}

TEST(AdminStandalone, StreamInfoFindsEveryKey) {
    checks::stream_info_finds_every_key(target());
}

TEST(AdminStandalone, TrimTrimsEveryKey) {
    checks::trim_trims_every_key(target());
}

TEST(AdminStandalone, DeleteRemovesEveryKey) {
    checks::delete_removes_every_key(target());
}

TEST(AdminStandalone, GroupOpsApplyToEveryKey) {
    checks::group_ops_apply_to_every_key(target());
}

TEST(AdminStandalone, PendingAndClaimPerKey) {
    checks::pending_and_claim_per_key(target());
}

TEST(AdminStandalone, ErrorsAreReported) {
    checks::errors_are_reported(target());
}

TEST(AdminStandalone, AsyncFormsWork) {
    checks::async_forms_work(target());
}

TEST(AdminStandalone, NoSlotMap) {
    auto streamer = rs::Streamer::connect(target().url);
    const auto admin = streamer.admin();
    EXPECT_FALSE(admin.is_cluster());
    EXPECT_TRUE(admin.slot_map().empty());
}

}  // namespace
