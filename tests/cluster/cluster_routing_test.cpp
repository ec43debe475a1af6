// A real 3-master, 3-replica cluster seen through redstream's own pieces: the
// slot map decoded from CLUSTER SLOTS as our client receives it, and the
// MOVED a node answers when asked for a key it does not serve.
#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <map>
#include <set>
#include <string>

#include <redstream/cluster/endpoint.hpp>
#include <redstream/cluster/redirect.hpp>
#include <redstream/cluster/slot.hpp>
#include <redstream/cluster/slot_map.hpp>
#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>

#include "cluster_env.hpp"

namespace rs = redstream;
namespace cluster = redstream::cluster;
using rs::test::shared_cluster;

namespace {

// CLUSTER SLOTS from node `i`, decoded.
cluster::SlotMap fetch_slot_map(std::size_t i, int protocol) {
    rs::net::SyncClient client(shared_cluster().config(i, protocol));
    client.connect();
    const auto reply = client.exec_one("CLUSTER", "SLOTS");
    std::error_code ec;
    auto map = cluster::SlotMap::from_cluster_slots(reply.root(), ec, "127.0.0.1");
    EXPECT_FALSE(ec) << ec.message();
    return map;
}

class ClusterSlots : public ::testing::TestWithParam<int> {};

TEST_P(ClusterSlots, CoverEverySlotWithThreeMastersOfOneReplicaEach) {
    const auto& c = shared_cluster();
    const auto map = fetch_slot_map(0, GetParam());

    EXPECT_TRUE(map.covers_all());
    EXPECT_EQ(map.covered_slots(), cluster::slot_count);
    EXPECT_EQ(map.nodes().size(), c.size());
    const auto masters = map.masters();
    ASSERT_EQ(masters.size(), 3u);

    // The masters are the ones the cluster itself names, each with one
    // replica that is another of our nodes.
    std::set<std::uint16_t> master_ports;
    for (const auto index : c.masters())
        master_ports.insert(c.node(index).port());
    std::set<std::string> seen;
    for (const auto* master : masters) {
        EXPECT_EQ(master->endpoint.host, "127.0.0.1");
        EXPECT_TRUE(master_ports.count(master->endpoint.port)) << master->name;
        EXPECT_EQ(master->id.size(), 40u);
        seen.insert(master->name);
    }
    // A master may serve several ranges (other tests move slots), with the
    // same replica for each.
    std::map<std::string, std::string> replica_of;
    for (const auto& range : map.ranges()) {
        const auto replicas = map.replicas_of(range.first);
        ASSERT_EQ(replicas.size(), 1u) << "slots " << range.first << "-" << range.last;
        EXPECT_FALSE(master_ports.count(replicas[0]->endpoint.port)) << replicas[0]->name;
        const auto& master = map.master_of(range.first)->name;
        const auto [it, added] = replica_of.emplace(master, replicas[0]->name);
        EXPECT_EQ(it->second, replicas[0]->name) << master << " has two replicas";
        if (added) {
            EXPECT_TRUE(seen.insert(replicas[0]->name).second) << "a node listed twice";
        }
    }
    EXPECT_EQ(seen.size(), c.size());
}

TEST_P(ClusterSlots, AgreeWithTheClusterOnEachMastersRange) {
    const auto& c = shared_cluster();
    const auto map = fetch_slot_map(c.size() - 1, GetParam());
    // The edges of redis-cli's even split, and the slots of a few keys.
    for (const std::uint16_t slot : std::initializer_list<std::uint16_t>{
             0, 5460, 5461, 10922, 10923, 16383, cluster::key_slot("a"),
             cluster::key_slot("{orders}:1")}) {
        const auto* master = map.master_of(slot);
        ASSERT_NE(master, nullptr) << slot;
        EXPECT_EQ(master->endpoint.port, c.node(c.master_of(slot)).port()) << "slot " << slot;
    }
}

INSTANTIATE_TEST_SUITE_P(Protocols, ClusterSlots, ::testing::Values(2, 3),
                         [](const auto& info) { return "resp" + std::to_string(info.param); });

// The error text a node answers `GET key` with.
std::string error_from(std::size_t node, const std::string& key) {
    rs::net::SyncClient client(shared_cluster().config(node));
    client.connect();
    const auto reply = client.exec_one("GET", key);
    EXPECT_TRUE(reply.root().is_error()) << "node " << node << " served " << key;
    return std::string(reply.root().str());
}

TEST(ClusterRedirect, WrongMasterAnswersMovedToTheSlotMapsOwner) {
    const auto& c = shared_cluster();
    const auto map = fetch_slot_map(0, 3);
    for (const std::string key : {"rs:moved:a", "rs:moved:b", "rs:moved:c", "{x}y"}) {
        const auto slot = cluster::key_slot(key);
        const auto* owner = map.master_of(slot);
        ASSERT_NE(owner, nullptr);
        for (const auto* other : map.masters()) {
            if (other == owner) continue;
            const auto text = error_from(c.index_of_port(other->endpoint.port), key);
            std::error_code ec;
            const auto redirect = cluster::parse_redirect(text, ec);
            ASSERT_TRUE(redirect) << text << ": " << ec.message();
            EXPECT_EQ(redirect->kind, cluster::RedirectKind::moved);
            EXPECT_EQ(redirect->slot, slot) << text;
            EXPECT_EQ(cluster::endpoint_name(redirect->target), owner->name) << text;
            EXPECT_TRUE(map.is_owner(slot, redirect->target));
        }
    }
}

TEST(ClusterRedirect, ReplicaWithoutReadonlyAnswersMovedToItsMaster) {
    const auto& c = shared_cluster();
    const auto map = fetch_slot_map(0, 3);
    const std::string key = "rs:replica:key";
    const auto slot = cluster::key_slot(key);
    const auto replicas = map.replicas_of(slot);
    ASSERT_EQ(replicas.size(), 1u);
    const auto text = error_from(c.index_of_port(replicas[0]->endpoint.port), key);
    const auto redirect = cluster::parse_redirect(text);
    ASSERT_TRUE(redirect) << text;
    EXPECT_EQ(redirect->kind, cluster::RedirectKind::moved);
    EXPECT_EQ(redirect->slot, slot);
    EXPECT_EQ(cluster::endpoint_name(redirect->target), map.master_of(slot)->name);
}

TEST(ClusterRedirect, OwnerServesTheKey) {
    const auto& c = shared_cluster();
    const auto map = fetch_slot_map(0, 3);
    const std::string key = "rs:owner:key";
    rs::net::SyncClient client(
        c.config(c.index_of_port(map.master_of(cluster::key_slot(key))->endpoint.port)));
    client.connect();
    EXPECT_FALSE(client.exec_one("SET", key, "v").root().is_error());
    EXPECT_EQ(client.exec_one("GET", key).root().str(), "v");
}

}  // namespace
