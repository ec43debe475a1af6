// `redstream dlq` against a throwaway server, on dead letters a real group
// consumer wrote (max_deliveries 1, two keys): listed with their origin,
// replayed back byte for byte (binary values, every field in order) and
// counted, a dry run and a second replay changing nothing; --dead-key.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include <redstream/redis/streamer.hpp>

#include "cli/admin_cli.hpp"
#include "support/eventually.hpp"
#include "support/target.hpp"

namespace rs = redstream;
using rs::test::AdminCli;
using rs::test::Direct;
using rs::test::Json;
using namespace std::chrono_literals;

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

const std::string binary("\x00\xff poison\n", 10);

class CliAdminDlq : public ::testing::Test {
  protected:
    static rs::test::RedisServer& server() {
        static rs::test::RedisServer s;
        return s;
    }
    static void SetUpTestSuite() { server(); }

    // One entry per key, each read once by a member that never acks, then
    // read again by the next one, which dead-letters both.
    void SetUp() override {
        first_id = direct.xadd(stream, binary, {{"k1", "v1"}, {"k2", std::string("\x01\x02", 2)}});
        direct.xadd(shard, "shard entry");
        auto streamer = rs::Streamer::connect(tool.url());
        rs::ConsumerOptions o;
        o.mode = rs::ConsumerMode::resumable;
        o.auto_commit = rs::AutoCommit::disabled;
        o.auto_stream_reset = rs::AutoStreamReset::earliest;
        o.group = "billing";
        o.block_time = 100ms;
        o.max_deliveries = 1;
        {
            auto c = streamer.create_consumer({stream}, o);
            ASSERT_TRUE(c.next_for(5s));
            ASSERT_TRUE(c.next_for(5s));
        }
        auto c = streamer.create_consumer({stream}, o);
        ASSERT_TRUE(rs::test::eventually([&] {
            c.next_for(10ms);
            return direct.xlen(dead) == 1 && direct.xlen(shard_dead) == 1;
        }));
    }

    static Fields fields_of(const rs::test::Entry& e) { return e.fields; }

    AdminCli tool{rs::test::standalone_target(server()).url};
    Direct direct{rs::test::standalone_target(server())};
    std::string stream = rs::test::test_stream();
    std::string shard = stream + ":1";
    std::string dead = "{" + stream + "}:dead";
    std::string shard_dead = "{" + shard + "}:dead";
    rs::MessageId first_id{};
};

TEST_F(CliAdminDlq, ListsTheDeadLettersOfEveryKey) {
    const auto lines = tool.json({"dlq", stream});
    ASSERT_EQ(lines.size(), 2u);
    const auto& d = lines[0];
    EXPECT_EQ(d["dead_key"], dead);
    EXPECT_EQ(d["origin"], stream);
    EXPECT_EQ(d["group"], "billing");
    EXPECT_EQ(d["origin_id"], first_id.to_string());
    EXPECT_EQ(d["deliveries"], 2);
    ASSERT_TRUE(d["payload"].is_object()) << "not UTF-8: base64";
    EXPECT_EQ(d["payload"]["base64"], "AP8gcG9pc29uCg==");
    EXPECT_EQ(d["fields"]["k1"], "v1");
    EXPECT_FALSE(d["fields"].contains("dead_letter.origin"));
    EXPECT_EQ(lines[1]["dead_key"], shard_dead);
    EXPECT_EQ(lines[1]["origin"], shard);
    EXPECT_EQ(lines[1]["payload"], "shard entry");

    EXPECT_TRUE(tool.json({"dlq", stream, "--group", "other"}).empty());
    EXPECT_EQ(tool.json({"dlq", stream, "--count", "1"}).size(), 1u);
}

TEST_F(CliAdminDlq, ReplayMovesThemBackByteForByte) {
    const Fields original = {{"msg", binary}, {"k1", "v1"}, {"k2", std::string("\x01\x02", 2)}};
    ASSERT_EQ(fields_of(direct.xrange(stream).at(0)), original);

    const auto dry = tool.json({"dlq", stream, "--replay", "--dry-run"});
    ASSERT_EQ(dry.size(), 3u);
    EXPECT_EQ(dry[2]["would_move"], 2);
    EXPECT_EQ(dry[2]["moved"], 0);
    EXPECT_EQ(direct.xlen(dead), 1u);
    EXPECT_EQ(direct.xlen(stream), 1u);

    const auto lines = tool.json({"dlq", stream, "--replay"});
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0]["outcome"], "moved");
    EXPECT_EQ(lines[2]["moved"], 2);
    EXPECT_EQ(lines[2]["failed"], 0);
    EXPECT_EQ(direct.xlen(dead), 0u);
    EXPECT_EQ(direct.xlen(shard_dead), 0u);
    const auto back = direct.xrange(stream);
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(back[1].id.to_string(), lines[0]["new_id"]);
    EXPECT_EQ(fields_of(back[1]), original) << "every field, in order, no dead_letter.*";
    const auto shard_back = direct.xrange(shard);
    ASSERT_EQ(shard_back.size(), 2u);
    EXPECT_EQ(fields_of(shard_back[1]), fields_of(shard_back[0]));

    const auto again = tool.json({"dlq", stream, "--replay"});
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0]["moved"], 0);
    EXPECT_EQ(direct.xlen(stream), 2u) << "a second run adds nothing";
}

TEST_F(CliAdminDlq, ReplaysOneGroupFromAConfiguredKey) {
    const auto key = rs::test::test_stream("dead");
    direct.run(key,
               {"XADD", key, "*", "msg", "mine", "dead_letter.origin", stream, "dead_letter.group",
                "audit", "dead_letter.id", "1-0", "dead_letter.deliveries", "5"});
    direct.run(key, {"XADD", key, "*", "msg", "elsewhere", "dead_letter.origin", "other-stream",
                     "dead_letter.group", "audit", "dead_letter.id", "1-0",
                     "dead_letter.deliveries", "5"});
    const auto lines =
        tool.json({"dlq", stream, "--dead-key", key, "--replay", "--group", "audit"});
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[1]["moved"], 1);
    EXPECT_EQ(direct.xrange(stream).back().field("msg"), "mine");
    const auto left = direct.xrange(key);
    ASSERT_EQ(left.size(), 1u) << "another stream's dead letter stays";
    EXPECT_EQ(left[0].field("msg"), "elsewhere");
}

TEST_F(CliAdminDlq, BadArguments) {
    rs::test::expect_usage_error(tool.run({"dlq", stream, "--dry-run"}), "--replay");
    rs::test::expect_usage_error(tool.run({"dlq"}), "STREAM");
    EXPECT_EQ(direct.xlen(dead), 1u);
}

}  // namespace
