// A standalone server is a one-node router: everything goes to its one
// connection, and no slot map is asked for. A router told the server is a
// cluster node when it is not says so at connect.
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <thread>

#include <asio/io_context.hpp>

#include <redstream/cluster/router.hpp>
#include <redstream/core/error.hpp>

#include "support/redis_server.hpp"

namespace rs = redstream;
namespace cluster = redstream::cluster;

namespace {

class RouterStandalone : public ::testing::Test {
  protected:
    RouterStandalone() : work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
    ~RouterStandalone() override {
        router_.reset();
        work_.reset();
        thread_.join();
    }
    std::error_code connect(rs::net::ConnectionConfig config) {
        router_ = std::make_unique<cluster::Router>(io_.get_executor(), std::move(config));
        std::promise<std::error_code> p;
        router_->async_connect([&](std::error_code ec) { p.set_value(ec); });
        return p.get_future().get();
    }

    rs::test::RedisServer server_;
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::thread thread_;
    std::unique_ptr<cluster::Router> router_;
};

TEST_F(RouterStandalone, SendsEverythingToItsOneConnection) {
    ASSERT_FALSE(connect(server_.config()));
    EXPECT_FALSE(router_->is_cluster());
    rs::resp::Request req;  // keys in many slots: fine on one server
    req.command("SET").key("router:a").arg("1");
    req.command("SET").key("router:b").arg("2");
    req.command("MGET").key("router:a").key("router:b");
    ASSERT_TRUE(req.cross_slot());
    rs::net::Response resp;
    std::promise<std::error_code> p;
    router_->async_exec(req, resp, [&](std::error_code ec) { p.set_value(ec); });
    ASSERT_FALSE(p.get_future().get());
    ASSERT_EQ(resp.size(), 3U);
    EXPECT_EQ(resp[2].root()[1].str(), "2");
    EXPECT_EQ(router_->refreshes(), 0U);
    EXPECT_TRUE(router_->slot_map().empty());
    const auto a = router_->connection_for(0);
    ASSERT_TRUE(a);
    EXPECT_EQ(a, router_->connection_for(16383));
    EXPECT_TRUE(a->connected());
}

TEST_F(RouterStandalone, ClusterModeOnAServerWithoutClusterSupportFailsAtConnect) {
    auto config = server_.config();
    config.cluster = rs::net::ClusterMode::yes;
    const auto ec = connect(config);
    // "ERR This instance has cluster support disabled"
    EXPECT_EQ(ec, rs::errc::server_error) << ec.message();
}

}  // namespace
