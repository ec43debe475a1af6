// Connects that never complete (issue 9, section 1: "A connect timeout
// fires, but the call does not return"): SYNs dropped, or a TLS handshake
// nobody answers. The call must fail within connect_timeout + 1 s, and
// return, and everything it made must be destroyable.
#include <memory>

#include <gtest/gtest.h>

#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>
#include <redstream/redis/streamer.hpp>

#include "fault/fault_helpers.hpp"
#include "fault/proxied_fixture.hpp"
#include "support/fault_proxy.hpp"
#include "support/redis_server.hpp"
#include "support/syn_blackhole.hpp"

namespace rs = redstream;
using namespace std::chrono_literals;
using rs::test::Stopwatch;

namespace {

constexpr auto connect_timeout = rs::test::connect_timeout;
constexpr auto bound = connect_timeout + 1s;

bool is_connect_failure(std::error_code ec) {
    return ec == rs::errc::timeout || ec == rs::errc::connect_failed || ec == rs::errc::tls_failed;
}

// Streamer::connect fails within the bound and returns (today it hangs
// joining its I/O thread, issue 9 §1).
void expect_streamer_connect_fails(const std::string& url) {
    rs::ConnectOptions options;
    options.connection.connect_timeout = connect_timeout;
    options.connection.tls.verify_peer = false;  // whatever answers, it is not a TLS server
    Stopwatch clock;
    const auto ec = rs::test::finish_within(bound, "Streamer::connect(" + url + ")", [&] {
        try {
            rs::Streamer::connect(url, options);
            return std::error_code{};
        } catch (const rs::Error& e) {
            return e.code();
        }
    });
    EXPECT_TRUE(is_connect_failure(ec)) << (ec ? ec.message() : "connected");
    EXPECT_LE(clock.elapsed(), bound);
}

// net::SyncClient::connect fails within the bound, and its destructor returns
// (today it hangs, issue 9 §1).
void expect_sync_connect_fails(const std::string& url) {
    auto config = rs::net::ConnectionConfig::from_url(url);
    config.connect_timeout = connect_timeout;
    config.tls.verify_peer = false;
    auto client = std::make_unique<rs::net::SyncClient>(config);
    Stopwatch clock;
    const auto ec = rs::test::finish_within(bound, "net::SyncClient::connect(" + url + ")", [&] {
        std::error_code e;
        client->connect(e);
        return e;
    });
    EXPECT_TRUE(is_connect_failure(ec)) << (ec ? ec.message() : "connected");
    EXPECT_LE(clock.elapsed(), bound);
    rs::test::finish_within(1s, "~net::SyncClient after a failed connect", [&] { client.reset(); });
}

std::string url_to(std::uint16_t port, std::string_view scheme = "redis") {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port);
}

class ConnectTimeoutTest : public ::testing::Test {
  protected:
    rs::test::Watchdog watchdog_{20s};
};

// Issue 9 §1 + §8: "connect failure returns ≤ connect_timeout + 1 s" (SYNs dropped).
TEST_F(ConnectTimeoutTest, StreamerConnectToABlackholeFailsAndReturns) {
    rs::test::SynBlackhole hole;
    expect_streamer_connect_fails(url_to(hole.port()));
}

// Issue 9 §1: net::SyncClient against dropped SYNs: connect returns, and so does its destructor.
TEST_F(ConnectTimeoutTest, SyncClientConnectToABlackholeFailsAndIsDestroyed) {
    rs::test::SynBlackhole hole;
    expect_sync_connect_fails(url_to(hole.port()));
}

// Issue 9 §1: rediss:// to a plaintext port: no TLS answer comes.
TEST_F(ConnectTimeoutTest, StreamerTlsToAPlaintextPortFailsAndReturns) {
    rs::test::RedisServer server;
    expect_streamer_connect_fails(url_to(server.port(), "rediss"));
}

// Issue 9 §1: as above, with net::SyncClient.
TEST_F(ConnectTimeoutTest, SyncClientTlsToAPlaintextPortFailsAndIsDestroyed) {
    rs::test::RedisServer server;
    expect_sync_connect_fails(url_to(server.port(), "rediss"));
}

// Issue 9 §1: a TLS handshake that gets no byte back (the proxy stalls).
TEST_F(ConnectTimeoutTest, StreamerTlsHandshakeIntoAStallFailsAndReturns) {
    rs::test::RedisServer server;
    rs::test::FaultProxy proxy(server.port());
    proxy.set_mode(rs::test::ProxyMode::stall());
    expect_streamer_connect_fails(proxy.url("rediss"));
}

// Issue 9 §1: as above, with net::SyncClient.
TEST_F(ConnectTimeoutTest, SyncClientTlsHandshakeIntoAStallFailsAndIsDestroyed) {
    rs::test::RedisServer server;
    rs::test::FaultProxy proxy(server.port());
    proxy.set_mode(rs::test::ProxyMode::stall());
    expect_sync_connect_fails(proxy.url("rediss"));
}

}  // namespace
