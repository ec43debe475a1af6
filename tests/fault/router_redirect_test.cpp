// The router's decisions on each redirection, against scripted nodes that
// answer MOVED, ASK, TRYAGAIN or a dropped connection exactly when a test
// says: where each command goes next, how often, and what the caller gets.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <asio/io_context.hpp>

#include <redstream/cluster/router.hpp>
#include <redstream/cluster/slot.hpp>
#include <redstream/core/error.hpp>

#include "support/cluster_replies.hpp"
#include "support/eventually.hpp"
#include "support/hostile_server.hpp"
#include "support/process.hpp"

namespace rs = redstream;
namespace cluster = redstream::cluster;
using rs::test::Action;
using rs::test::all_slots_on;
using rs::test::Command;
using rs::test::redirect;
using rs::test::ScriptedServer;
using rs::test::Session;

namespace {

using namespace std::chrono_literals;

class RouterRedirect : public ::testing::Test {
  protected:
    RouterRedirect() : work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {
        a_.on("CLUSTER", Action::reply(all_slots_on(a_.port())));
        b_.on("CLUSTER", Action::reply(all_slots_on(b_.port())));
        connect({.retry_delay = std::chrono::milliseconds(10)});
    }
    // A router (replacing the one before) with these options, connected to A.
    void connect(cluster::RouterOptions options,
                 std::optional<std::chrono::milliseconds> request_timeout = std::nullopt) {
        auto config = a_.config();
        config.cluster = rs::net::ClusterMode::yes;
        if (request_timeout) config.request_timeout = *request_timeout;
        router_ = std::make_unique<cluster::Router>(io_.get_executor(), config, options);
        std::promise<std::error_code> p;
        router_->async_connect([&](std::error_code ec) { p.set_value(ec); });
        const auto ec = p.get_future().get();
        EXPECT_FALSE(ec) << ec.message();
    }
    ~RouterRedirect() override {
        router_.reset();
        work_.reset();
        thread_.join();
    }

    // GET `key` through the router: the error and the one reply.
    std::pair<std::error_code, std::string> get(std::string_view key,
                                                rs::net::ExecOptions opts = {}) {
        rs::resp::Request req;
        req.command("GET").key(key);
        rs::net::Response resp;
        std::promise<std::error_code> p;
        router_->async_exec(req, resp, opts, [&](std::error_code ec) { p.set_value(ec); });
        const auto ec = p.get_future().get();
        // After an error the replies are not set (they read as null).
        return {ec, ec ? std::string() : std::string(resp.at(0).root().str())};
    }

