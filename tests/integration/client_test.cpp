// The connection against a real redis-server: handshake variants, pipelining,
// deadlines, cancellation, reconnection, and every kind of completion token.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#if defined(ASIO_HAS_CO_AWAIT)  // g++; Asio does not enable coroutines for clang 14 + libstdc++
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>
#endif

#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>

#include "support/eventually.hpp"
#include "support/redis_server.hpp"

namespace rs = redstream;
using namespace std::chrono_literals;
using rs::test::eventually;
using rs::test::RedisServer;
using rs::test::unique_key;

namespace {

// Runs handlers until `done` holds: the client's own timers keep the context
// busy, so run() would not return.
template <class Pred>
bool run_until(asio::io_context& io, Pred done, std::chrono::seconds limit = 20s) {
    io.restart();
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end)
        io.run_one_for(100ms);
    return done();
}

class ClientTest : public ::testing::TestWithParam<int> {
  protected:
    static RedisServer& server() {
        static RedisServer s;
        return s;
    }
    rs::net::ConnectionConfig config() const { return server().config(GetParam()); }
};

TEST_P(ClientTest, NegotiatesTheRequestedProtocol) {
    rs::net::SyncClient c(config());
    c.connect();
    EXPECT_EQ(c.async_client().protocol(), GetParam());
    EXPECT_EQ(c.exec_one("PING").root().str(), "PONG");
    auto hello = c.exec_one("HELLO");  // without a version: reports the current one
    ASSERT_TRUE(hello.root().is_aggregate());
}

TEST_P(ClientTest, ManyRequestsInFlightAreMatchedInOrder) {
    asio::io_context io;
    rs::net::Client client(io.get_executor(), config());
    std::optional<std::error_code> connect_ec;
    client.async_connect([&](std::error_code ec) { connect_ec = ec; });
    ASSERT_TRUE(run_until(io, [&] { return connect_ec.has_value(); }));
    ASSERT_FALSE(*connect_ec) << connect_ec->message();

    const auto key = unique_key("counter");
    constexpr int n = 20000;
    std::vector<rs::resp::Request> requests(n);
    std::vector<rs::net::Response> responses(n);
    int completed = 0;
    for (int i = 0; i < n; ++i) {
        requests[i].push("INCR", key);
        client.async_exec(requests[i], responses[i], [&](std::error_code ec) {
            EXPECT_FALSE(ec);
            ++completed;
        });
    }
    ASSERT_TRUE(run_until(io, [&] { return completed == n; }));
    for (int i = 0; i < n; ++i)
        ASSERT_EQ(responses[i].at(0).root().to_int(), i + 1);
    client.close();
}

TEST_P(ClientTest, OneRequestWithManyCommandsGetsAllReplies) {
    rs::net::SyncClient c(config());
    c.connect();
    const auto key = unique_key("list");
    rs::resp::Request req;
    for (int i = 0; i < 1000; ++i)
        req.push("RPUSH", key, i);
    req.push("LRANGE", key, 0, -1);
    auto resp = c.exec(req);
    ASSERT_EQ(resp.size(), 1001u);
    EXPECT_EQ(resp[999].root().to_int(), 1000);
    auto all = resp[1000].root();
    ASSERT_EQ(all.size(), 1000u);
    EXPECT_EQ(all[999].str(), "999");
}

TEST_P(ClientTest, ServerErrorsArriveAsRepliesWithTheirCode) {
    rs::net::SyncClient c(config());
    c.connect();
    const auto key = unique_key("str");
    c.exec_one("SET", key, "x");
    auto reply = c.exec_one("XADD", key, "*", "f", "v");
    EXPECT_TRUE(reply.root().is_error());
    EXPECT_EQ(rs::resp::error_of(reply.root()), rs::errc::wrongtype);
    EXPECT_TRUE(reply.root().str().starts_with("WRONGTYPE"));
    EXPECT_EQ(c.exec_one("PING").root().str(), "PONG");  // connection unaffected
}

