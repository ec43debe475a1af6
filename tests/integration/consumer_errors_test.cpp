// Issue 9 §5 for consumers, against a real redis-server: the error that
// ended a messages() loop (Consumer::last_error()), a protocol error on the
// read connection, and what an ack of a claimed entry counts as (a check
// shared with the cluster tests, support/stream_checks.hpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>
#include <redstream/redis/streamer.hpp>

#include "group_fixture.hpp"
#include "support/stream_checks.hpp"

namespace redstream {
namespace {

using namespace std::chrono_literals;
using test::unique_key;
namespace checks = test::stream_checks;

class ConsumerErrors : public test::GroupConsumer {};

// Options that cannot work are refused when the consumer is made, each with
// invalid_argument and a message naming the option.
TEST_F(ConsumerErrors, OptionsThatCannotWorkAreRefusedByName) {
    const auto refused = [&](ConsumerOptions o, const std::string& option) {
        try {
            streamer_.create_consumer({StreamKey(unique_key())}, o);
            ADD_FAILURE() << option << " was accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), errc::invalid_argument) << option;
            EXPECT_NE(std::string(e.what()).find(option), std::string::npos) << e.what();
        }
    };
    refused({.batch_size = 0}, "batch_size");
    refused({.prefetch = 0}, "prefetch");
    refused({.prefetch_bytes = 0}, "prefetch_bytes");
    refused({.max_connections_per_node = 0}, "max_connections_per_node");
    // XREADGROUP writes: only a master runs it.
    for (auto mode : {ConsumerMode::resumable, ConsumerMode::load_balanced})
        refused({.mode = mode, .read_from_replicas = true}, "read_from_replicas");
}

// A key turned into a string while it is read ends the loop with WRONGTYPE,
// and last_error() says so; it was clear while the loop ran, and end()
// makes it shutting_down.
TEST_F(ConsumerErrors, LastErrorTellsWhyAMessagesLoopEnded) {
    for (auto mode : {ConsumerMode::real_time, ConsumerMode::resumable}) {
        const auto key = unique_key();
        send(key, 3, "m");
        auto c = streamer_.create_consumer(
            {key}, options(mode, AutoCommit::delayed, AutoStreamReset::earliest, unique_key("g")));
        int n = 0;
        for (const Message& m : c.messages()) {
            EXPECT_EQ(m.payload(), "m" + std::to_string(n));
            EXPECT_FALSE(c.last_error()) << c.last_error().message();
            if (++n == 3) {  // in one step: a missing key would fail otherwise
                server().cli({"SET", key + ":tmp", "not a stream"});
                server().cli({"RENAME", key + ":tmp", key});
            }
        }
        EXPECT_EQ(n, 3);
        EXPECT_EQ(c.last_error(), errc::wrongtype)
            << c.last_error().message() << ", mode " << static_cast<int>(mode);
        c.end();
        EXPECT_EQ(c.last_error(), errc::shutting_down);
    }
    EXPECT_EQ(Consumer{}.last_error(), errc::not_connected);
}

// A reply the consumer's connection cannot parse (an entry above the reader's
// bulk limit) is a protocol error: not retryable, so it ends next() with it
// instead of reconnecting and failing on the same entry forever.
TEST_F(ConsumerErrors, AProtocolErrorOnTheReadConnectionEndsNext) {
    const auto key = unique_key();
    ConnectOptions connect;
    connect.connection.reader_limits.max_bulk = 1024;
    auto streamer =
        Streamer::connect("redis://127.0.0.1:" + std::to_string(server().port()), connect);
    auto c = streamer.create_consumer(
        {key}, options(ConsumerMode::real_time, AutoCommit::delayed, AutoStreamReset::latest, ""));
    server().cli({"XADD", key, "*", "msg", std::string(4096, 'x')});
    std::error_code ec;
    EXPECT_FALSE(c.next_for(5s, ec));
    EXPECT_EQ(ec, condition::protocol) << ec.message();
    EXPECT_EQ(c.last_error(), ec);
    const auto reads = c.stats().reads;
    EXPECT_FALSE(c.next_for(300ms, ec));
    EXPECT_EQ(ec, condition::protocol) << "sticky";
    EXPECT_EQ(c.stats().reads, reads) << "kept reading after a protocol error";
    streamer.disconnect();
}

// A consumer reads over a connection of its own: when that one cannot be
// made (here the server takes no more clients), create_consumer() fails
// with the reason, even when no key needs a lookup first (earliest).
TEST_F(ConsumerErrors, CreateConsumerFailsWhenItsOwnConnectionCannotBeMade) {
    const auto key = unique_key();
    send(key, 1, "m");
    net::SyncClient admin(server().config());  // connected before the limit
    admin.connect();
    const auto info = std::string(admin.exec_one("INFO", "clients").root().str());
    const auto at = info.find("connected_clients:");
    ASSERT_NE(at, std::string::npos) << info;
    // The clients connected now, the Streamer's and admin among them, and no more.
    admin.exec_one("CONFIG", "SET", "maxclients",
                   info.substr(at + 18, info.find('\r', at) - at - 18));
    // Nothing to look up first: no shard scan, no start id (earliest).
    auto o = options(ConsumerMode::real_time, AutoCommit::delayed, AutoStreamReset::earliest, "");
    o.discover_shards = false;
    try {
        streamer_.create_consumer({key}, o);
        ADD_FAILURE() << "a consumer without a connection started";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("max number of clients"), std::string::npos)
            << e.what();
    }
    admin.exec_one("CONFIG", "SET", "maxclients", "10000");
}

TEST_F(ConsumerErrors, AnAckOfAnEntryClaimedByAnotherMemberIsCounted) {
    checks::ack_of_a_claimed_entry_is_counted(target());
}

}  // namespace
}  // namespace redstream
