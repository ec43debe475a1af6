// The administration commands of `redstream` on the shared 3+3 cluster: a
// stream whose keys sit on every master is added up across them (streams),
// its group's lag too (groups), a seek and a dead-letter replay reach each
// key on its own master, and cluster slots lists the three masters covering
// every slot. Each key is checked on the master that serves it.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "cli/admin_cli.hpp"
#include "cluster_env.hpp"
#include "support/target.hpp"

namespace rs = redstream;
using rs::test::AdminCli;
using rs::test::Direct;
using rs::test::shared_cluster;

namespace {

constexpr int shards = 4;

class ClusterCliAdmin : public ::testing::Test {
  protected:
    // A stream whose plain key and shards 1..3 sit on all three masters.
    void SetUp() override {
        for (int tries = 0; tries < 500; ++tries) {
            stream = rs::test::test_stream();
            keys = {stream};
            for (int i = 1; i < shards; ++i)
                keys.push_back(stream + ":" + std::to_string(i));
            if (rs::test::masters_serving(target, keys) == 3) return;
        }
        FAIL() << "no name spread over the three masters";
    }

    rs::test::Target target = rs::test::cluster_target(shared_cluster());
    AdminCli tool{shared_cluster().url()};
    Direct direct{target};
    std::string stream;
    std::vector<std::string> keys;
};

TEST_F(ClusterCliAdmin, StreamsAddsUpShardsAcrossMasters) {
    for (std::size_t i = 0; i < keys.size(); ++i)
        direct.xadd_many(keys[i], static_cast<int>(i) + 1, "m");
    const auto lines = tool.json({"streams", "-v", stream});
    ASSERT_EQ(lines.size(), 1u);
    const auto& s = lines[0];
    EXPECT_EQ(s["shards"], shards);
    EXPECT_EQ(s["length"], 1 + 2 + 3 + 4);
    ASSERT_EQ(s["keys"].size(), keys.size());
    std::set<std::string> nodes;
    std::uint64_t memory = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const auto& k = s["keys"][i];
        EXPECT_EQ(k["key"], keys[i]);
        EXPECT_EQ(k["length"], i + 1);
        EXPECT_EQ(k["node"], target.master_name(keys[i]));
        nodes.insert(k["node"].get<std::string>());
        const auto m = direct.run(keys[i], {"MEMORY", "USAGE", keys[i]}).root().to_int();
        ASSERT_TRUE(m);
        EXPECT_EQ(k["memory"], *m) << "asked on the key's own master";
        memory += static_cast<std::uint64_t>(*m);
    }
    EXPECT_EQ(nodes.size(), 3u);
    EXPECT_EQ(s["memory"], memory);
}

TEST_F(ClusterCliAdmin, GroupLagOverShards) {
    for (const auto& k : keys) {
        direct.xadd_many(k, 3, "m");
        direct.run(k, {"XGROUP", "CREATE", k, "billing", "0"});
        direct.run(k, {"XREADGROUP", "GROUP", "billing", "alice", "COUNT", "1", "STREAMS", k, ">"});
    }
    const auto lines = tool.json({"groups", "-v", stream});
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]["lag"], 2 * shards);
    EXPECT_EQ(lines[0]["pending"], shards);
    EXPECT_EQ(lines[0]["consumers"], 1) << "one member over every key";
    ASSERT_EQ(lines[0]["keys"].size(), keys.size());
    for (const auto& k : lines[0]["keys"]) {
        EXPECT_EQ(k["lag"], 2);
        EXPECT_EQ(k["pending"], 1);
    }

    const auto seek = tool.json({"groups", "seek", stream, "billing", "--to", "end"});
    ASSERT_EQ(seek.size(), keys.size() + 1);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        EXPECT_EQ(seek[i]["skips"], 2);
        const auto g = direct.group(keys[i], "billing");
        ASSERT_TRUE(g);
        EXPECT_EQ(g->last_delivered.to_string(), seek[i]["new"]) << keys[i];
    }
}

TEST_F(ClusterCliAdmin, DeadLettersGoBackToEachMaster) {
    for (const auto& k : keys) {
        const auto dead = "{" + k + "}:dead";
        direct.run(dead, {"XADD", dead, "*", "msg", "back to " + k, "dead_letter.origin", k,
                          "dead_letter.group", "billing", "dead_letter.id", "1-0",
                          "dead_letter.deliveries", "3"});
    }
    const auto lines = tool.json({"dlq", stream, "--replay"});
    ASSERT_EQ(lines.size(), keys.size() + 1);
    EXPECT_EQ(lines.back()["moved"], shards);
    for (const auto& k : keys) {
        const auto back = direct.xrange(k);
        ASSERT_EQ(back.size(), 1u) << k;
        EXPECT_EQ(back[0].field("msg"), "back to " + k);
        EXPECT_EQ(direct.xlen("{" + k + "}:dead"), 0u);
    }
}

TEST_F(ClusterCliAdmin, SlotsListsThreeMastersCoveringEverySlot) {
    const auto lines = tool.json({"cluster", "slots"});
    ASSERT_EQ(lines.size(), 3u);
    std::vector<bool> served(16384, false);
    std::uint64_t total = 0;
    for (const auto& m : lines) {
        EXPECT_EQ(m["role"], "master");
        EXPECT_EQ(m["replicas"].size(), 1u);
        EXPECT_EQ(m["id"].get<std::string>().size(), 40u);
        total += m["slot_count"].get<std::uint64_t>();
        for (const auto& r : m["slots"])
            for (auto s = r[0].get<unsigned>(); s <= r[1].get<unsigned>(); ++s) {
                EXPECT_FALSE(served.at(s)) << "slot " << s << " twice";
                served.at(s) = true;
            }
    }
    EXPECT_EQ(total, 16384u);
    EXPECT_EQ(std::count(served.begin(), served.end(), true), 16384);
}

}  // namespace
