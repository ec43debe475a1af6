// cluster::Router against a real cluster: seeds, a pipeline split by node and
// put back in order, and the redirections of a slot that moves (ASK while it
// migrates, MOVED once it has), followed without the caller seeing them.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <asio/detail/config.hpp>  // defines ASIO_HAS_CO_AWAIT
#include <asio/io_context.hpp>
#if defined(ASIO_HAS_CO_AWAIT)
#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#endif

#include <redstream/cluster/router.hpp>
#include <redstream/cluster/slot.hpp>
#include <redstream/core/error.hpp>

#include "cluster_env.hpp"
#include "support/eventually.hpp"

namespace rs = redstream;
namespace cluster = redstream::cluster;
using rs::test::RedisCluster;
using rs::test::shared_cluster;

namespace {

// A router on its own I/O thread, with blocking helpers for the tests.
class RouterHarness {
  public:
    explicit RouterHarness(const RedisCluster& c, std::vector<rs::HostPort> seeds = {})
        : work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {
        auto config = c.config(0);
        config.cluster = rs::net::ClusterMode::yes;
        config.nodes = seeds.empty() ? c.seeds() : std::move(seeds);
        router_ = std::make_unique<cluster::Router>(io_.get_executor(), config);
    }
    ~RouterHarness() {
        router_.reset();
        work_.reset();
        thread_.join();
    }
    cluster::Router& router() { return *router_; }
    std::error_code connect() {
        std::promise<std::error_code> p;
        router_->async_connect([&](std::error_code ec) { p.set_value(ec); });
        return p.get_future().get();
    }
    rs::net::Response exec(const rs::resp::Request& req, std::error_code& ec) {
        rs::net::Response resp;
        std::promise<std::error_code> p;
        router_->async_exec(req, resp, [&](std::error_code e) { p.set_value(e); });
        ec = p.get_future().get();
        return resp;
    }
    asio::io_context& io() { return io_; }

