// The topology state machine's decisions: when a slot map refresh starts,
// against which node, and when it is deduplicated or held back. Time is an
// argument, so every step is exact.
#include <gtest/gtest.h>

#include <string>

#include <redstream/cluster/detail/topology.hpp>
#include <redstream/cluster/endpoint.hpp>
#include <redstream/core/error.hpp>

#include "support/replies.hpp"

namespace redstream::cluster::detail {
namespace {

using namespace std::chrono_literals;
using Kind = TopologyAction::Kind;

const TimePoint t0 = TimePoint{} + 1000s;

HostPort ep(std::uint16_t port) {
    return HostPort{"127.0.0.1", port};
}

// Masters on ports 7000, 7001, 7002 with the even split; replicas on 7100+.
SlotMap three_masters(std::uint16_t first_port = 7000) {
    std::string bytes = "*3\r\n";
    const unsigned edges[] = {0, 5461, 10923, 16384};
    for (int i = 0; i < 3; ++i) {
        bytes += "*4\r\n:" + std::to_string(edges[i]) + "\r\n:" + std::to_string(edges[i + 1] - 1) +
                 "\r\n*2\r\n$9\r\n127.0.0.1\r\n:" + std::to_string(first_port + i) +
                 "\r\n*2\r\n$9\r\n127.0.0.1\r\n:" + std::to_string(first_port + 100 + i) + "\r\n";
    }
    const auto reply = test::parse_reply(bytes);
    std::error_code ec;
    auto map = SlotMap::from_cluster_slots(reply.root(), ec);
    EXPECT_FALSE(ec);
    return map;
}

class TopologyTest : public ::testing::Test {
  protected:
    TopologyOptions options() const {
        TopologyOptions o;
        o.refresh_interval = 10s;
        o.min_refresh_interval = 200ms;
        return o;
    }
    // Started and holding three_masters(), its first refresh done at t0.
    Topology ready() {
        Topology t({ep(9000), ep(9001)}, options());
        EXPECT_EQ(t.start(t0).kind, Kind::refresh);
        const auto done = t.refresh_done(three_masters(), t0);
        EXPECT_EQ(done.kind, Kind::none);
        EXPECT_EQ(done.next_timer, t0 + 10s);
        return t;
    }
};

TEST(TopologyOptions, DefaultsAreNamed) {
    const TopologyOptions o;
    EXPECT_EQ(o.refresh_interval, 10s);
    EXPECT_EQ(o.refresh_interval, TopologyOptions::default_refresh_interval);
    EXPECT_EQ(o.min_refresh_interval, TopologyOptions::default_min_refresh_interval);
}

TEST_F(TopologyTest, FirstRefreshAsksTheFirstSeed) {
    Topology t({ep(9000), ep(9001)}, options());
    EXPECT_FALSE(t.has_map());
    EXPECT_EQ(t.timer_due(t0).kind, Kind::none);  // nothing before start
    const auto a = t.start(t0);
    EXPECT_EQ(a.kind, Kind::refresh);
    EXPECT_EQ(a.target, ep(9000));
    EXPECT_EQ(a.next_timer, t0 + 10s);
    EXPECT_TRUE(t.refreshing());
    EXPECT_EQ(t.start(t0).kind, Kind::none);  // once
}

TEST_F(TopologyTest, WithoutAMapFailuresTryTheSeedsInTurnWithBackoff) {
    Topology t({ep(9000), ep(9001), ep(9002)}, options());
    EXPECT_EQ(t.start(t0).target, ep(9000));

    // Failed at once: the next seed, after the minimum interval.
    auto a = t.refresh_failed(make_error_code(errc::connect_failed), t0);
    EXPECT_EQ(a.kind, Kind::none);
    EXPECT_EQ(a.next_timer, t0 + 200ms);
    EXPECT_EQ(t.last_error(), errc::connect_failed);
    EXPECT_EQ(t.timer_due(t0 + 199ms).kind, Kind::none);
    a = t.timer_due(t0 + 200ms);
    ASSERT_EQ(a.kind, Kind::refresh);
    EXPECT_EQ(a.target, ep(9001));

    // Failures in a row double the wait.
    a = t.refresh_failed(make_error_code(errc::timeout), t0 + 200ms);
    EXPECT_EQ(a.next_timer, t0 + 600ms);
    a = t.timer_due(t0 + 600ms);
    EXPECT_EQ(a.target, ep(9002));
    a = t.refresh_failed(make_error_code(errc::timeout), t0 + 600ms);
    EXPECT_EQ(a.next_timer, t0 + 1400ms);
    // Every seed failed: round again from the first.
    EXPECT_EQ(t.timer_due(t0 + 1400ms).target, ep(9000));
    EXPECT_EQ(t.consecutive_failures(), 3u);
}

TEST_F(TopologyTest, BackoffStopsAtTheRefreshInterval) {
    Topology t({ep(9000)}, options());
    auto now = t0;
    auto a = t.start(now);
    for (int i = 0; i < 12; ++i) {
        a = t.refresh_failed(make_error_code(errc::timeout), now);
        EXPECT_LE(a.next_timer - now, 10s);
        now = a.next_timer;
        a = t.timer_due(now);
        ASSERT_EQ(a.kind, Kind::refresh);
        EXPECT_EQ(a.target, ep(9000));  // the only node there is
    }
    EXPECT_EQ(t.refresh_failed(make_error_code(errc::timeout), now).next_timer - now, 10s);
}

TEST_F(TopologyTest, FailureAfterTheIntervalRetriesAtOnce) {
    Topology t({ep(9000), ep(9001)}, options());
    t.start(t0);
    const auto a = t.refresh_failed(make_error_code(errc::timeout), t0 + 5s);
    EXPECT_EQ(a.kind, Kind::refresh);
    EXPECT_EQ(a.target, ep(9001));
}

TEST_F(TopologyTest, PeriodicRefreshAsksKnownNodesInTurn) {
    auto t = ready();
    EXPECT_TRUE(t.has_map());
    EXPECT_TRUE(t.map().covers_all());
    EXPECT_EQ(t.timer_due(t0 + 9999ms).kind, Kind::none);

    // The map's nodes in the order it lists them (master, replica, ...),
    // then the seeds; the first seed was asked first, so the cursor is at 1.
    const std::uint16_t expected[] = {7100, 7001, 7101, 7002, 7102, 9000, 9001, 7000, 7100};
    auto now = t0 + 10s;
    for (const auto port : expected) {
        const auto a = t.timer_due(now);
        ASSERT_EQ(a.kind, Kind::refresh);
        EXPECT_EQ(a.target, ep(port));
        EXPECT_EQ(a.next_timer, now + 10s);
        EXPECT_EQ(t.refresh_done(three_masters(), now + 5ms).next_timer, now + 10s);
        now += 10s;
    }
    EXPECT_EQ(t.refreshes_started(), 10u);
}

TEST_F(TopologyTest, MovedFixesTheMapAtOnceAndRefreshes) {
    auto t = ready();
    const auto a = t.moved(100, ep(7001), t0 + 1s);
    EXPECT_EQ(t.map().master_of(100)->endpoint, ep(7001));  // before the refresh returns
    ASSERT_EQ(a.kind, Kind::refresh);
    EXPECT_EQ(a.next_timer, t0 + 11s);  // the periodic one counts from here
}

TEST_F(TopologyTest, MovedTheMapAgreesWithIsNothing) {
    auto t = ready();
    EXPECT_EQ(t.moved(0, ep(7000), t0 + 1s).kind, Kind::none);
    EXPECT_EQ(t.refreshes_started(), 1u);
}

TEST_F(TopologyTest, ABurstOfMovedCostsOneRefresh) {
    auto t = ready();
    EXPECT_EQ(t.moved(100, ep(7001), t0 + 1s).kind, Kind::refresh);
    // The rest of a pipeline answered MOVED too: in flight, deduplicated.
    for (std::uint16_t slot = 101; slot < 150; ++slot)
        EXPECT_EQ(t.moved(slot, ep(7001), t0 + 1s).kind, Kind::none);
    EXPECT_EQ(t.refreshes_started(), 2u);
    // The map that comes back says what the MOVED replies said: no more.
    auto map = three_masters();
    for (std::uint16_t slot = 100; slot < 150; ++slot)
        map.apply_moved(slot, ep(7001));
    const auto a = t.refresh_done(std::move(map), t0 + 1s + 3ms);
    EXPECT_EQ(a.kind, Kind::none);
    EXPECT_EQ(a.next_timer, t0 + 11s);
}

TEST_F(TopologyTest, MovedDuringARefreshThatMissedItRefreshesOnceMore) {
    auto t = ready();
    t.moved(100, ep(7001), t0 + 1s);
    t.moved(200, ep(7002), t0 + 1s + 1ms);  // in flight: remembered
    // This map has slot 100 moved but not slot 200 (the answering node had
    // not heard of it yet): one more refresh, after the minimum interval.
    auto map = three_masters();
    map.apply_moved(100, ep(7001));
    auto a = t.refresh_done(std::move(map), t0 + 1s + 50ms);
    EXPECT_EQ(a.kind, Kind::none);
    EXPECT_EQ(a.next_timer, t0 + 1s + 200ms);
    EXPECT_EQ(t.map().master_of(200)->endpoint, ep(7000));  // the server's word
    a = t.timer_due(t0 + 1s + 200ms);
    EXPECT_EQ(a.kind, Kind::refresh);
    EXPECT_EQ(t.refreshes_started(), 3u);
}

TEST_F(TopologyTest, RateLimitHoldsARefreshBackNotAway) {
    auto t = ready();
    EXPECT_EQ(t.moved(100, ep(7001), t0 + 1s).kind, Kind::refresh);
    auto map = three_masters();
    map.apply_moved(100, ep(7001));
    t.refresh_done(std::move(map), t0 + 1s + 10ms);
    // Another move 50 ms after the last refresh started: wait for 200 ms.
    auto a = t.moved(300, ep(7002), t0 + 1s + 50ms);
    EXPECT_EQ(a.kind, Kind::none);
    EXPECT_EQ(a.next_timer, t0 + 1s + 200ms);
    EXPECT_EQ(t.map().master_of(300)->endpoint, ep(7002));  // fixed meanwhile
    // More moves while waiting do not add refreshes.
    EXPECT_EQ(t.moved(301, ep(7002), t0 + 1s + 60ms).kind, Kind::none);
    EXPECT_EQ(t.timer_due(t0 + 1s + 199ms).kind, Kind::none);
    EXPECT_EQ(t.timer_due(t0 + 1s + 200ms).kind, Kind::refresh);
    EXPECT_EQ(t.refreshes_started(), 3u);
}

TEST_F(TopologyTest, LostNodeRefreshesAndIsNotAskedWhileOthersCan) {
    auto t = ready();
    // The cursor points at 7100 next; 7100 is lost, so 7001 is asked.
    const auto a = t.node_lost(ep(7100), t0 + 1s);
    ASSERT_EQ(a.kind, Kind::refresh);
    EXPECT_EQ(a.target, ep(7001));
}

TEST_F(TopologyTest, LostNodeTheMapDoesNotNameIsNothing) {
    auto t = ready();
    EXPECT_EQ(t.node_lost(ep(5555), t0 + 1s).kind, Kind::none);
    EXPECT_EQ(t.refreshes_started(), 1u);
}

TEST_F(TopologyTest, LostDuringARefreshRefreshesAgainOnlyIfStillInTheMap) {
    auto t = ready();
    t.moved(100, ep(7001), t0 + 1s);
    EXPECT_EQ(t.node_lost(ep(7000), t0 + 1s).kind, Kind::none);  // in flight
    // The new map still has 7000 (its failover has not shown yet): again.
    auto map = three_masters();
    map.apply_moved(100, ep(7001));
    EXPECT_EQ(t.refresh_done(std::move(map), t0 + 2s).kind, Kind::refresh);

    // This time 7000 is gone from the map: done.
    t.node_lost(ep(7000), t0 + 2s);
    auto without = three_masters(8000);
    EXPECT_EQ(t.refresh_done(std::move(without), t0 + 3s).kind, Kind::none);
}

// CLUSTERDOWN or UNBLOCKED: the node answered, the map may be old. A
// refresh starts (the node is asked in its turn, not avoided), and one more
// follows a refresh that was in flight meanwhile.
TEST_F(TopologyTest, StaleRefreshesWithoutAvoidingTheNode) {
    auto t = ready();
    const auto a = t.stale(t0 + 1s);
    ASSERT_EQ(a.kind, Kind::refresh);
    EXPECT_EQ(a.target, ep(7100));  // next in turn
    EXPECT_EQ(t.stale(t0 + 1s + 50ms).kind, Kind::none);
    const auto b = t.refresh_done(three_masters(), t0 + 1s + 300ms);
    ASSERT_EQ(b.kind, Kind::refresh) << "the refresh in flight may have missed the change";
    EXPECT_EQ(b.target, ep(7001));
}

// Every node looked lost (each said CLUSTERDOWN while one master was down):
// the one that answers a refresh is asked again before the others, instead
// of the next in turn, which may be the dead one.
TEST_F(TopologyTest, ANodeThatAnswersARefreshIsNoLongerAvoided) {
    Topology t({ep(7000)}, options());  // the seed is a node of the map: no other to ask
    t.start(t0);
    t.refresh_done(three_masters(), t0);
    ASSERT_EQ(t.node_lost(ep(7000), t0 + 1s).target, ep(7100));
    for (const std::uint16_t port : {7100, 7001, 7101, 7002, 7102})
        t.node_lost(ep(port), t0 + 1s);
    EXPECT_EQ(t.refresh_done(three_masters(), t0 + 1s + 100ms).kind, Kind::none);  // rate limit
    const auto a = t.timer_due(t0 + 1s + 200ms);
    ASSERT_EQ(a.kind, Kind::refresh);
    EXPECT_EQ(a.target, ep(7100));
}

TEST_F(TopologyTest, FailedRefreshTriesAnotherNode) {
    auto t = ready();
    const auto a = t.timer_due(t0 + 10s);
    ASSERT_EQ(a.kind, Kind::refresh);
    EXPECT_EQ(a.target, ep(7100));
    auto b = t.refresh_failed(make_error_code(errc::timeout), t0 + 10s + 100ms);
    EXPECT_EQ(b.next_timer, t0 + 10s + 200ms);
    b = t.timer_due(b.next_timer);
    ASSERT_EQ(b.kind, Kind::refresh);
    EXPECT_EQ(b.target, ep(7001));
    // A success clears the failure count and error.
    t.refresh_done(three_masters(), t0 + 10s + 210ms);
    EXPECT_EQ(t.consecutive_failures(), 0u);
    EXPECT_FALSE(t.last_error());
}

TEST_F(TopologyTest, EveryNodeLostStillAsksOne) {
    Topology t({ep(9000)}, options());
    t.start(t0);
    t.refresh_failed(make_error_code(errc::connect_failed), t0);
    t.node_lost(ep(9000), t0);
    EXPECT_EQ(t.timer_due(t0 + 200ms).target, ep(9000));
}

TEST_F(TopologyTest, TooManyEventsDuringARefreshMeanOneMore) {
    TopologyOptions o = options();
    o.max_remembered_events = 2;
    Topology t({ep(9000)}, o);
    t.start(t0);
    t.refresh_done(three_masters(), t0);
    t.moved(1, ep(7001), t0 + 1s);
    for (std::uint16_t slot = 2; slot < 6; ++slot)
        t.moved(slot, ep(7001), t0 + 1s);
    // The map agrees with every move, but not all of them were remembered.
    auto map = three_masters();
    for (std::uint16_t slot = 1; slot < 6; ++slot)
        map.apply_moved(slot, ep(7001));
    EXPECT_EQ(t.refresh_done(std::move(map), t0 + 2s).kind, Kind::refresh);
}

TEST_F(TopologyTest, StrayCompletionsAreIgnored) {
    auto t = ready();
    EXPECT_EQ(t.refresh_done(SlotMap(), t0 + 1s).kind, Kind::none);
    EXPECT_TRUE(t.map().covers_all());  // not replaced
    EXPECT_EQ(t.refresh_failed(make_error_code(errc::timeout), t0 + 1s).kind, Kind::none);
    EXPECT_EQ(t.consecutive_failures(), 0u);
}

TEST_F(TopologyTest, NoSeedsNoRefresh) {
    Topology t({}, options());
    EXPECT_EQ(t.start(t0).kind, Kind::none);
}

}  // namespace
}  // namespace redstream::cluster::detail
