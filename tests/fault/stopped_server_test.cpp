// Sends to a server that is gone (issue 9, section 1: "Sends that wait
// forever"): with default options nothing a user calls may wait forever.
#include <vector>

#include <gtest/gtest.h>

#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>
#include <redstream/redis/streamer.hpp>

#include "fault/fault_helpers.hpp"
#include "fault/proxied_fixture.hpp"
#include "support/redis_server.hpp"

namespace rs = redstream;
using namespace std::chrono_literals;
using rs::test::RedisServer;
using rs::test::Stopwatch;

namespace {

std::string url_of(const RedisServer& server) {
    return "redis://127.0.0.1:" + std::to_string(server.port());
}

// Issue 9 §1: a send not confirmed within delivery_timeout fails with
// timeout, and flush() returns, though the server never comes back.
TEST(StoppedServerTest, SendsFailWithinTheDeliveryTimeoutAndFlushReturns) {
    rs::test::Watchdog watchdog(20s);
    RedisServer server;
    auto streamer = rs::Streamer::connect(url_of(server));  // default options
    constexpr auto delivery_timeout = 500ms;
    auto producer = streamer.create_producer(
        rs::test::unique_key("gone"), {.end_timeout = 1s, .delivery_timeout = delivery_timeout});
    ASSERT_FALSE(rs::test::send_within(producer, "while up", 2s).empty());

    server.stop();
    // Once this one failed, the client knows the server is gone: the sends
    // below wait for a reconnect, not for a reply on a dead socket.
    auto probe = producer.send("probe");
    ASSERT_EQ(probe.wait_for(delivery_timeout + 1s), std::future_status::ready)
        << "a send to the stopped server still pending after delivery_timeout + 1 s";
    Stopwatch clock;
    std::vector<rs::SendFuture> sends;
    for (int i = 0; i < 10; ++i)
        sends.push_back(producer.send("to nobody " + std::to_string(i)));
    const auto bound = delivery_timeout + 1s;
    for (std::size_t i = 0; i < sends.size(); ++i) {
        const auto left = std::max(bound - clock.elapsed(), 0ms);
        ASSERT_EQ(sends[i].wait_for(left), std::future_status::ready)
            << "send " << i << " still pending " << clock.elapsed().count()
            << " ms after the server stopped";
        std::error_code ec;
        sends[i].get(ec);
        EXPECT_TRUE(ec == rs::errc::timeout || ec == rs::condition::retryable) << ec.message();
    }
    const auto left = std::max(bound - clock.elapsed(), 0ms) + rs::test::timing_slack;
    rs::test::finish_within(left, "Producer::flush() with the server stopped",
                            [&] { producer.flush(); });
    rs::test::finish_within(rs::ProducerOptions::default_end_timeout + 1s,
                            "Streamer::disconnect() with the server stopped",
                            [&] { streamer.disconnect(); });
}

// Issue 9 §1: "Give sync requests a finite default too. Nothing a user calls
// with default options may wait forever."
TEST(StoppedServerTest, DefaultOptionsHaveFiniteDeadlines) {
    EXPECT_GT(rs::ProducerOptions{}.delivery_timeout.count(), 0);
    EXPECT_GT(rs::net::ConnectionConfig{}.request_timeout.count(), 0)
        << "sync requests have no deadline by default";
}

// Issue 9 §1: a sync request with default options to a server that stopped
// fails within the default request timeout.
TEST(StoppedServerTest, SyncRequestWithDefaultOptionsFailsInTime) {
    rs::test::Watchdog watchdog(60s);
    const auto timeout = rs::net::ConnectionConfig{}.request_timeout;
    ASSERT_GT(timeout.count(), 0) << "sync requests have no deadline by default";
    RedisServer server;
    rs::net::SyncClient client(server.config());
    client.connect();
    server.stop();
    rs::resp::Request ping;
    ping.push("PING");
    const auto ec =
        rs::test::finish_within(timeout + 1s, "net::SyncClient::exec with the server stopped", [&] {
            std::error_code e;
            client.exec(ping, e);
            return e;
        });
    EXPECT_TRUE(rs::test::is_retryable_or_timeout(ec)) << ec.message();
}

// Issue 9 §1: flush_for() keeps its bound while sends are stuck (default
// options otherwise), and so does end().
TEST(StoppedServerTest, FlushForAndEndKeepTheirBounds) {
    rs::test::Watchdog watchdog(20s);
    RedisServer server;
    auto streamer = rs::Streamer::connect(url_of(server));
    auto producer = streamer.create_producer(rs::test::unique_key("gone"),
                                             {.end_timeout = 500ms, .delivery_timeout = 2s});
    server.stop();
    // Once the probe failed, the client knows the server is gone: "stuck"
    // waits for a reconnect, rather than failing at once on a dead socket.
    ASSERT_EQ(producer.send("probe").wait_for(3s), std::future_status::ready);
    producer.send("stuck");
    Stopwatch clock;
    const bool flushed = rs::test::finish_within(1s, "Producer::flush_for(200ms)",
                                                 [&] { return producer.flush_for(200ms); });
    EXPECT_FALSE(flushed);
    EXPECT_GE(clock.elapsed(), 200ms);
    rs::test::finish_within(500ms + 1s, "Producer::end() with end_timeout 500ms",
                            [&] { producer.end(); });
}

}  // namespace
