// ProducerOptions::wait_replicas on one server: a send is confirmed only once
// WAIT counts that many replicas with it; with fewer it fails as
// not_replicated, and is stored on the master all the same.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include <redstream/net/client.hpp>
#include <redstream/redstream.hpp>

#include "support/eventually.hpp"
#include "support/redis_server.hpp"

namespace rs = redstream;
using namespace std::chrono_literals;
using rs::test::RedisServer;

namespace {

std::string url(const RedisServer& s) {
    return "redis://127.0.0.1:" + std::to_string(s.port());
}

std::int64_t xlen(const RedisServer& s, const std::string& key) {
    rs::net::SyncClient c(s.config());
    c.connect();
    return c.exec_one("XLEN", key).root().to_int().value_or(-1);
}

TEST(ProducerWait, ASendIsConfirmedOnceItsReplicaHasIt) {
    // The replica's first sync starts at once, not after Redis's 5 s default.
    RedisServer master({.extra_args = {"--repl-diskless-sync-delay", "0"}});
    RedisServer replica(
        {.extra_args = {"--replicaof", "127.0.0.1", std::to_string(master.port())}});
    rs::net::SyncClient admin(master.config());
    admin.connect();
    ASSERT_TRUE(rs::test::eventually([&] {
        const auto info = admin.exec_one("INFO", "replication").root().str();
        return info.find("connected_slaves:1") != std::string_view::npos;
    }));
    auto streamer = rs::Streamer::connect(url(master));
    auto producer = streamer.create_producer(rs::StreamKey("wait:ok"),
                                             {.wait_replicas = 1, .wait_timeout = 5000ms});
    std::vector<rs::SendFuture> sends;
    for (int i = 0; i < 500; ++i)
        sends.push_back(producer.send("m" + std::to_string(i)));
    for (auto& s : sends)
        s.get();  // throws if one was not replicated
    // Confirmed means the replica has it: no waiting for it here.
    EXPECT_EQ(xlen(replica, "wait:ok"), 500);
}

TEST(ProducerWait, WithoutEnoughReplicasASendFailsAsNotReplicatedButIsStored) {
    RedisServer master;  // no replica at all
    auto streamer = rs::Streamer::connect(url(master));
    auto producer = streamer.create_producer(rs::StreamKey("wait:none"),
                                             {.wait_replicas = 1, .wait_timeout = 100ms});
    std::vector<rs::SendFuture> sends;
    for (int i = 0; i < 10; ++i)
        sends.push_back(producer.send("m" + std::to_string(i)));
    const auto start = std::chrono::steady_clock::now();
    for (auto& s : sends) {
        std::error_code ec;
        s.get(ec);
        EXPECT_EQ(ec, rs::errc::not_replicated) << ec.message();
        EXPECT_FALSE(ec == rs::condition::retryable) << "sending it again duplicates it";
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "bounded by wait_timeout";
    EXPECT_EQ(xlen(master, "wait:none"), 10);

    // Without wait_replicas the same server confirms at once.
    auto plain = streamer.create_producer(rs::StreamKey("wait:none"));
    plain.send("plain").get();
}

TEST(ProducerWait, AWaitWithoutTimeoutIsRefused) {
    RedisServer master;
    auto streamer = rs::Streamer::connect(url(master));
    try {
        streamer.create_producer(rs::StreamKey("wait:zero"),
                                 {.wait_replicas = 1, .wait_timeout = 0ms});
        FAIL() << "WAIT 0 would wait forever";
    } catch (const rs::Error& e) {
        EXPECT_EQ(e.code(), rs::errc::invalid_argument);
    }
}

}  // namespace
