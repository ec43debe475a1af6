// A connection to a Redis Cluster node (`?cluster=yes`) refuses a command
// whose keys span hash slots before sending it (issue 10, routable
// requests): the server never sees it. Against a real one-node cluster.
#include <gtest/gtest.h>

#include <string>

#include <redstream/commands/xread.hpp>
#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>

#include "support/eventually.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"

namespace rs = redstream;
using namespace std::chrono_literals;
using rs::test::eventually;
using rs::test::RedisServer;

namespace {

// One node that serves every slot: a cluster of one. Its bus port is given:
// the default (port + 10000) does not exist for a free port above 55535.
RedisServer& cluster_node() {
    static RedisServer s(rs::test::ServerOptions{
        .extra_args = {"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                       "--cluster-port", std::to_string(rs::test::find_free_port())}});
    static const bool ready = [] {
        s.cli({"CLUSTER", "ADDSLOTSRANGE", "0", "16383"});
        return eventually(
            [] {
                return s.cli({"CLUSTER", "INFO"}).find("cluster_state:ok") != std::string::npos;
            },
            10s);
    }();
    EXPECT_TRUE(ready) << "the one-node cluster did not reach cluster_state:ok";
    return s;
}

// "rejected_calls=N" of XREAD in INFO commandstats: the calls the server
// refused (CROSSSLOT among them).
long rejected_xreads(RedisServer& s) {
    const auto info = s.cli({"INFO", "commandstats"});
    const auto at = info.find("cmdstat_xread:");
    if (at == std::string::npos) return 0;
    const auto field = info.find("rejected_calls=", at);
    return std::stol(info.substr(field + 15));
}

rs::resp::Request xread_of(const std::string& a, const std::string& b) {
    rs::resp::Request req;
    const rs::commands::StreamOffset offsets[] = {{a, rs::commands::StreamStart::beginning()},
                                                  {b, rs::commands::StreamStart::beginning()}};
    rs::commands::xread(req, offsets);
    return req;
}

}  // namespace

TEST(ClusterNode, CrossSlotCommandIsRefusedBeforeItIsSent) {
    auto& node = cluster_node();
    auto config = node.config();
    config.cluster = rs::net::ClusterMode::yes;
    rs::net::SyncClient client(config);
    client.connect();

    // "a" and "b" hash to slots 15495 and 3300.
    const long before = rejected_xreads(node);
    std::error_code ec;
    client.exec(xread_of("a", "b"), ec);
    EXPECT_EQ(ec, rs::errc::crossslot) << ec.message();
    EXPECT_EQ(rejected_xreads(node), before) << "the command reached the server";

    // Keys that share a hash tag are in one slot: sent, and answered.
    ec = {};
    const auto reply = client.exec(xread_of("{t}a", "{t}b"), ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(reply.at(0).root().is_null());  // nothing to read
}

TEST(ClusterNode, WithoutClusterModeTheServerSaysCrossSlot) {
    auto& node = cluster_node();
    rs::net::SyncClient client(node.config());  // cluster detect: a connection sends it as it is
    client.connect();

    const long before = rejected_xreads(node);
    const auto response = client.exec(xread_of("a", "b"));
    EXPECT_EQ(rs::resp::error_of(response.at(0).root()), rs::errc::crossslot);
    EXPECT_EQ(rejected_xreads(node), before + 1);
}

TEST(ClusterNode, UrlSetsClusterMode) {
    using rs::net::ClusterMode;
    using rs::net::ConnectionConfig;
    EXPECT_EQ(ConnectionConfig::from_url("redis://127.0.0.1:7000?cluster=yes").cluster,
              ClusterMode::yes);
    EXPECT_EQ(ConnectionConfig::from_url("redis://127.0.0.1:7000?cluster=no").cluster,
              ClusterMode::no);
    EXPECT_EQ(ConnectionConfig::from_url("redis://127.0.0.1:7000").cluster, ClusterMode::detect);
}