TEST_P(ClientTest, DeadlineFailsTheRequestAndLaterRepliesStayMatched) {
    rs::net::SyncClient c(config());
    c.connect();
    const auto key = unique_key("blocked");
    rs::resp::Request slow;
    slow.push("BLPOP", key, "0.3");  // blocks the connection for 300 ms
    std::error_code ec;
    c.exec(slow, ec, {.timeout = 50ms});
    EXPECT_EQ(ec, rs::errc::timeout);
    EXPECT_EQ(ec, rs::condition::timeout);
    // The abandoned BLPOP reply (nil) must be dropped, not handed to this one.
    EXPECT_EQ(c.exec_one("ECHO", "after").root().str(), "after");
}

TEST_P(ClientTest, CancellationSlotCancelsARequest) {
    asio::io_context io;
    rs::net::Client client(io.get_executor(), config());
    bool connected = false;
    client.async_connect([&](std::error_code ec) { connected = !ec; });
    ASSERT_TRUE(run_until(io, [&] { return connected; }));
    const auto key = unique_key("blocked");
    rs::resp::Request slow, next;
    slow.push("BLPOP", key, "0.3");
    next.push("ECHO", "next");
    rs::net::Response slow_resp, next_resp;
    asio::cancellation_signal signal;
    std::optional<std::error_code> slow_ec, next_ec;
    client.async_exec(
        slow, slow_resp,
        asio::bind_cancellation_slot(signal.slot(), [&](std::error_code ec) { slow_ec = ec; }));
    client.async_exec(next, next_resp, [&](std::error_code ec) { next_ec = ec; });
    io.restart();
    io.poll();
    signal.emit(asio::cancellation_type::terminal);
    ASSERT_TRUE(run_until(io, [&] { return slow_ec && next_ec; }));
    EXPECT_EQ(*slow_ec, rs::errc::cancelled);
    // The cancelled request was written: its reply would still come, so the
    // connection is dropped rather than read on. What was written behind it
    // fails retryably; the client reconnects and serves the next request.
    EXPECT_EQ(*next_ec, rs::errc::connection_lost);
    std::optional<std::error_code> after_ec;
    client.async_exec(next, next_resp, [&](std::error_code ec) { after_ec = ec; });
    ASSERT_TRUE(run_until(io, [&] { return after_ec.has_value(); }));
    ASSERT_FALSE(*after_ec);
    EXPECT_EQ(next_resp.at(0).root().str(), "next");
    client.close();
}

TEST_P(ClientTest, CancellingAnUnwrittenRequestLeavesTheConnectionAlone) {
    asio::io_context io;
    rs::net::Client client(io.get_executor(), config());
    bool connected = false;
    client.async_connect([&](std::error_code ec) { connected = !ec; });
    ASSERT_TRUE(run_until(io, [&] { return connected; }));
    rs::resp::Request req;
    req.push("ECHO", "kept");
    rs::net::Response resp, cancelled_resp;
    asio::cancellation_signal signal;
    std::optional<std::error_code> first_ec, cancelled_ec;
    client.async_exec(req, resp, [&](std::error_code ec) { first_ec = ec; });
    client.async_exec(req, cancelled_resp,
                      asio::bind_cancellation_slot(signal.slot(),
                                                   [&](std::error_code ec) { cancelled_ec = ec; }));
    // Both are queued on the strand, not yet run: cancel the second before
    // any write can take it.
    signal.emit(asio::cancellation_type::terminal);
    ASSERT_TRUE(run_until(io, [&] { return first_ec && cancelled_ec; }));
    EXPECT_EQ(*cancelled_ec, rs::errc::cancelled);
    ASSERT_FALSE(*first_ec);
    EXPECT_EQ(resp.at(0).root().str(), "kept");
    EXPECT_TRUE(client.connected());
    client.close();
}

