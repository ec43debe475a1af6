// The fixture of the consumer tests that read what they wrote themselves: one
// redis-server for the whole program, and per test a net::SyncClient to write and
// inspect with (RESP3) and a Streamer to consume with.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <redstream/net/client.hpp>
#include <redstream/redis/streamer.hpp>

#include "support/redis_server.hpp"

namespace redstream::test {

/// `Base`: ::testing::Test, or ::testing::TestWithParam<T>.
template <class Base = ::testing::Test>
class StreamerFixture : public Base {
  protected:
    static RedisServer& server() {
        static RedisServer s;
        return s;
    }

    void SetUp() override {
        client_ = std::make_unique<net::SyncClient>(server().config(3));
        client_->connect();
        streamer_ = Streamer::connect("redis://127.0.0.1:" + std::to_string(server().port()));
    }
    void TearDown() override { streamer_.disconnect(); }

    std::unique_ptr<net::SyncClient> client_;
    Streamer streamer_;
};

}  // namespace redstream::test
