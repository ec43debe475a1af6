// Commands an ACL user may not run, revoked and granted again while the
// consumer runs (a real redis-server). Without XPENDING, the count requests
// of a re-read and of a claim fail: a delivery count is never guessed,
// nothing is delivered until they succeed, and nothing is lost. Without
// XCLAIM, lease renewals fail, and the user can see it.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include <redstream/core/error.hpp>
#include <redstream/redis/streamer.hpp>

#include "group_fixture.hpp"

namespace redstream {
namespace {

using namespace std::chrono_literals;
using test::unique_key;

class AclRefusals : public test::GroupConsumer {
  protected:
    // A user who may run every command but `denied` ("" for none).
    void set_user(const std::string& denied = {}) {
        std::vector<std::string> args{"ACL",           "SETUSER", user_, "on",
                                      ">" + password_, "~*",      "&*",  "+@all"};
        if (!denied.empty()) args.push_back("-" + denied);
        server().cli(args);
    }
    Streamer connect_as_user() const {
        return Streamer::connect("redis://" + user_ + ":" + password_ +
                                 "@127.0.0.1:" + std::to_string(server().port()));
    }
    struct PendingEntry {
        std::string consumer;
        long long deliveries = 0;
    };
    // The one entry pending in `group` (asked as the default user).
    static PendingEntry only_pending(const std::string& key, const std::string& group) {
        std::istringstream lines(server().cli({"XPENDING", key, group, "-", "+", "10"}));
        std::vector<std::string> fields;
        for (std::string line; std::getline(lines, line);)
            fields.push_back(line);
        if (fields.size() != 4) {  // id, consumer, idle, deliveries
            ADD_FAILURE() << "not one pending entry: " << fields.size() << " lines";
            return {};
        }
        return {fields[1], std::stoll(fields[3])};
    }

    // Plain names: a URL's user and password end at ':' and '@'.
    const std::string user_ = "counter";
    const std::string password_ = "counter-secret";
};

// The XPENDING pipelined before a re-read of pending entries is refused: the
// consumer stops with NOPERM, as for a refused read, instead of delivering
// the entry with a count of 0; the entry stays pending, and a consumer made
// once the user may ask gets it with its true count.
TEST_F(AclRefusals, ARefusedCountBeforeAReReadStopsTheConsumerAndLosesNothing) {
    const auto key = unique_key();
    const auto group = unique_key("g");
    send(key, 1, "m");
    server().cli({"XGROUP", "CREATE", key, group, "0"});
    server().cli({"XREADGROUP", "GROUP", group, "worker", "COUNT", "1", "STREAMS", key, ">"});
    set_user("xpending");
    auto streamer = connect_as_user();
    auto opts =
        options(ConsumerMode::resumable, AutoCommit::rolling, AutoStreamReset::earliest, group);
    opts.consumer = "worker";
    std::error_code got;
    try {
        auto c = streamer.create_consumer({key}, opts);
        const auto m = c.next_for(5s);
        ADD_FAILURE() << (m ? "delivered with count " + std::to_string(m->delivery_count())
                            : std::string("no error within 5 s"));
    } catch (const Error& e) {
        got = e.code();
    }
    EXPECT_EQ(got, errc::noperm) << got.message();
    // The refused read did read it again (the server counts that delivery).
    const auto held = only_pending(key, group);
    EXPECT_EQ(held.consumer, "worker");
    EXPECT_EQ(held.deliveries, 2);

    set_user();
    auto c = streamer.create_consumer({key}, opts);
    auto m = c.next_for(5s);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->payload(), "m0");
    EXPECT_EQ(m->delivery_count(), 3u);
    EXPECT_EQ(only_pending(key, group).deliveries, 3);
}

// The XPENDING after a claim is refused: the claimed entry is not delivered
// (its count unknown), stays pending under the claimer, and each failed
// claim is counted; once the user may ask, the next round delivers it with
// the count the server holds.
TEST_F(AclRefusals, AClaimWhoseCountIsRefusedDeliversNothingUntilItCanCount) {
    const auto key = unique_key();
    const auto group = unique_key("g");
    server().cli({"XGROUP", "CREATE", key, group, "$", "MKSTREAM"});
    set_user();  // the start re-reads the (empty) pending list: allowed
    auto streamer = connect_as_user();
    auto opts =
        options(ConsumerMode::load_balanced, AutoCommit::rolling, AutoStreamReset::earliest, group);
    opts.consumer = "claimer";
    opts.auto_claim_interval = 20ms;
    opts.auto_claim_idle = 50ms;
    auto c = streamer.create_consumer({key}, opts);
    // A second read has come back: the pending phase is over, reads are `>`.
    ASSERT_TRUE(eventually([&] { return c.stats().reads >= 2; }));
    set_user("xpending");
    // An entry delivered to a member that then died, added and read in one
    // step so that the claimer's blocked `>` read cannot take it first.
    server().cli({"EVAL",
                  "redis.call('XADD', KEYS[1], '*', 'msg', 'm0') "
                  "return redis.call('XREADGROUP', 'GROUP', ARGV[1], 'gone', 'COUNT', 1, "
                  "'STREAMS', KEYS[1], '>')",
                  "1", key, group});
    ASSERT_TRUE(eventually([&] { return c.stats().claims_failed >= 1; }));
    EXPECT_FALSE(c.next_for(0ms)) << "delivered without its count";
    EXPECT_GE(c.stats().claimed, 1u);
    const auto held = only_pending(key, group);
    EXPECT_EQ(held.consumer, "claimer");
    EXPECT_GE(held.deliveries, 2);

    set_user();
    auto m = c.next_for(5s);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->payload(), "m0");
    // One delivery to `gone`, one per refused claim, one for this claim.
    EXPECT_EQ(m->delivery_count(), 2 + c.stats().claims_failed);
    c.ack(*m);
}

// A member that renews leases, as a user without XCLAIM: every renewal
// fails, is counted and renews nothing.
TEST_F(AclRefusals, FailedLeaseRenewalsAreCounted) {
    const auto key = unique_key();
    set_user("xclaim");
    auto streamer = connect_as_user();
    auto opts = options(ConsumerMode::load_balanced, AutoCommit::rolling, AutoStreamReset::earliest,
                        unique_key("g"));
    opts.auto_claim_idle = 150ms;  // renewals every 50 ms
    opts.auto_claim_interval = 0ms;
    opts.renew_leases = true;
    send(key, 1, "m");
    auto c = streamer.create_consumer({key}, opts);
    ASSERT_TRUE(c.next_for(5s));  // held, not acked: its lease is due in 50 ms
    EXPECT_TRUE(eventually([&] { return c.stats().leases_failed >= 1; }));
    EXPECT_EQ(c.stats().leases_renewed, 0u);
}

}  // namespace
}  // namespace redstream