    ScriptedServer a_;  // the map's only node
    ScriptedServer b_;  // where redirections point
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::thread thread_;
    std::unique_ptr<cluster::Router> router_;
};

TEST_F(RouterRedirect, MovedGoesToTheNewOwnerAndStaysThere) {
    a_.on("GET", Action::error(redirect("MOVED", "k", b_.port())));
    b_.on("GET", Action::reply("$1\r\nv\r\n"));
    auto [ec, value] = get("k");
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(value, "v");
    std::tie(ec, value) = get("k");  // the map has it now: straight to B
    EXPECT_EQ(value, "v");
    EXPECT_EQ(a_.count("GET"), 1U);
    EXPECT_EQ(b_.count("GET"), 2U);
}

TEST_F(RouterRedirect, AskSendsAskingAndTheCommandOnceAndKeepsTheMap) {
    a_.on("GET", Action::error(redirect("ASK", "k", b_.port())));
    b_.on("ASKING", Action::reply("+OK\r\n"));
    b_.on("GET", Action::reply("$1\r\nv\r\n"));
    for (int round = 1; round <= 2; ++round) {
        const auto [ec, value] = get("k");
        EXPECT_FALSE(ec) << ec.message();
        EXPECT_EQ(value, "v");
        // Each time the owner is asked first: ASK does not move the slot.
        EXPECT_EQ(a_.count("GET"), static_cast<std::uint64_t>(round));
        EXPECT_EQ(b_.count("ASKING"), static_cast<std::uint64_t>(round));
        EXPECT_EQ(b_.count("GET"), static_cast<std::uint64_t>(round));
    }
    const auto order = b_.received();
    ASSERT_GE(order.size(), 2U);
    EXPECT_EQ(order[order.size() - 2], "ASKING");  // on the same connection, right before
    EXPECT_EQ(order.back(), "GET");
}

// A request that fails fast on a node that is down (a producer's batch) is
// written as it is when it all goes to one node; a command of it that is
// redirected still goes again on its own, and the replies stay in order.
TEST_F(RouterRedirect, ARequestWrittenAsItIsStillHasItsRedirectedCommandSentAgain) {
    auto gets = std::make_shared<std::atomic<int>>(0);
    const auto b_port = b_.port();
    a_.on("GET", [gets, b_port](const Command&, const Session&) -> std::optional<Action> {
        if (++*gets == 1) return Action::error(redirect("MOVED", "k", b_port));
        return Action::reply("$1\r\na\r\n");
    });
    b_.on("GET", Action::reply("$1\r\nb\r\n"));
    rs::resp::Request req({.fail_if_not_connected = true});
    req.command("GET").key("k");
    req.command("GET").key("k");
    rs::net::Response resp;
    std::promise<std::error_code> p;
    router_->async_exec(req, resp, [&](std::error_code ec) { p.set_value(ec); });
    const auto ec = p.get_future().get();
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_EQ(resp.size(), 2U);
    EXPECT_EQ(resp[0].root().str(), "b");
    EXPECT_EQ(resp[1].root().str(), "a");
    EXPECT_EQ(a_.count("GET"), 2U);
    EXPECT_EQ(b_.count("GET"), 1U);
}

TEST_F(RouterRedirect, RedirectionsStopAtTheBoundAndTheReplyIsHandedOver) {
    a_.on("GET", Action::error(redirect("MOVED", "k", a_.port())));  // a loop
    const auto [ec, value] = get("k");
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(value.starts_with("MOVED")) << value;
    EXPECT_EQ(a_.count("GET"), 1U + cluster::RouterOptions::default_max_redirects);
}

TEST_F(RouterRedirect, TryagainIsSentAgainAfterAWait) {
    auto gets = std::make_shared<std::atomic<int>>(0);
    a_.on("GET", [gets](const Command&, const Session&) -> std::optional<Action> {
        if (++*gets == 1) return Action::error("TRYAGAIN Multiple keys request during rehashing");
        return Action::reply("$1\r\nv\r\n");
    });
    const auto [ec, value] = get("k");
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(value, "v");
    EXPECT_EQ(a_.count("GET"), 2U);
}

// A cluster that cannot serve a slot for a while (a failover takes seconds)
// is waited for within the request's deadline, not just max_redirects times.
TEST_F(RouterRedirect, ClusterdownIsWaitedOutWithinTheDeadlinePastTheBound) {
    auto gets = std::make_shared<std::atomic<unsigned>>(0);
    constexpr unsigned down_for = cluster::RouterOptions::default_max_redirects + 3;
    a_.on("GET", [gets](const Command&, const Session&) -> std::optional<Action> {
        if (++*gets <= down_for) return Action::error("CLUSTERDOWN The cluster is down");
        return Action::reply("$1\r\nv\r\n");
    });
    const auto [ec, value] = get("k", {.timeout = std::chrono::seconds(5)});
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(value, "v");
    EXPECT_EQ(a_.count("GET"), down_for + 1);
}

// Without a deadline, nothing may wait forever: the bound ends the retries
// and the caller gets the reply.
TEST_F(RouterRedirect, WithoutADeadlineClusterdownStopsAtTheBound) {
    connect({.retry_delay = std::chrono::milliseconds(10)}, std::chrono::milliseconds(0));
    a_.on("GET", Action::error("CLUSTERDOWN The cluster is down"));
    const auto [ec, value] = get("k");
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(value.starts_with("CLUSTERDOWN")) << value;
    EXPECT_EQ(a_.count("GET"), 1U + cluster::RouterOptions::default_max_redirects);
}

// However many retries the bound allows, the request's deadline ends them.
TEST_F(RouterRedirect, RetriesStopAtTheRequestsDeadline) {
    connect({.max_redirects = 100'000, .retry_delay = std::chrono::milliseconds(10)});
    a_.on("GET", Action::error("TRYAGAIN Multiple keys request during rehashing"));
    const auto start = std::chrono::steady_clock::now();
    const auto [ec, value] = get("k", {.timeout = std::chrono::milliseconds(300)});
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(ec, rs::errc::timeout) << ec.message();
    EXPECT_LT(took, std::chrono::seconds(2));
    EXPECT_GT(a_.count("GET"), 2U) << "it was retried meanwhile";
}

TEST_F(RouterRedirect, ACommandWrittenToAConnectionThatDroppedIsNeverSentAgain) {
    a_.on("GET", Action::close());
    const auto [ec, value] = get("k");
    EXPECT_EQ(ec, rs::errc::connection_lost) << ec.message();
    EXPECT_EQ(a_.count("GET"), 1U);
    EXPECT_EQ(b_.count("GET"), 0U);
}

// Two nodes that redirect a slot to each other for a while (a reshard that
// tells the old owner first): from the second MOVED on the router waits
// retry_delay before asking again, so the bound outlasts the bouncing.
TEST_F(RouterRedirect, MovedBackAndForthWaitsInsteadOfSpendingTheBound) {
    connect({.retry_delay = std::chrono::milliseconds(30)});
    a_.on("GET", Action::error(redirect("MOVED", "k", b_.port())));
    const auto first = std::make_shared<std::atomic<std::int64_t>>(0);
    const auto a_port = a_.port();
    b_.on("GET", [first, a_port](const Command&, const Session&) -> std::optional<Action> {
        const auto now = std::chrono::steady_clock::now().time_since_epoch() / 1ms;
        std::int64_t none = 0;
        first->compare_exchange_strong(none, now);
        if (now - first->load() < 50) return Action::error(redirect("MOVED", "k", a_port));
        return Action::reply("$1\r\nv\r\n");
    });
    const auto [ec, value] = get("k");
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(value, "v");
}

// WAIT follows each node's commands; a command sent again elsewhere (MOVED)
// is counted by the WAIT of the node that ran it, not of the one that
// redirected it.
TEST_F(RouterRedirect, WaitCountsEachCommandOnTheNodeThatRanIt) {
    a_.on("GET", Action::error(redirect("MOVED", "k", b_.port())));
    a_.on("WAIT", Action::reply(":0\r\n"));
    b_.on("GET", Action::reply("$1\r\nv\r\n"));
    b_.on("WAIT", Action::reply(":1\r\n"));
    rs::resp::Request req;
    req.command("GET").key("k");
    rs::net::Response resp;
    std::vector<std::int64_t> acked;
    std::promise<std::error_code> p;
    router_->async_exec(req, resp, {},
                        cluster::WaitReplicas{1, std::chrono::milliseconds(100), &acked},
                        [&](std::error_code ec) { p.set_value(ec); });
    const auto ec = p.get_future().get();
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(resp.at(0).root().str(), "v");
    ASSERT_EQ(acked.size(), 1U);
    EXPECT_EQ(acked[0], 1);
    EXPECT_EQ(a_.count("WAIT"), 1U);
    EXPECT_EQ(b_.count("WAIT"), 1U);
}

// A node that cannot be reached wrote nothing: its commands wait
// retry_delay and go to whoever the map names then (here a replica that took
// over), within the request's deadline, not to the caller as an error.
TEST_F(RouterRedirect, CommandsForANodeThatIsDownGoWhereTheNextMapSays) {
    const auto dead = rs::test::find_free_port();  // nothing listens there
    auto refreshes = std::make_shared<std::atomic<int>>(0);
    const auto b_port = b_.port();
    a_.on("CLUSTER",
          [refreshes, dead, b_port](const Command&, const Session&) -> std::optional<Action> {
              return Action::reply(all_slots_on(++*refreshes == 1 ? dead : b_port));
          });
    b_.on("GET", Action::reply("$1\r\nv\r\n"));
    connect({.retry_delay = std::chrono::milliseconds(10)});
    const auto [ec, value] = get("k");
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(value, "v");
    EXPECT_EQ(b_.count("GET"), 1U);
    EXPECT_GE(refreshes->load(), 2) << "the dead node made the router ask again";
}

// A node the map no longer names keeps its connection while it is up, and
// loses it once it is down: it would be reconnected to forever.
TEST_F(RouterRedirect, AConnectionToANodeGoneFromTheMapGoesOnceItIsDown) {
    auto c = std::make_unique<ScriptedServer>();
    const auto c_name = "127.0.0.1:" + std::to_string(c->port());
    a_.on("GET", Action::error(redirect("MOVED", "k", c->port())));
    c->on("GET", Action::reply("$1\r\nv\r\n"));
    const auto [ec, value] = get("k");  // C gets a connection; A's map never names it
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_EQ(value, "v");
    const auto holds_c = [&] {
        const auto names = router_->connections();
        return std::find(names.begin(), names.end(), c_name) != names.end();
    };
    ASSERT_TRUE(a_.wait_for_count("CLUSTER", 2, 5s)) << "the MOVED refreshed the map";
    router_->report_stale_map();
    ASSERT_TRUE(a_.wait_for_count("CLUSTER", 3, 5s));
    EXPECT_TRUE(holds_c()) << "C is up: its connection stays";

    c.reset();  // C is gone: its connection drops, and reconnecting fails
    EXPECT_TRUE(rs::test::eventually([&] {
        router_->report_stale_map();  // a refresh looks at the connections again
        return !holds_c();
    })) << "the connection to C was kept";
    const auto names = router_->connections();
    EXPECT_NE(std::find(names.begin(), names.end(), "127.0.0.1:" + std::to_string(a_.port())),
              names.end());
}

}  // namespace
