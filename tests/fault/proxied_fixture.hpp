// A redis-server behind a FaultProxy, and connection settings short enough
// that each fault scenario takes seconds, for the tests of issue 9.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include <redstream/core/error.hpp>
#include <redstream/net/config.hpp>
#include <redstream/redis/streamer.hpp>

#include "fault/fault_helpers.hpp"
#include "support/fault_proxy.hpp"
#include "support/redis_server.hpp"

namespace redstream::test {

/// The timings every scenario uses unless it says otherwise.
inline constexpr std::chrono::milliseconds health_interval{400};
inline constexpr std::chrono::milliseconds connect_timeout{500};
/// The bounds hold on an idle machine; this much more absorbs timer
/// resolution and a busy two-core CI runner.
inline constexpr std::chrono::milliseconds timing_slack{150};
/// Reconnect after a loss at once and retry often: the issue's "reconnect
/// within 1 s after recovery" assumes a backoff that has not grown to seconds.
inline constexpr std::chrono::milliseconds reconnect_max_delay{200};

/// `config` with the scenario timings.
inline net::ConnectionConfig fast(net::ConnectionConfig config) {
    config.health_check_interval = health_interval;
    config.connect_timeout = connect_timeout;
    config.reconnect.initial_delay = std::chrono::milliseconds(20);
    config.reconnect.max_delay = reconnect_max_delay;
    return config;
}

inline bool is_retryable_or_timeout(std::error_code ec) {
    return ec == condition::retryable || ec == condition::timeout;
}

/// Sends `payload` and waits at most `limit` for its receipt: the id, or ""
/// and a test failure if it failed or was not confirmed in time.
inline std::string send_within(Producer& producer, std::string_view payload,
                               std::chrono::milliseconds limit) {
    auto f = producer.send(payload);
    if (f.wait_for(limit) != std::future_status::ready) {
        ADD_FAILURE() << "a send was not confirmed within " << limit.count() << " ms";
        return {};
    }
    std::error_code ec;
    const auto receipt = f.get(ec);
    if (ec) ADD_FAILURE() << "a send failed: " << ec.message();
    return ec ? std::string() : receipt.id.to_string();
}

class ProxiedServerTest : public ::testing::Test {
  protected:
    static RedisServer& server() {
        static RedisServer s;
        return s;
    }

    /// A config that reaches the server through the proxy.
    net::ConnectionConfig proxied_config() const {
        auto config = fast(server().config());
        config.nodes = {{"127.0.0.1", proxy_.port()}};
        return config;
    }

    /// Connects streamer_ through the proxy.
    Streamer& connect_streamer() {
        ConnectOptions options;
        options.connection = proxied_config();
        streamer_ = Streamer::connect(proxy_.url(), options);
        return *streamer_;
    }

    // Heal the network first, so that the Streamer's disconnect (its
    // producers' flush) is quick also after a failed assertion.
    void TearDown() override {
        proxy_.set_mode(ProxyMode::pass());
        proxy_.set_blackhole(false);
        streamer_.reset();
    }

    Watchdog watchdog_{std::chrono::seconds(30)};  // first: destroyed last
    FaultProxy proxy_{server().port()};
    std::optional<Streamer> streamer_;
};

}  // namespace redstream::test
