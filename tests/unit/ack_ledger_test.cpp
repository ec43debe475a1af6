// The group consumer's ack bookkeeping, stepped with a fake clock: when each
// AutoCommit policy commits, how acks are batched, and how replies count.
#include <gtest/gtest.h>

#include <redstream/core/error.hpp>
#include "../../src/redis/consumer/ack_ledger.hpp"

#include "support/replies.hpp"

namespace redstream::detail {
namespace {

using namespace std::chrono_literals;
using Clock = AckLedger::Clock;

AckLedger ledger(AutoCommit mode, std::size_t max_uncommitted = 100) {
    return AckLedger({mode, 5s, 1s, max_uncommitted});
}

net::Response replies(std::initializer_list<std::string_view> bytes) {
    net::Response out;
    for (auto b : bytes)
        out.push_back(test::parse_reply(b));
    return out;
}

const auto t0 = Clock::time_point{} + 1h;

TEST(AckLedger, DelayedAcksComeDueAfterTheDelayInOrder) {
    auto l = ledger(AutoCommit::delayed);
    l.delivered("k", {1, 0}, t0);
    l.delivered("k", {2, 0}, t0 + 1s);
    EXPECT_FALSE(l.due(t0 + 4s));
    EXPECT_EQ(l.next_due(), t0 + 5s);
    resp::Request req;
    EXPECT_FALSE(l.build(req, "g", t0 + 4s, false));
    EXPECT_TRUE(l.build(req, "g", t0 + 5s, false));
    EXPECT_EQ(req.payload(), "*4\r\n$4\r\nXACK\r\n$1\r\nk\r\n$1\r\ng\r\n$3\r\n1-0\r\n");
    EXPECT_FALSE(l.due(t0 + 10s)) << "one batch in flight at a time";
    const auto out = l.on_reply(replies({":1\r\n"}), {});
    EXPECT_EQ(out.acked, 1u);
    EXPECT_EQ(l.next_due(), t0 + 6s);
    EXPECT_EQ(l.confirmed(), 1u);
}

TEST(AckLedger, RollingCommitsAtMostEveryIntervalOneXackPerKey) {
    auto l = ledger(AutoCommit::rolling);
    l.delivered("k", {1, 0}, t0);  // only delayed schedules by delivery
    EXPECT_EQ(l.held(), 0u);
    l.acked("b", {1, 0});
    l.acked("a", {2, 0});
    l.acked("b", {3, 0});
    EXPECT_TRUE(l.due(t0)) << "the first commit need not wait";
    resp::Request req;
    ASSERT_TRUE(l.build(req, "g", t0, false));
    EXPECT_EQ(req.commands(), 2u);
    EXPECT_NE(req.payload().find("$1\r\nb\r\n$1\r\ng\r\n$3\r\n1-0\r\n$3\r\n3-0\r\n"),
              std::string_view::npos);
    const auto out = l.on_reply(replies({":1\r\n", ":1\r\n"}), {});
    EXPECT_EQ(out.acked, 2u);
    EXPECT_EQ(out.not_pending, 1u) << "b sent two, the server removed one";
    using ByKey = std::vector<std::pair<std::string, std::uint64_t>>;
    EXPECT_EQ(out.by_key, (ByKey{{"a", 1}, {"b", 1}}));
    l.acked("a", {4, 0});
    EXPECT_FALSE(l.due(t0 + 500ms));
    EXPECT_EQ(l.next_due(), t0 + 1s);
    EXPECT_TRUE(l.due(t0 + 1s));
}

// A long pending list makes the server's XREADGROUP and XACK slower: a
// batch of acks owed is committed without waiting for the interval.
TEST(AckLedger, RollingCommitsABatchOfAcksBeforeTheInterval) {
    AckLedger l({AutoCommit::rolling, 5s, 1s, 100, 3});
    l.acked("k", {1, 0});
    resp::Request req;
    ASSERT_TRUE(l.build(req, "g", t0, false));  // the first commit need not wait
    l.on_reply(replies({":1\r\n"}), {});
    l.acked("k", {2, 0});
    l.acked("k", {3, 0});
    EXPECT_FALSE(l.due(t0 + 10ms)) << "two owed: the interval";
    EXPECT_EQ(l.next_due(), t0 + 1s);
    l.acked("k", {4, 0});
    EXPECT_TRUE(l.due(t0 + 10ms)) << "three owed: a batch";
    req.clear();
    ASSERT_TRUE(l.build(req, "g", t0 + 10ms, false));
    EXPECT_EQ(req.payload(),
              "*6\r\n$4\r\nXACK\r\n$1\r\nk\r\n$1\r\ng\r\n$3\r\n2-0\r\n$3\r\n3-0\r\n$3\r\n4-0\r\n");
    // Other modes keep their own rules.
    AckLedger delayed({AutoCommit::delayed, 5s, 1s, 100, 3});
    for (std::uint64_t i = 1; i <= 3; ++i)
        delayed.delivered("k", {i, 0}, t0);
    EXPECT_FALSE(delayed.due(t0 + 10ms));
}

TEST(AckLedger, DisabledCommitsOnlyOnRequestAndConfirmsTheTicket) {
    auto l = ledger(AutoCommit::disabled);
    l.acked("k", {1, 0});
    l.acked("k", {2, 0});
    EXPECT_FALSE(l.due(t0 + 1h));
    EXPECT_EQ(l.next_due(), std::nullopt);
    const auto ticket = l.request_commit();
    l.acked("k", {3, 0});  // after the request: not waited for by it
    EXPECT_TRUE(l.due(t0));
    resp::Request req;
    ASSERT_TRUE(l.build(req, "g", t0, false));
    EXPECT_LT(l.confirmed(), ticket);
    l.on_reply(replies({":3\r\n"}), {});
    EXPECT_GE(l.confirmed(), ticket);
}

TEST(AckLedger, TransportErrorsPutTheBatchBackInOrder) {
    auto l = ledger(AutoCommit::rolling);
    l.acked("k", {1, 0});
    l.acked("k", {2, 0});
    resp::Request first;
    ASSERT_TRUE(l.build(first, "g", t0, false));
    const auto out = l.on_reply({}, make_error_code(errc::connection_lost));
    EXPECT_EQ(out.error, errc::connection_lost);
    EXPECT_EQ(l.held(), 2u);
    EXPECT_EQ(l.confirmed(), 0u);
    resp::Request again;
    ASSERT_TRUE(l.build(again, "g", t0 + 1s, false));
    EXPECT_EQ(again.payload(), first.payload());
}

TEST(AckLedger, ServerErrorsAreReportedAndTheIdsCountedAsNotPending) {
    auto l = ledger(AutoCommit::rolling);
    l.acked("k", {1, 0});
    resp::Request req;
    ASSERT_TRUE(l.build(req, "g", t0, false));
    const auto out = l.on_reply(replies({"-NOGROUP No such key\r\n"}), {});
    EXPECT_EQ(out.error, errc::nogroup);
    EXPECT_EQ(out.not_pending, 1u);
    EXPECT_FALSE(l.in_flight());
}

TEST(AckLedger, RetryableServerErrorsPutThatKeysAcksBack) {
    auto l = ledger(AutoCommit::rolling);
    l.acked("a", {1, 0});
    l.acked("b", {2, 0});
    resp::Request req;
    ASSERT_TRUE(l.build(req, "g", t0, false));
    const auto out = l.on_reply(replies({":1\r\n", "-LOADING wait\r\n"}), {});
    EXPECT_EQ(out.error, errc::loading);
    EXPECT_EQ(out.acked, 1u);
    EXPECT_EQ(out.not_pending, 0u);
    EXPECT_EQ(l.held(), 1u) << "b's ack is kept";
    resp::Request again;
    ASSERT_TRUE(l.build(again, "g", t0 + 1s, false));
    EXPECT_EQ(again.payload(), "*4\r\n$4\r\nXACK\r\n$1\r\nb\r\n$1\r\ng\r\n$3\r\n2-0\r\n");
}

TEST(AckLedger, MaxUncommittedAndDeletedEntriesForceACommit) {
    auto l = ledger(AutoCommit::disabled, 3);
    l.acked("k", {1, 0});
    l.acked("k", {2, 0});
    EXPECT_FALSE(l.due(t0));
    l.acked("k", {3, 0});
    EXPECT_TRUE(l.due(t0));
    resp::Request req;
    ASSERT_TRUE(l.build(req, "g", t0, false));
    l.on_reply(replies({":3\r\n"}), {});

    auto d = ledger(AutoCommit::delayed);
    d.ack_now("k", {9, 0});
    EXPECT_TRUE(d.due(t0));
    EXPECT_EQ(d.next_due(), Clock::time_point::min());
}

TEST(AckLedger, EverythingSendsDelayedAcksNotYetDue) {
    auto l = ledger(AutoCommit::delayed);
    l.delivered("k", {1, 0}, t0);
    resp::Request req;
    EXPECT_FALSE(l.build(req, "g", t0, false));
    EXPECT_TRUE(l.build(req, "g", t0, true));
    EXPECT_EQ(l.held(), 0u);
    EXPECT_TRUE(l.in_flight());
}

// Whenever the ledger says a commit is due now, build() must send
// something, or the driver would spin on a timer that fires at once.
TEST(AckLedger, DueNowAlwaysBuildsSomethingEvenWhenTheBoundIsHitEarly) {
    auto l = ledger(AutoCommit::delayed, 4);
    for (std::uint64_t i = 1; i <= 4; ++i)
        l.delivered("k", {i, 0}, t0);
    ASSERT_TRUE(l.due(t0)) << "the bound is reached";
    EXPECT_EQ(l.next_due(), Clock::time_point::min());
    resp::Request req;
    ASSERT_TRUE(l.build(req, "g", t0, false)) << "due now but nothing built";
    EXPECT_EQ(l.held(), 2u) << "the oldest go early, down to half the bound";
    l.on_reply(replies({":2\r\n"}), {});
    EXPECT_FALSE(l.due(t0));
    EXPECT_EQ(l.next_due(), t0 + 5s);
}

}  // namespace
}  // namespace redstream::detail
