// Error texts that say what went wrong (issue 9 §5): a server refusal reads
// as the refusal (no stray leading ": "), and a failed connect names the
// address and the operating system's reason.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>
#include <redstream/redis/streamer.hpp>

#include "fault/hostile_support.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"

namespace redstream::test {
namespace {

using namespace std::chrono_literals;
using hostile::bounded;
using hostile::Watchdog;

std::string url_of(const RedisServer& server) {
    return "redis://127.0.0.1:" + std::to_string(server.port());
}

// The text of the Error that `f` throws ("" and a test failure if none).
template <class F>
std::string what_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "no redstream::Error was thrown";
    return {};
}

// Issue 9 §5: Consumer::next() throws WRONGTYPE without a leading ": ".
TEST(HostileErrorText, ConsumerWrongTypeHasNoStrayPrefix) {
    Watchdog dog(40s);
    RedisServer server;
    const auto key = unique_key();
    server.cli({"SET", key, "not a stream"});
    auto streamer = Streamer::connect(url_of(server));
    ConsumerOptions options;
    options.auto_stream_reset = AutoStreamReset::earliest;
    auto consumer = streamer.create_consumer({StreamKey(key)}, options);
    const auto what = what_of([&] { bounded(10s, "Consumer::next", [&] { consumer.next(); }); });
    EXPECT_FALSE(what.starts_with(": ")) << what;
    EXPECT_NE(what.find("WRONGTYPE"), std::string::npos) << what;
}

// Issue 9 §5: a send refused with WRONGTYPE says so without a leading ": ".
TEST(HostileErrorText, ProducerWrongTypeHasNoStrayPrefix) {
    Watchdog dog(40s);
    RedisServer server;
    const auto key = unique_key();
    server.cli({"SET", key, "not a stream"});
    auto streamer = Streamer::connect(url_of(server));
    auto producer = streamer.create_producer(StreamKey(key));
    const auto sent = producer.send("hello");
    ASSERT_EQ(sent.wait_for(5s), std::future_status::ready);
    const auto what = what_of([&] { sent.get(); });
    EXPECT_FALSE(what.starts_with(": ")) << what;
    EXPECT_NE(what.find("WRONGTYPE"), std::string::npos) << what;
}

// Issue 9 §5: a refused connect names host:port and the OS reason (net::SyncClient).
TEST(HostileErrorText, SyncClientConnectFailureNamesAddressAndReason) {
    Watchdog dog(40s);
    const auto port = find_free_port();  // nothing listens there
    net::ConnectionConfig config;
    config.nodes = {{"127.0.0.1", port}};
    net::SyncClient client(config);
    const auto what =
        what_of([&] { bounded(10s, "net::SyncClient::connect", [&] { client.connect(); }); });
    const auto address = "127.0.0.1:" + std::to_string(port);
    EXPECT_NE(what.find(address), std::string::npos) << what;
    EXPECT_NE(what.find("Connection refused"), std::string::npos) << what;
    EXPECT_FALSE(what.starts_with(": ")) << what;
}

// Issue 9 §5: a refused connect names host:port and the OS reason (Streamer).
TEST(HostileErrorText, StreamerConnectFailureNamesAddressAndReason) {
    Watchdog dog(40s);
    const auto port = find_free_port();
    const auto address = "127.0.0.1:" + std::to_string(port);
    const auto what = what_of([&] {
        bounded(10s, "Streamer::connect", [&] { Streamer::connect("redis://" + address); });
    });
    EXPECT_NE(what.find(address), std::string::npos) << what;
    EXPECT_NE(what.find("Connection refused"), std::string::npos) << what;
    EXPECT_FALSE(what.starts_with(": ")) << what;
}

}  // namespace
}  // namespace redstream::test
