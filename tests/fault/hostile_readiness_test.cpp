// A server that is still loading its dataset (issue 9 §5): connecting waits
// until it is ready, in both protocols, so that no LOADING error reaches the
// user; and a server that never gets ready fails the connect within
// connect_timeout.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>
#include <redstream/redis/streamer.hpp>

#include "fault/hostile_support.hpp"
#include "support/hostile_server.hpp"

namespace redstream::test {
namespace {

using namespace std::chrono_literals;
using hostile::bounded;
using hostile::since;
using hostile::Watchdog;

constexpr auto loading_time = 500ms;
constexpr auto forever = std::chrono::milliseconds::max();

// How the client negotiates: HELLO 3, HELLO 3 refused (an old server), or RESP2
// without HELLO.
enum class Handshake { resp3, hello_refused, resp2 };

std::string name_of(Handshake handshake) {
    switch (handshake) {
        case Handshake::resp3:
            return "Resp3";
        case Handshake::hello_refused:
            return "HelloRefused";
        case Handshake::resp2:
            return "Resp2";
    }
    return "Unknown";
}

// A server that answers like Redis while it loads its dataset, for `loading`
// after each connection is accepted: the commands Redis serves while loading
// (HELLO, AUTH, CLIENT, SELECT) as usual, every other one with LOADING.
void load_for(ScriptedServer& server, Handshake handshake, std::chrono::milliseconds loading) {
    server.on("*", [loading](const Command& cmd, const Session& session) -> std::optional<Action> {
        const auto name = cmd.name();
        if (name == "HELLO" || name == "AUTH" || name == "CLIENT" || name == "SELECT")
            return std::nullopt;
        if (session.age() >= loading) return std::nullopt;
        return Action::error("LOADING Redis is loading the dataset in memory");
    });
    if (handshake == Handshake::hello_refused)
        server.on("HELLO",
                  Action::error("ERR unknown command 'HELLO', with args beginning with: '3'"));
}

void PrintTo(Handshake handshake, std::ostream* out) {
    *out << name_of(handshake);
}

int protocol_of(Handshake handshake) {
    return handshake == Handshake::resp2 ? 2 : 3;
}

class HostileReadiness : public ::testing::TestWithParam<Handshake> {
  protected:
    ScriptedServer server_;
};

// Issue 9 §5: Streamer::connect waits out LOADING; the first send and consumer start succeed.
TEST_P(HostileReadiness, StreamerIsUsableOnceConnected) {
    Watchdog dog(40s);
    load_for(server_, GetParam(), loading_time);
    const auto url = server_.url() + "?protocol=" + std::to_string(protocol_of(GetParam()));
    const auto start = std::chrono::steady_clock::now();
    Streamer streamer;
    try {
        streamer = bounded(10s, "Streamer::connect", [&] { return Streamer::connect(url); });
    } catch (const Error& e) {
        FAIL() << "Streamer::connect failed: " << e.what();
    }
    EXPECT_LE(since(start), loading_time + 1s);

    auto producer = streamer.create_producer(StreamKey("orders"));
    const auto sent = producer.send("first");
    ASSERT_EQ(sent.wait_for(5s), std::future_status::ready);
    std::error_code ec;
    sent.get(ec);
    EXPECT_FALSE(ec) << "the first send after connect failed: " << ec.message();
    // The consumer's own connection: its start (XREVRANGE) must not see LOADING either.
    EXPECT_NO_THROW(bounded(10s, "create_consumer",
                            [&] { return streamer.create_consumer({StreamKey("orders")}); }));
}

// Issue 9 §5: net::SyncClient::connect waits out LOADING; the first command succeeds.
TEST_P(HostileReadiness, SyncClientIsUsableOnceConnected) {
    Watchdog dog(40s);
    load_for(server_, GetParam(), loading_time);
    net::SyncClient client(server_.config(protocol_of(GetParam())));
    const auto start = std::chrono::steady_clock::now();
    std::error_code ec;
    bounded(10s, "net::SyncClient::connect", [&] { client.connect(ec); });
    EXPECT_FALSE(ec) << ec.message() << ": " << client.async_client().last_error();
    EXPECT_LE(since(start), loading_time + 1s);
    if (ec) return;
    const auto reply = client.exec_one("XADD", "orders", "*", "msg", "first");
    EXPECT_FALSE(reply.root().is_error()) << reply.root().str();
}

// Issue 9 §5: a server that stays LOADING fails net::SyncClient::connect within connect_timeout.
TEST_P(HostileReadiness, SyncClientConnectToServerLoadingForeverEndsInTime) {
    Watchdog dog(40s);
    load_for(server_, GetParam(), forever);
    auto config = server_.config(protocol_of(GetParam()));
    config.connect_timeout = 1s;
    net::SyncClient client(config);
    const auto start = std::chrono::steady_clock::now();
    std::error_code ec;
    bounded(10s, "net::SyncClient::connect", [&] { client.connect(ec); });
    const auto elapsed = since(start);
    EXPECT_TRUE(ec == condition::timeout || ec == errc::loading)
        << (ec ? ec.message() : "connected to a server that is still loading");
    EXPECT_LE(elapsed, config.connect_timeout + 1s);
}

// Issue 9 §5: a server that stays LOADING fails Streamer::connect within connect_timeout.
TEST_P(HostileReadiness, StreamerConnectToServerLoadingForeverEndsInTime) {
    Watchdog dog(40s);
    load_for(server_, GetParam(), forever);
    ConnectOptions options;
    options.connection.protocol = protocol_of(GetParam());
    options.connection.connect_timeout = 1s;
    const auto start = std::chrono::steady_clock::now();
    std::error_code ec;
    bounded(10s, "Streamer::connect", [&] {
        try {
            Streamer::connect(server_.url(), options);
        } catch (const Error& e) {
            ec = e.code();
        }
    });
    const auto elapsed = since(start);
    EXPECT_TRUE(ec == condition::timeout || ec == errc::loading)
        << (ec ? ec.message() : "connected to a server that is still loading");
    EXPECT_LE(elapsed, options.connection.connect_timeout + 1s);
}

INSTANTIATE_TEST_SUITE_P(Handshakes, HostileReadiness,
                         ::testing::Values(Handshake::resp3, Handshake::hello_refused,
                                           Handshake::resp2),
                         [](const auto& info) { return name_of(info.param); });

}  // namespace
}  // namespace redstream::test
