// `redstream pending` and `claim` against a throwaway server: entries over
// two keys with a summary, filters, claims by id (on every key where the id
// is pending) and of all of a member's entries; bad arguments.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/admin_cli.hpp"
#include "support/target.hpp"

namespace rs = redstream;
using rs::test::AdminCli;
using rs::test::Direct;

namespace {

// stream: 1-0 2-0 3-0, alice read 1-0 and 2-0; stream:1: 1-0 2-0, bob read
// both. So id 1-0 is pending on both keys.
class CliAdminPending : public ::testing::Test {
  protected:
    static rs::test::RedisServer& server() {
        static rs::test::RedisServer s;
        return s;
    }
    static void SetUpTestSuite() { server(); }

    void SetUp() override {
        for (const auto* id : {"1-0", "2-0", "3-0"})
            direct.run(stream, {"XADD", stream, id, "msg", id});
        for (const auto* id : {"1-0", "2-0"})
            direct.run(shard, {"XADD", shard, id, "msg", id});
        for (const auto& key : {stream, shard})
            direct.run(key, {"XGROUP", "CREATE", key, "g", "0"});
        direct.run(stream,
                   {"XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", stream, ">"});
        direct.run(shard, {"XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", shard, ">"});
    }

    // Owner of each pending entry of `key`, by id.
    std::vector<std::string> owners(const std::string& key) {
        std::vector<std::string> out;
        for (const auto& p : direct.pending_entries(key, "g"))
            out.push_back(p.id.to_string() + "=" + p.consumer);
        return out;
    }

    AdminCli tool{rs::test::standalone_target(server()).url};
    Direct direct{rs::test::standalone_target(server())};
    std::string stream = rs::test::test_stream();
    std::string shard = stream + ":1";
};

TEST_F(CliAdminPending, ListsEntriesOfEveryKeyAndASummary) {
    const auto lines = tool.json({"pending", stream, "g"});
    ASSERT_EQ(lines.size(), 5u);
    const std::vector<std::pair<std::string, std::string>> want = {
        {stream, "1-0"}, {shard, "1-0"}, {stream, "2-0"}, {shard, "2-0"}};
    for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(lines[i]["key"], want[i].first) << i;
        EXPECT_EQ(lines[i]["id"], want[i].second) << i;
        EXPECT_EQ(lines[i]["member"], lines[i]["key"] == stream ? "alice" : "bob") << i;
        EXPECT_EQ(lines[i]["deliveries"], 1);
        EXPECT_TRUE(lines[i]["idle_ms"].is_number());
    }
    const auto& summary = lines[4];
    EXPECT_EQ(summary["pending"], 4);
    EXPECT_EQ(summary["keys"], 2);
    EXPECT_EQ(summary["listed"], 4);
    ASSERT_EQ(summary["members"].size(), 2u);
    EXPECT_EQ(summary["members"][0]["member"], "alice");
    EXPECT_EQ(summary["members"][0]["pending"], 2);
    EXPECT_EQ(summary["members"][1]["member"], "bob");
}

TEST_F(CliAdminPending, Filters) {
    const auto bob = tool.json({"pending", stream, "g", "--member", "bob"});
    ASSERT_EQ(bob.size(), 3u);
    EXPECT_EQ(bob[0]["member"], "bob");
    EXPECT_EQ(bob[1]["member"], "bob");
    EXPECT_EQ(bob[2]["listed"], 2);
    EXPECT_EQ(bob[2]["pending"], 4) << "the summary is the group's";
    const auto one = tool.json({"pending", stream, "g", "--count", "1"});
    ASSERT_EQ(one.size(), 2u);
    EXPECT_EQ(one[0]["id"], "1-0");
    const auto idle = tool.json({"pending", stream, "g", "--min-idle", "1h"});
    ASSERT_EQ(idle.size(), 1u);
    EXPECT_EQ(idle[0]["listed"], 0);
}

TEST_F(CliAdminPending, ClaimsAnIdOnEveryKeyWhereItIsPending) {
    const auto lines =
        tool.json({"claim", stream, "g", "--member", "carol", "--min-idle", "0", "1-0"});
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[2]["claimed"], 2);
    EXPECT_EQ(lines[2]["asked"], 1);
    EXPECT_EQ(owners(stream), (std::vector<std::string>{"1-0=carol", "2-0=alice"}));
    EXPECT_EQ(owners(shard), (std::vector<std::string>{"1-0=carol", "2-0=bob"}));
    for (const auto& p : direct.pending_entries(stream, "g"))
        EXPECT_EQ(p.deliveries, 1u) << "JUSTID: deliveries unchanged";
}

TEST_F(CliAdminPending, ClaimsAllOfAMembersEntries) {
    const auto none = tool.json(
        {"claim", stream, "g", "--member", "carol", "--min-idle", "1h", "--all-from", "bob"});
    ASSERT_EQ(none.size(), 1u);
    EXPECT_EQ(none[0]["claimed"], 0);
    const auto lines = tool.json(
        {"claim", stream, "g", "--member", "carol", "--min-idle", "0", "--all-from", "bob"});
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0]["key"], shard);
    EXPECT_EQ(lines[0]["member"], "carol");
    EXPECT_EQ(lines[2]["claimed"], 2);
    EXPECT_EQ(owners(shard), (std::vector<std::string>{"1-0=carol", "2-0=carol"}));
    EXPECT_EQ(owners(stream), (std::vector<std::string>{"1-0=alice", "2-0=alice"}));
}

TEST_F(CliAdminPending, BadArguments) {
    using rs::test::expect_usage_error;
    expect_usage_error(tool.run({"claim", stream, "g", "--member", "c", "--min-idle", "0"}),
                       "--all-from");
    expect_usage_error(tool.run({"claim", stream, "g", "--member", "c", "--min-idle", "0", "1-0",
                                 "--all-from", "bob"}),
                       "--all-from");
    expect_usage_error(tool.run({"claim", stream, "g", "--member", "c", "--min-idle", "0", "x"}),
                       "bad id");
    expect_usage_error(tool.run({"claim", stream, "g", "--min-idle", "0", "1-0"}), "--member");
    expect_usage_error(
        tool.run({"claim", stream, "g", "--member", "c", "--min-idle", "soon", "1-0"}),
        "--min-idle");
    expect_usage_error(tool.run({"pending", stream}), "GROUP");
    expect_usage_error(tool.run({"pending", stream, "g", "--count", "0"}), "--count");
    EXPECT_EQ(owners(stream), (std::vector<std::string>{"1-0=alice", "2-0=alice"}));
    const auto no_group = tool.run({"pending", stream, "nope"});
    EXPECT_EQ(no_group.status, 1);
    EXPECT_NE(no_group.err.find("nope"), std::string::npos) << no_group.err;
}

}  // namespace