TEST_P(ClientTest, FutureAndAwaitableTokensWork) {
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::thread t([&] { io.run(); });
    rs::net::Client client(io.get_executor(), config());
    client.async_connect(asio::use_future).get();
    rs::resp::Request req;
    req.push("ECHO", "hi");
    rs::net::Response resp;
    client.async_exec(req, resp, asio::use_future).get();
    EXPECT_EQ(resp.at(0).root().str(), "hi");

#if defined(ASIO_HAS_CO_AWAIT)
    std::promise<std::string> result;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            rs::resp::Request r;
            r.push("ECHO", "co");
            rs::net::Response out;
            co_await client.async_exec(r, out, asio::use_awaitable);
            result.set_value(std::string(out.at(0).root().str()));
        },
        asio::detached);
    EXPECT_EQ(result.get_future().get(), "co");
#endif
    client.close();
    work.reset();
    t.join();
}

TEST_P(ClientTest, SelectsTheDatabaseAndNamesTheConnection) {
    auto cfg = config();
    cfg.db = 3;
    cfg.client_name = "redstream-test";
    rs::net::SyncClient c(cfg);
    c.connect();
    const auto key = unique_key("db3");
    c.exec_one("SET", key, "here");
    EXPECT_EQ(server().cli({"-n", "3", "GET", key}), "here");
    EXPECT_EQ(server().cli({"-n", "0", "EXISTS", key}), "0");
    EXPECT_EQ(c.exec_one("CLIENT", "GETNAME").root().str(), "redstream-test");
}

TEST_P(ClientTest, KilledConnectionFailsInFlightRequestAndReconnects) {
    auto cfg = config();
    cfg.client_name = "victim";
    cfg.reconnect.initial_delay = 10ms;
    rs::net::SyncClient c(cfg);
    c.connect();
    const auto key = unique_key("list");
    rs::resp::Request blocked;
    blocked.push("BLPOP", key, "10");
    auto fut = std::async(std::launch::async, [&] {
        std::error_code ec;
        c.exec(blocked, ec);
        return ec;
    });
    ASSERT_TRUE(eventually([&] {
        return server().cli({"CLIENT", "LIST"}).find("cmd=blpop") != std::string::npos;
    }));
    const auto before = c.async_client().stats();
    EXPECT_GE(before.pending, 1u) << "the BLPOP waits for its reply";
    EXPECT_EQ(before.reconnects, 0u);
    EXPECT_GT(before.bytes_out, 0u);
    EXPECT_GT(before.bytes_in, 0u);  // the handshake's replies
    server().cli({"CLIENT", "KILL", "SKIPME", "no", "TYPE", "normal"});
    const auto ec = fut.get();
    EXPECT_EQ(ec, rs::errc::connection_lost);
    EXPECT_EQ(ec, rs::condition::retryable);
    // A queued request waits for the new connection; the lost one is not replayed.
    EXPECT_EQ(c.exec_one("ECHO", "back").root().str(), "back");
    EXPECT_EQ(c.exec_one("CLIENT", "GETNAME").root().str(), "victim");
    server().cli({"RPUSH", key, "x"});
    EXPECT_EQ(c.exec_one("LLEN", key).root().to_int(), 1);  // BLPOP did not run again
    const auto after = c.async_client().stats();
    EXPECT_EQ(after.reconnects, 1u);
    EXPECT_EQ(after.pending, 0u);
    EXPECT_GT(after.bytes_out, before.bytes_out);
    EXPECT_GT(after.bytes_in, before.bytes_in);
}

TEST_P(ClientTest, FailFastRequestsWhileDisconnected) {
    RedisServer own;
    auto cfg = own.config(GetParam());
    cfg.reconnect.initial_delay = 10ms;
    cfg.reconnect.max_delay = 50ms;
    rs::net::SyncClient c(cfg);
    c.connect();
    own.stop();
    ASSERT_TRUE(eventually([&] { return !c.async_client().connected(); }));
    rs::resp::Request fast(rs::resp::Request::Config{.fail_if_not_connected = true});
    fast.push("PING");
    std::error_code ec;
    c.exec(fast, ec);
    EXPECT_EQ(ec, rs::errc::not_connected);
    // A patient request waits through the outage and runs once the server is back.
    rs::resp::Request patient;
    patient.push("ECHO", "patient");
    auto fut = std::async(std::launch::async, [&] { return c.exec(patient); });
    own.start();
    EXPECT_EQ(fut.get().at(0).root().str(), "patient");
}