  private:
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::unique_ptr<cluster::Router> router_;
    std::thread thread_;
};

std::string key_number(int i) {
    return "router:key:" + std::to_string(i);
}

TEST(Router, SplitsAPipelineByNodeAndPutsTheRepliesBackInOrder) {
    const auto& c = shared_cluster();
    // A dead seed first: the next one is asked.
    auto seeds = c.seeds();
    seeds.insert(seeds.begin(), rs::HostPort{"127.0.0.1", 1});
    RouterHarness h(c, seeds);
    ASSERT_FALSE(h.connect());
    EXPECT_TRUE(h.router().slot_map().covers_all());

    constexpr int n = 300;
    rs::resp::Request req;
    for (int i = 0; i < n; ++i)
        req.command("SET").key(key_number(i)).arg("v" + std::to_string(i));
    req.push("PING");  // no key: any master
    for (int i = 0; i < n; ++i)
        req.command("GET").key(key_number(i));
    ASSERT_TRUE(req.multi_slot());
    std::error_code ec;
    const auto resp = h.exec(req, ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_EQ(resp.size(), 2U * n + 1);
    for (int i = 0; i < n; ++i) {
        EXPECT_EQ(resp[i].root().str(), "OK") << i;
        EXPECT_EQ(resp[n + 1 + i].root().str(), "v" + std::to_string(i)) << i;
    }
    EXPECT_EQ(resp[n].root().str(), "PONG");
    // Each key is on the master that serves its slot, as the cluster says.
    for (int i = 0; i < n; i += 37) {
        const auto key = key_number(i);
        EXPECT_EQ(c.cli(c.master_of(cluster::key_slot(key)), {"GET", key}),
                  "v" + std::to_string(i));
    }
}

TEST(Router, RefusesACommandWhoseKeysSpanSlots) {
    RouterHarness h(shared_cluster());
    ASSERT_FALSE(h.connect());
    rs::resp::Request req;
    req.command("MSET").key("router:a").arg("1").key("router:b").arg("2");
    ASSERT_NE(cluster::key_slot("router:a"), cluster::key_slot("router:b"));
    std::error_code ec;
    h.exec(req, ec);
    EXPECT_EQ(ec, rs::errc::crossslot);
}

TEST(Router, ConnectFailsWhenNoSeedAnswers) {
    RouterHarness h(shared_cluster(), {{"127.0.0.1", 1}, {"127.0.0.1", 2}});
    const auto ec = h.connect();
    EXPECT_EQ(ec, rs::errc::connect_failed) << ec.message();
    rs::resp::Request req;
    req.push("PING");
    std::error_code exec_ec;
    h.exec(req, exec_ec);
    EXPECT_EQ(exec_ec, rs::errc::not_connected);
}

#if defined(ASIO_HAS_CO_AWAIT)  // g++; Asio does not enable coroutines for clang 14 + libstdc++
TEST(Router, WorksWithUseAwaitable) {
    RouterHarness h(shared_cluster());
    std::promise<std::string> got;
    asio::co_spawn(
        h.io(),
        [&]() -> asio::awaitable<void> {
            co_await h.router().async_connect(asio::use_awaitable);
            rs::resp::Request req;
            req.command("SET").key("router:co").arg("x");
            req.command("GET").key("router:co");
            rs::net::Response resp;
            co_await h.router().async_exec(req, resp, asio::use_awaitable);
            got.set_value(std::string(resp.at(1).root().str()));
        },
        [&](std::exception_ptr e) {
            if (e) got.set_exception(e);
        });
    EXPECT_EQ(got.get_future().get(), "x");
}

// The WaitReplicas form too: each master of the shared cluster has one
// replica, so WAIT 1 counts it for the command.
TEST(Router, WaitReplicasWorksWithUseAwaitable) {
    RouterHarness h(shared_cluster());
    std::promise<std::vector<std::int64_t>> got;
    asio::co_spawn(
        h.io(),
        [&]() -> asio::awaitable<void> {
            co_await h.router().async_connect(asio::use_awaitable);
            rs::resp::Request req;
            req.command("SET").key("router:co:wait").arg("x");
            rs::net::Response resp;
            std::vector<std::int64_t> acked;
            co_await h.router().async_exec(
                req, resp, {}, cluster::WaitReplicas{1, std::chrono::seconds(5), &acked},
                asio::use_awaitable);
            got.set_value(acked);
        },
        [&](std::exception_ptr e) {
            if (e) got.set_exception(e);
        });
    EXPECT_EQ(got.get_future().get(), std::vector<std::int64_t>{1});
}
#endif

TEST(Router, FollowsAskWhileASlotMigratesAndMovedOnceItHasMoved) {
    RedisCluster c;  // its own: the test changes the topology
    RouterHarness h(c);
    ASSERT_FALSE(h.connect());
    const std::string key = "{router:moving}a";
    const std::string other = "{router:moving}b";  // same slot, written during the move
    const auto slot = cluster::key_slot(key);
    const auto old_owner = h.router().slot_map().master_of(slot)->name;
    rs::resp::Request set;
    set.command("SET").key(key).arg("before");
    std::error_code ec;
    h.exec(set, ec);
    ASSERT_FALSE(ec);

    c.move_slot(slot, {key}, [&] {
        // The old owner no longer has the key: ASK, then ASKING on the new one.
        rs::resp::Request req;
        req.command("GET").key(key);
        req.command("SET").key(other).arg("during");
        const auto resp = h.exec(req, ec);
        ASSERT_FALSE(ec) << ec.message();
        EXPECT_EQ(resp.at(0).root().str(), "before");
        EXPECT_EQ(resp.at(1).root().str(), "OK");
        // ASK leaves the map as it was.
        EXPECT_EQ(h.router().slot_map().master_of(slot)->name, old_owner);
    });

    const auto refreshes = h.router().refreshes();
    rs::resp::Request get;
    get.command("GET").key(key);
    get.command("GET").key(other);
    const auto resp = h.exec(get, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(resp.at(0).root().str(), "before");
    EXPECT_EQ(resp.at(1).root().str(), "during");
    const auto new_owner = h.router().slot_map().master_of(slot)->name;
    EXPECT_NE(new_owner, old_owner);
    EXPECT_EQ(new_owner, "127.0.0.1:" + std::to_string(c.node(c.master_of(slot)).port()));
    // The MOVED also asks for the whole map (once the rate limit allows).
    EXPECT_TRUE(rs::test::eventually([&] { return h.router().refreshes() > refreshes; }));
}

}  // namespace
