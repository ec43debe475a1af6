// The logging hook against a real redis-server: a connection up, lost,
// reconnecting and up again, each naming the server and the reason; a
// refused connect; and never the password.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include <redstream/core/error.hpp>
#include <redstream/core/log.hpp>
#include <redstream/redis/streamer.hpp>

#include "support/eventually.hpp"
#include "support/log_recorder.hpp"
#include "support/redis_server.hpp"

namespace rs = redstream;
using rs::LogLevel;
using rs::test::Recorder;
using namespace std::chrono_literals;

namespace {

const std::string password = "s3cret-pw-4711";

std::string url(const rs::test::RedisServer& server, const std::string& pw) {
    return "redis://" + (pw.empty() ? "" : ":" + pw + "@") +
           "127.0.0.1:" + std::to_string(server.port());
}

TEST(Log, AConnectionUpLostAndBackIsLoggedWithTheServerAndNeverThePassword) {
    rs::test::RedisServer server({.requirepass = password});
    const auto where = "127.0.0.1:" + std::to_string(server.port());
    Recorder log(LogLevel::debug);
    auto streamer = rs::Streamer::connect(url(server, password));
    EXPECT_EQ(log.count("info net connected to " + where + " (RESP3)"), 1U);

    server.cli({"CLIENT", "KILL", "TYPE", "normal"});
    ASSERT_TRUE(rs::test::eventually([&] {
        return log.count("info net reconnected to " + where) >= 1;
    })) << "no reconnect logged";
    EXPECT_GE(log.count("warning net connection to " + where + " lost: "), 1U);
    EXPECT_GE(log.count("warning net reconnecting to " + where + " in "), 1U);
    for (const auto& line : log.lines())
        EXPECT_EQ(line.find(password), std::string::npos) << line;
}

TEST(Log, ARefusedConnectIsAnErrorWithTheReasonAndWithoutThePassword) {
    rs::test::RedisServer server({.requirepass = password});
    Recorder log(LogLevel::error);
    const auto wrong = "wrong-" + password;
    EXPECT_THROW(rs::Streamer::connect(url(server, wrong)), rs::Error);
    ASSERT_GE(
        log.count("error net connect to 127.0.0.1:" + std::to_string(server.port()) + " failed: "),
        1U);
    for (const auto& line : log.lines()) {
        EXPECT_EQ(line.find(wrong), std::string::npos) << line;
        EXPECT_EQ(line.find(password), std::string::npos) << line;
    }
}

// A shard created after the consumer started is found by discovery, and
// said so.
TEST(Log, AShardFoundAfterTheStartIsLogged) {
    rs::test::RedisServer server;
    Recorder log(LogLevel::info);
    auto streamer = rs::Streamer::connect(url(server, ""));
    const rs::StreamKey stream(rs::test::unique_key("log"));
    rs::ConsumerOptions o;
    o.discovery_interval = 100ms;
    auto consumer = streamer.create_consumer({stream}, o);
    server.cli({"XADD", rs::shard_key(stream, rs::ShardId{3}, 4), "*", "msg", "x"});
    EXPECT_TRUE(rs::test::eventually([&] {
        return log.count("info consumer found shard 3 of " + std::string(stream.name())) == 1;
    }));
}

}  // namespace
