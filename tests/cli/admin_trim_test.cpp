// `redstream trim`, `delete` and `cluster slots` against a throwaway
// server: trims of every key by length, id and time; delete with --yes, on a
// terminal after asking, and refused without a terminal; a standalone
// server has no slot map; bad arguments.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/admin_cli.hpp"
#include "support/target.hpp"

namespace rs = redstream;
using rs::test::AdminCli;
using rs::test::Direct;
using rs::test::expect_usage_error;

namespace {

// stream: 100-0 .. 500-0; stream:1: 150-0 250-0 350-0.
class CliAdminTrim : public ::testing::Test {
  protected:
    static rs::test::RedisServer& server() {
        static rs::test::RedisServer s;
        return s;
    }
    static void SetUpTestSuite() { server(); }

    void SetUp() override {
        for (const auto* id : {"100-0", "200-0", "300-0", "400-0", "500-0"})
            direct.run(stream, {"XADD", stream, id, "msg", id});
        for (const auto* id : {"150-0", "250-0", "350-0"})
            direct.run(shard, {"XADD", shard, id, "msg", id});
    }

    std::string first_id(const std::string& key) {
        const auto entries = direct.xrange(key);
        return entries.empty() ? "" : entries.front().id.to_string();
    }

    AdminCli tool{rs::test::standalone_target(server()).url};
    Direct direct{rs::test::standalone_target(server())};
    std::string stream = rs::test::test_stream();
    std::string shard = stream + ":1";
};

TEST_F(CliAdminTrim, MaxlenAppliesToEachKey) {
    const auto lines = tool.json({"trim", stream, "--maxlen", "2"});
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]["evicted"], 4);
    EXPECT_EQ(direct.xlen(stream), 2u);
    EXPECT_EQ(direct.xlen(shard), 2u);
    EXPECT_EQ(first_id(stream), "400-0");
}

TEST_F(CliAdminTrim, MinidTakesAnIdOrATime) {
    EXPECT_EQ(tool.json({"trim", stream, "--minid", "300-0"})[0]["evicted"], 4)
        << "100 200 | 150 250";
    EXPECT_EQ(first_id(stream), "300-0");
    EXPECT_EQ(first_id(shard), "350-0");
    EXPECT_EQ(tool.json({"trim", stream, "--minid", "@450"})[0]["evicted"], 3) << "300 400 | 350";
    EXPECT_EQ(first_id(stream), "500-0");
    EXPECT_EQ(direct.xlen(shard), 0u);
}

TEST_F(CliAdminTrim, TrimArgumentsAreChecked) {
    expect_usage_error(tool.run({"trim", stream}), "--maxlen");
    expect_usage_error(tool.run({"trim", stream, "--maxlen", "1", "--minid", "1-0"}), "excludes");
    expect_usage_error(tool.run({"trim", stream, "--minid", "end"}), "--minid");
    expect_usage_error(tool.run({"trim", stream, "--maxlen", "many"}), "--maxlen");
    expect_usage_error(tool.run({"trim", "--maxlen", "1"}), "STREAM");
    EXPECT_EQ(direct.xlen(stream), 5u);
    EXPECT_EQ(direct.xlen(shard), 3u);
}

TEST_F(CliAdminTrim, DeleteWithYes) {
    const auto lines = tool.json({"delete", stream, "--yes"});
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]["deleted_keys"], 2);
    EXPECT_FALSE(direct.exists(stream));
    EXPECT_FALSE(direct.exists(shard));
    const auto again = tool.run({"delete", stream, "--yes"});
    EXPECT_EQ(again.status, 1);
    EXPECT_NE(again.err.find("does not exist"), std::string::npos) << again.err;
}

TEST_F(CliAdminTrim, DeleteWithoutATerminalNeedsYes) {
    expect_usage_error(tool.run({"delete", stream}, "y\n"), "--yes");
    EXPECT_TRUE(direct.exists(stream));
    EXPECT_TRUE(direct.exists(shard));
}

TEST_F(CliAdminTrim, DeleteOnATerminalAsksFirst) {
    const auto no = tool.on_terminal({"delete", stream}, "n\n");
    EXPECT_EQ(no.status, 1) << no.out;
    EXPECT_NE(no.out.find("2 key(s), 8 entries? [y/N]"), std::string::npos) << no.out;
    EXPECT_TRUE(direct.exists(stream));
    const auto yes = tool.on_terminal({"delete", stream}, "y\n");
    EXPECT_EQ(yes.status, 0) << yes.out;
    EXPECT_NE(yes.out.find("deleted stream " + stream + ": 2 key(s)"), std::string::npos)
        << yes.out;
    EXPECT_FALSE(direct.exists(stream));
    EXPECT_FALSE(direct.exists(shard));
}

TEST_F(CliAdminTrim, AStandaloneServerHasNoSlotMap) {
    const auto lines = tool.json({"cluster", "slots"});
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]["cluster"], false);
    const auto people = tool.on_terminal({"cluster", "slots"});
    EXPECT_EQ(people.status, 0);
    EXPECT_NE(people.out.find("not a cluster"), std::string::npos) << people.out;
    expect_usage_error(tool.run({"cluster"}), "subcommand");
}

}  // namespace
