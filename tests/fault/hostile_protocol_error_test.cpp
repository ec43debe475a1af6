// Malformed replies reach Producer and Consumer users as what they are
// (issue 9 §5): a protocol-condition error that is not retryable, not a
// connection_lost that a retry loop would keep hitting.
#include <chrono>
#include <future>
#include <string>

#include <gtest/gtest.h>

#include <redstream/core/error.hpp>
#include <redstream/redis/streamer.hpp>

#include "fault/hostile_support.hpp"
#include "support/hostile_server.hpp"

namespace redstream::test {
namespace {

using namespace std::chrono_literals;
using hostile::bounded;
using hostile::Watchdog;

// A garbage reply is answered at once, so every outcome below comes in well
// under this (a retry loop would reconnect every 50-100 ms meanwhile).
constexpr auto outcome_within = 3s;

Streamer connect(const ScriptedServer& server) {
    return bounded(10s, "Streamer::connect", [&] { return Streamer::connect(server.url()); });
}

std::string describe(std::error_code ec) {
    return ec ? "'" + ec.message() + "' (" + std::to_string(ec.value()) + ")"
              : std::string("no error");
}

// Issue 9 §5: an XADD answered with garbage fails its send as a protocol error, not retryable.
TEST(HostileProtocolError, ProducerSendFailsAsProtocolError) {
    Watchdog dog(40s);
    ScriptedServer server;
    server.on("XADD", garbage());
    auto streamer = connect(server);
    auto producer = streamer.create_producer(StreamKey("orders"));
    const auto sent = producer.send("hello");
    ASSERT_EQ(sent.wait_for(outcome_within), std::future_status::ready)
        << "the send was neither confirmed nor failed within 3 s; XADDs sent: "
        << server.count("XADD");
    std::error_code ec;
    sent.get(ec);
    EXPECT_TRUE(ec == condition::protocol) << describe(ec);
    EXPECT_FALSE(ec == condition::retryable) << describe(ec);
}

// Issue 9 §5: a real-time XREAD answered with garbage fails next() as a protocol error.
TEST(HostileProtocolError, ConsumerNextFailsAsProtocolError) {
    Watchdog dog(40s);
    ScriptedServer server;
    server.on("XREAD", garbage());
    auto streamer = connect(server);
    auto consumer = streamer.create_consumer({StreamKey("orders")});
    std::error_code ec;
    const auto message = consumer.next_for(outcome_within, ec);
    EXPECT_FALSE(message.has_value());
    EXPECT_TRUE(ec == condition::protocol)
        << describe(ec) << " from next_for(3 s); XREADs sent meanwhile: " << server.count("XREAD")
        << " over " << server.accepted() << " connections";
    EXPECT_FALSE(ec == condition::retryable) << describe(ec);
}

// Issue 9 §5: the messages() loop ends on the protocol error and last_error() tells it.
TEST(HostileProtocolError, MessagesLoopEndsAndLastErrorSaysWhy) {
    Watchdog dog(40s);
    ScriptedServer server;
    server.on("XREAD", garbage());
    auto streamer = connect(server);
    auto consumer = streamer.create_consumer({StreamKey("orders")});
    auto loop = std::async(std::launch::async, [&consumer] {
        std::size_t delivered = 0;
        for (const Message& m : consumer.messages()) {
            (void)m;
            ++delivered;
        }
        return delivered;
    });
    if (loop.wait_for(outcome_within) != std::future_status::ready) {
        ADD_FAILURE() << "the messages() loop did not end within 3 s; XREADs sent: "
                      << server.count("XREAD") << " over " << server.accepted() << " connections";
        consumer.end();  // a waiting next() then fails with shutting_down
        bounded(5s, "the messages() loop after end()", [&loop] { return loop.get(); });
        return;
    }
    EXPECT_EQ(loop.get(), 0U);
    const auto ec = consumer.last_error();
    EXPECT_TRUE(ec == condition::protocol) << "last_error(): " << describe(ec);
    EXPECT_FALSE(ec == condition::retryable) << "last_error(): " << describe(ec);
}

// Issue 9 §5: a garbage answer to the start lookup (XREVRANGE) fails create_consumer as a protocol
// error.
TEST(HostileProtocolError, StartLookupFailsAsProtocolError) {
    Watchdog dog(40s);
    ScriptedServer server;
    server.on("XREVRANGE", garbage());
    auto streamer = connect(server);
    std::error_code ec;
    try {
        bounded(10s, "create_consumer", [&] {
            return streamer.create_consumer({StreamKey("orders")});  // latest: looks up the end
        });
        ADD_FAILURE() << "create_consumer succeeded";
    } catch (const Error& e) {
        ec = e.code();
        EXPECT_TRUE(ec == condition::protocol) << e.what();
        EXPECT_FALSE(ec == condition::retryable) << e.what();
    }
    EXPECT_GE(server.count("XREVRANGE"), 1U);
}

}  // namespace
}  // namespace redstream::test
