// A connection that stops carrying bytes but stays open (issue 9, section 1:
// "A stalled connection is never dropped while requests are on it"): the
// client must declare it dead, close it and reconnect, losing nothing.
#include <algorithm>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>
#include <redstream/redis/streamer.hpp>

#include "fault/proxied_fixture.hpp"

namespace rs = redstream;
using namespace std::chrono_literals;
using rs::test::Closer;
using rs::test::Direction;
using rs::test::ProxyMode;
using rs::test::ProxyStats;
using rs::test::Stopwatch;

namespace {

using StallTest = rs::test::ProxiedServerTest;

// The connections open now, by accept number.
std::vector<std::size_t> open_connections(const ProxyStats& s) {
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < s.closed_by.size(); ++i)
        if (s.closed_by[i] == Closer::none) open.push_back(i);
    return open;
}

bool all_closed_by_client(const ProxyStats& s, const std::vector<std::size_t>& which) {
    return std::all_of(which.begin(), which.end(),
                       [&](std::size_t i) { return s.closed_by[i] == Closer::client; });
}

std::string describe(const ProxyStats& s) {
    std::string text = "connections (accept order):";
    for (auto who : s.closed_by)
        text += who == Closer::none     ? " open"
                : who == Closer::client ? " closed-by-client"
                : who == Closer::server ? " closed-by-server"
                                        : " reset-by-proxy";
    return text;
}

// Issue 9 §1 + §8: a stall with sends outstanding is detected within 2 health
// intervals, the sends on it fail retryably, the client reconnects within 1 s
// of recovery, every send completes, and nothing confirmed is lost.
TEST_F(StallTest, ProducerStallIsDetectedAndRecoveredWithoutLoss) {
    const auto key = rs::test::unique_key("stall");
    auto producer = connect_streamer().create_producer(key, {.end_timeout = 1s});
    std::set<std::string> confirmed;
    for (int i = 0; i < 20; ++i)
        confirmed.insert(rs::test::send_within(producer, "before " + std::to_string(i), 2s));
    ASSERT_EQ(proxy_.stats().accepted, 1u);

    proxy_.set_mode(ProxyMode::stall());
    Stopwatch stall;
    std::vector<rs::SendFuture> outstanding;
    for (int i = 0; i < 20; ++i)
        outstanding.push_back(producer.send("during " + std::to_string(i)));
    const auto bound = 2 * rs::test::health_interval + rs::test::timing_slack;
    ASSERT_TRUE(proxy_.wait_client_closed(1, bound + 1s))
        << "the client never closed its stalled connection; " << describe(proxy_.stats());
    EXPECT_LE(stall.elapsed(), bound) << "stall detected too late";
    // Sends written to the dead connection fail with it; any the producer
    // had not written yet may wait for the next connection.
    ASSERT_TRUE(rs::test::eventually(
        [&] {
            return std::any_of(outstanding.begin(), outstanding.end(),
                               [](const rs::SendFuture& f) { return f.ready(); });
        },
        1s))
        << "no send failed with the connection it was written to";

    proxy_.set_mode(ProxyMode::pass());
    Stopwatch recovery;
    const auto after = rs::test::send_within(producer, "after", 1s);
    ASSERT_FALSE(after.empty()) << "no reconnect within 1 s";
    confirmed.insert(after);
    EXPECT_LE(recovery.elapsed(), 1s);
    for (auto& f : outstanding) {
        ASSERT_EQ(f.wait_for(1s), std::future_status::ready) << "a send never completes";
        std::error_code ec;
        const auto receipt = f.get(ec);
        if (!ec) {
            confirmed.insert(receipt.id.to_string());
        } else {
            EXPECT_TRUE(rs::test::is_retryable_or_timeout(ec)) << ec.message();
        }
    }

    const auto stored = rs::test::stream_ids(server(), key);
    for (const auto& id : confirmed)
        EXPECT_TRUE(stored.count(id)) << "confirmed " << id << " is not in the stream";
}

// Issue 9 §1: a blocking read on a stalled connection may be silent for its
// block time, not for block time + a health interval; then the connection
// is closed, reconnected, and the read resumes where it was.
TEST_F(StallTest, RealTimeConsumerLeavesAStalledConnectionAndMissesNothing) {
    const auto key = rs::test::unique_key("stall-read");
    constexpr auto block = 200ms;
    server().cli({"XADD", key, "*", "msg", "m0"});
    auto consumer = connect_streamer().create_consumer(
        {key}, {.auto_stream_reset = rs::AutoStreamReset::earliest,
                .block_time = block,
                .discover_shards = false});
    auto first = consumer.next_for(3s);
    ASSERT_TRUE(first.has_value()) << "the consumer does not read";
    EXPECT_EQ(first->payload(), "m0");

    const auto open = open_connections(proxy_.stats());
    proxy_.set_mode(ProxyMode::stall());
    Stopwatch stall;
    std::vector<std::string> produced;
    auto produce = [&](const std::string& payload) {
        server().cli({"XADD", key, "*", "msg", payload});  // directly, not through the proxy
        produced.push_back(payload);
    };
    produce("during-1");
    const auto bound = block + 2 * rs::test::health_interval + rs::test::timing_slack;
    ASSERT_TRUE(proxy_.wait_until(
        [&](const ProxyStats& s) { return all_closed_by_client(s, open); }, bound + 1s))
        << "the client kept a stalled connection open; " << describe(proxy_.stats());
    EXPECT_LE(stall.elapsed(), bound) << "stall detected too late";
    produce("during-2");

    proxy_.set_mode(ProxyMode::pass());
    Stopwatch recovery;
    produce("after-1");
    std::vector<std::string> received;
    while (received.size() < produced.size()) {
        auto m = consumer.next_for(2s);
        if (!m) break;
        if (received.empty()) {
            EXPECT_LE(recovery.elapsed(), 1s) << "no reconnect within 1 s";
        }
        received.push_back(std::string(m->payload()));
    }
    EXPECT_EQ(received, produced);
}

// Issue 9 §1: "A request that timed out after being written makes its
// connection suspect: ... close it." Health checks stay at their 2 s default,
// so only the timeout can explain a close within the bound.
TEST_F(StallTest, ATimedOutRequestClosesItsConnection) {
    auto config = proxied_config();
    config.request_timeout = 300ms;
    config.health_check_interval = rs::net::ConnectionConfig::default_health_check_interval;
    rs::net::SyncClient client(config);
    client.connect();
    ASSERT_EQ(client.exec_one("PING").root().str(), "PONG");

    proxy_.set_mode(Direction::downstream, ProxyMode::stall());
    rs::resp::Request ping;
    ping.push("PING");
    std::error_code ec;
    Stopwatch clock;
    client.exec(ping, ec);
    EXPECT_EQ(ec, rs::errc::timeout) << ec.message();
    EXPECT_LE(clock.elapsed(), 300ms + rs::test::timing_slack);
    clock.restart();
    ASSERT_TRUE(proxy_.wait_client_closed(1, 1s))
        << "a request timed out and its connection stayed open; " << describe(proxy_.stats());
    EXPECT_LE(clock.elapsed(), 2 * rs::test::timing_slack) << "closed, but not promptly";

    proxy_.set_mode(ProxyMode::pass());
    const auto reply = client.exec(ping, ec, {.timeout = 1s});
    ASSERT_FALSE(ec) << "no reconnect within 1 s: " << ec.message();
    EXPECT_EQ(reply.at(0).root().str(), "PONG");
}

}  // namespace
