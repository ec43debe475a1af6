// `redstream groups` against a throwaway server: the lag table over two keys
// (JSON), members, create and delete, and seek — a dry run changes nothing
// (XINFO GROUPS through the library's Admin, before and after) and the real
// seek moves every key exactly where the dry run said.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <redstream/redis/streamer.hpp>

#include "cli/admin_cli.hpp"
#include "support/target.hpp"

namespace rs = redstream;
using rs::test::AdminCli;
using rs::test::Direct;
using rs::test::Json;

namespace {

// Explicit ids, so that what a seek skips is known:
//   stream:   100-0 200-0 300-0 400-0 500-0   billing: alice read 100, 200
//   stream:1  150-0 250-0 600-0               billing: bob read 150
class CliAdminGroups : public ::testing::Test {
  protected:
    static rs::test::RedisServer& server() {
        static rs::test::RedisServer s;
        return s;
    }
    static void SetUpTestSuite() { server(); }

    void SetUp() override {
        for (const auto* id : {"100-0", "200-0", "300-0", "400-0", "500-0"})
            direct.run(stream, {"XADD", stream, id, "msg", id});
        for (const auto* id : {"150-0", "250-0", "600-0"})
            direct.run(shard, {"XADD", shard, id, "msg", id});
        for (const auto& key : {stream, shard})
            direct.run(key, {"XGROUP", "CREATE", key, "billing", "0"});
        read(stream, "alice", 2);
        read(shard, "bob", 1);
    }

    // XREADGROUP of `n` new entries; the first id read ("" if none).
    std::string read(const std::string& key, const std::string& member, int n) {
        const auto r = direct.run(key, {"XREADGROUP", "GROUP", "billing", member, "COUNT",
                                        std::to_string(n), "STREAMS", key, ">"});
        const auto root = r.root();
        if (root.is_null()) return "";
        // RESP3: {key: entries}; RESP2: [[key, entries]].
        const auto entries = root.type() == rs::resp::Type::map ? root[1] : root[0][1];
        return std::string(entries[0][0].str());
    }

    // The group as the library's Admin sees it on each key.
    std::vector<rs::GroupInfo> billing() {
        auto streamer = rs::Streamer::connect(tool.url());
        std::vector<rs::GroupInfo> out;
        for (const auto& k : streamer.admin().stream_info(stream).shards)
            for (const auto& g : k.groups)
                if (g.name == "billing") out.push_back(g);
        return out;
    }

    AdminCli tool{rs::test::standalone_target(server()).url};
    Direct direct{rs::test::standalone_target(server())};
    std::string stream = rs::test::test_stream();
    std::string shard = stream + ":1";
};

bool same(const std::vector<rs::GroupInfo>& a, const std::vector<rs::GroupInfo>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].name != b[i].name || a[i].consumers != b[i].consumers ||
            a[i].pending != b[i].pending || a[i].last_delivered_id != b[i].last_delivered_id ||
            a[i].lag != b[i].lag)
            return false;
    return true;
}

TEST_F(CliAdminGroups, LagTableAddsUpTheKeys) {
    const auto lines = tool.json({"groups", stream});
    ASSERT_EQ(lines.size(), 1u);
    const auto& g = lines[0];
    EXPECT_EQ(g["group"], "billing");
    EXPECT_EQ(g["lag"], 5) << "3 on the stream, 2 on its shard";
    EXPECT_EQ(g["pending"], 3);
    EXPECT_EQ(g["consumers"], 2);
    EXPECT_TRUE(g["oldest_pending_idle_ms"].is_number()) << g;
    EXPECT_EQ(g["last_delivered_id"], "200-0");
    EXPECT_FALSE(g.contains("keys"));

    const auto verbose = tool.json({"groups", "-v", stream});
    ASSERT_EQ(verbose.size(), 1u);
    const auto& keys = verbose[0]["keys"];
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_EQ(keys[0]["key"], stream);
    EXPECT_EQ(keys[0]["lag"], 3);
    EXPECT_EQ(keys[0]["pending"], 2);
    EXPECT_EQ(keys[0]["last_delivered_id"], "200-0");
    EXPECT_EQ(keys[1]["key"], shard);
    EXPECT_EQ(keys[1]["lag"], 2);
    EXPECT_EQ(keys[1]["pending"], 1);
    EXPECT_EQ(keys[1]["consumers"], 1);
    EXPECT_EQ(keys[1]["last_delivered_id"], "150-0");
}

TEST_F(CliAdminGroups, MembersOverEveryKey) {
    read(shard, "alice", 1);  // alice now has entries on both keys
    const auto lines = tool.json({"groups", "members", "-v", stream, "billing"});
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0]["member"], "alice");
    EXPECT_EQ(lines[0]["pending"], 3);
    EXPECT_EQ(lines[0]["keys"].size(), 2u);
    EXPECT_TRUE(lines[0]["idle_ms"].is_number());
    EXPECT_EQ(lines[1]["member"], "bob");
    EXPECT_EQ(lines[1]["pending"], 1);
}