TEST_P(ClientTest, HealthCheckNoticesADeadServerAndRecovers) {
    RedisServer own;  // paused below: not to be shared
    auto cfg = own.config(GetParam());
    cfg.health_check_interval = 100ms;
    cfg.connect_timeout = 200ms;
    cfg.reconnect.initial_delay = 10ms;
    cfg.reconnect.max_delay = 50ms;
    rs::net::SyncClient c(cfg);
    c.connect();
    own.cli({"CLIENT", "PAUSE", "700", "ALL"});
    EXPECT_TRUE(eventually([&] { return !c.async_client().connected(); }, 3000ms));
    EXPECT_TRUE(eventually([&] { return c.async_client().connected(); }, 5000ms));
    EXPECT_EQ(c.exec_one("ECHO", "alive").root().str(), "alive");
}

TEST_P(ClientTest, NothingListeningIsConnectFailed) {
    auto cfg = config();
    {
        RedisServer gone;
        cfg.nodes = {{"127.0.0.1", gone.port()}};
    }  // stopped: its port now refuses connections
    rs::net::SyncClient c(cfg);
    std::error_code ec;
    c.connect(ec);
    EXPECT_EQ(ec, rs::errc::connect_failed);
    rs::resp::Request req;
    req.push("PING");
    c.exec(req, ec);
    EXPECT_EQ(ec, rs::errc::not_connected);
}

TEST_P(ClientTest, UnixSocket) {
    RedisServer own(rs::test::ServerOptions{.unix_socket = true});
    auto cfg = own.config(GetParam());
    cfg.transport = rs::Transport::unix_socket;
    cfg.socket_path = own.unix_path();
    rs::net::SyncClient c(cfg);
    c.connect();
    EXPECT_EQ(c.exec_one("ECHO", "via unix").root().str(), "via unix");
}

TEST_P(ClientTest, PasswordAuthAndWrongPassword) {
    RedisServer own(rs::test::ServerOptions{.requirepass = "s3cret-pw"});
    auto cfg = own.config(GetParam());
    {
        rs::net::SyncClient c(cfg);
        c.connect();
        EXPECT_EQ(c.exec_one("PING").root().str(), "PONG");
    }
    cfg.password = "wrong-pw";
    rs::net::SyncClient bad(cfg);
    try {
        bad.connect();
        FAIL() << "connected with a wrong password";
    } catch (const rs::Error& e) {
        EXPECT_EQ(e.code(), rs::condition::auth);
        EXPECT_EQ(std::string(e.what()).find("wrong-pw"), std::string::npos);
    }
    cfg.password.clear();
    rs::net::SyncClient none(cfg);
    std::error_code ec;
    none.connect(ec);
    // Both protocols learn it at connect: HELLO (RESP3) or the handshake's PING
    // (RESP2) is refused.
    EXPECT_EQ(ec, rs::errc::noauth);
    EXPECT_EQ(ec, rs::condition::auth);
}

TEST_P(ClientTest, AclUser) {
    RedisServer own(rs::test::ServerOptions{.acl_user = rs::test::AclUser{"app", "app-pw"}});
    auto cfg = own.config(GetParam());
    cfg.username = "app";
    cfg.password = "app-pw";
    rs::net::SyncClient c(cfg);
    c.connect();
    EXPECT_EQ(c.exec_one("ACL", "WHOAMI").root().str(), "app");
    cfg.password = "nope-pw";
    rs::net::SyncClient bad(cfg);
    std::error_code ec;
    bad.connect(ec);
    EXPECT_EQ(ec, rs::errc::wrongpass);
}

INSTANTIATE_TEST_SUITE_P(Resp, ClientTest, ::testing::Values(2, 3),
                         [](const auto& info) { return "resp" + std::to_string(info.param); });

}  // namespace