TEST_F(CliAdminGroups, DryRunChangesNothing) {
    const auto before = billing();
    ASSERT_EQ(before.size(), 2u);
    for (const auto* to : {"beginning", "end", "450-0", "120", "-1h", "2000-01-01T00:00:00Z"}) {
        const auto lines =
            tool.json({"groups", "seek", stream, "billing", "--to", to, "--dry-run"});
        ASSERT_EQ(lines.size(), 3u) << to;
        EXPECT_EQ(lines[2]["dry_run"], true);
        EXPECT_EQ(lines[2]["changed"], 0);
        EXPECT_TRUE(same(billing(), before)) << "--to " << to;
    }
}

TEST_F(CliAdminGroups, DryRunSaysWhatEachKeyReDeliversOrSkips) {
    struct Case {
        const char* to;
        const char* next;
        std::uint64_t stream_redelivers, stream_skips, shard_redelivers, shard_skips;
    };
    const Case cases[] = {
        {"beginning", "0-0", 2, 0, 1, 0},                   // from the lag
        {"end", nullptr, 0, 3, 0, 2},                       // from the lag
        {"450-0", "449-18446744073709551615", 0, 2, 0, 1},  // counted: 300 400 | 250
        {"120", "119-18446744073709551615", 1, 0, 1, 0},    // counted: 200 | 150
    };
    for (const auto& c : cases) {
        const auto lines =
            tool.json({"groups", "seek", stream, "billing", "--to", c.to, "--dry-run"});
        ASSERT_EQ(lines.size(), 3u);
        EXPECT_EQ(lines[0]["current"], "200-0");
        EXPECT_EQ(lines[1]["current"], "150-0");
        EXPECT_EQ(lines[0]["new"], c.next ? c.next : "500-0") << c.to;
        EXPECT_EQ(lines[1]["new"], c.next ? c.next : "600-0") << c.to;
        EXPECT_EQ(lines[0]["redelivers"], c.stream_redelivers) << c.to;
        EXPECT_EQ(lines[0]["skips"], c.stream_skips) << c.to;
        EXPECT_EQ(lines[1]["redelivers"], c.shard_redelivers) << c.to;
        EXPECT_EQ(lines[1]["skips"], c.shard_skips) << c.to;
    }
}

TEST_F(CliAdminGroups, SeekDoesWhatTheDryRunSaid) {
    const std::vector<std::string> seek = {"groups", "seek", stream, "billing", "--to", "450-0"};
    auto dry = seek;
    dry.push_back("--dry-run");
    const auto planned = tool.json(dry);
    const auto done = tool.json(seek);
    ASSERT_EQ(planned.size(), 3u);
    ASSERT_EQ(done.size(), 3u);
    EXPECT_EQ(done[0], planned[0]);
    EXPECT_EQ(done[1], planned[1]);
    EXPECT_EQ(done[2]["dry_run"], false);
    EXPECT_EQ(done[2]["changed"], 2);
    const auto after = billing();
    ASSERT_EQ(after.size(), 2u);
    EXPECT_EQ(after[0].last_delivered_id.to_string(), planned[0]["new"]);
    EXPECT_EQ(after[1].last_delivered_id.to_string(), planned[1]["new"]);
    EXPECT_EQ(read(stream, "carol", 1), "500-0") << "300 and 400 skipped, as said";
    EXPECT_EQ(read(shard, "carol", 1), "600-0") << "250 skipped, as said";
}

TEST_F(CliAdminGroups, CreateAndDelete) {
    auto created = tool.json({"groups", "create", stream, "audit", "--from", "beginning"});
    ASSERT_EQ(created.size(), 1u);
    EXPECT_EQ(created[0]["created_on_keys"], 2);
    const auto audit = direct.group(shard, "audit");
    ASSERT_TRUE(audit);
    EXPECT_EQ(audit->last_delivered, rs::MessageId{});
    EXPECT_EQ(tool.json({"groups", "create", stream, "audit"})[0]["created_on_keys"], 0);

    const auto deleted = tool.json({"groups", "delete", stream, "audit"});
    ASSERT_EQ(deleted.size(), 1u);
    EXPECT_EQ(deleted[0]["deleted_on_keys"], 2);
    EXPECT_FALSE(direct.group(stream, "audit"));
    const auto again = tool.run({"groups", "delete", stream, "audit"});
    EXPECT_EQ(again.status, 1);
    EXPECT_NE(again.err.find("has group audit"), std::string::npos) << again.err;
}

TEST_F(CliAdminGroups, ErrorsAndBadArguments) {
    const auto before = billing();
    const auto missing = tool.run({"groups", stream + "-none"});
    EXPECT_EQ(missing.status, 1);
    EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
    const auto no_group = tool.run({"groups", "seek", stream, "nope", "--to", "end"});
    EXPECT_EQ(no_group.status, 1);
    rs::test::expect_usage_error(tool.run({"groups", "seek", stream, "billing", "--to", "soon"}),
                                 "--to");
    rs::test::expect_usage_error(tool.run({"groups", "seek", stream, "billing"}), "--to");
    rs::test::expect_usage_error(tool.run({"groups"}), "STREAM");
    rs::test::expect_usage_error(tool.run({"groups", "members", stream}), "GROUP");
    EXPECT_TRUE(same(billing(), before));
}

}  // namespace
