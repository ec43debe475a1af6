// `redstream streams` against a throwaway server: every stream's keys added
// up (JSON), each key with -v, the table people see on a terminal; and the
// table printer itself.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/admin_cli.hpp"
#include "support/target.hpp"
#include "table.hpp"

namespace rs = redstream;
namespace cli = redstream::cli;
using rs::test::AdminCli;
using rs::test::Direct;
using rs::test::Json;

namespace {

class CliAdminStreams : public ::testing::Test {
  protected:
    static rs::test::RedisServer& server() {
        static rs::test::RedisServer s;
        return s;
    }
    static void SetUpTestSuite() { server(); }

    AdminCli tool{rs::test::standalone_target(server()).url};
    Direct direct{rs::test::standalone_target(server())};
};

std::uint64_t memory_of(Direct& direct, const std::string& key) {
    return static_cast<std::uint64_t>(
        direct.run(key, {"MEMORY", "USAGE", key}).root().to_int().value_or(-1));
}

TEST_F(CliAdminStreams, AddsUpEveryKeyOfAStream) {
    const auto stream = rs::test::test_stream();
    const auto shard = stream + ":1";
    const auto other = stream + "-other";
    for (const auto* id : {"100-0", "200-0", "300-0"})
        direct.run(stream, {"XADD", stream, id, "msg", id});
    for (const auto* id : {"150-0", "400-0"})
        direct.run(shard, {"XADD", shard, id, "msg", id});
    direct.xadd(other, "c");
    direct.run(stream, {"XGROUP", "CREATE", stream, "billing", "0"});

    const auto lines = tool.json({"streams", stream + "*"});
    ASSERT_EQ(lines.size(), 2u);
    const auto& s = lines[0];
    EXPECT_EQ(s["stream"], stream);
    EXPECT_EQ(s["shards"], 2);
    EXPECT_EQ(s["length"], 5);
    EXPECT_EQ(s["first_id"], "100-0");
    EXPECT_EQ(s["last_id"], "400-0");
    EXPECT_EQ(s["last_time"], "1970-01-01T00:00:00.400Z");
    EXPECT_EQ(s["groups"], Json::array({"billing"}));
    EXPECT_EQ(s["memory"], memory_of(direct, stream) + memory_of(direct, shard));
    EXPECT_FALSE(s.contains("keys")) << "keys with -v only";
    EXPECT_EQ(lines[1]["stream"], other);
    EXPECT_EQ(lines[1]["length"], 1);

    const auto verbose = tool.json({"streams", "-v", stream});
    ASSERT_EQ(verbose.size(), 1u);
    const auto& keys = verbose[0]["keys"];
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_EQ(keys[0]["key"], stream);
    EXPECT_EQ(keys[0]["length"], 3);
    EXPECT_EQ(keys[0]["groups"], Json::array({"billing"}));
    EXPECT_EQ(keys[1]["key"], shard);
    EXPECT_EQ(keys[1]["shard"], 1);
    EXPECT_EQ(keys[1]["first_id"], "150-0");
    EXPECT_EQ(keys[1]["last_id"], "400-0");
    EXPECT_EQ(keys[1]["memory"], memory_of(direct, shard));
}

TEST_F(CliAdminStreams, NoMatchIsNoLines) {
    EXPECT_TRUE(tool.json({"streams", rs::test::test_stream("none") + "*"}).empty());
}

TEST_F(CliAdminStreams, PeopleGetATable) {
    const auto stream = rs::test::test_stream();
    direct.xadd_many(stream, 2, "a");
    const auto r = tool.on_terminal({"streams", stream});
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    const auto header = r.out.substr(0, r.out.find('\n'));
    EXPECT_EQ(header.rfind("STREAM  ", 0), 0u) << r.out;
    std::size_t at = 0;
    for (const auto* column : {"SHARDS", "LENGTH", "FIRST ID", "FIRST TIME", "LAST ID", "LAST TIME",
                               "GROUPS", "MEMORY"}) {
        const auto p = header.find(column, at);
        EXPECT_NE(p, std::string::npos) << column << " in order in: " << header;
        if (p != std::string::npos) at = p;
    }
    const auto row = r.out.substr(header.size() + 1);
    EXPECT_EQ(row.rfind(stream + " ", 0), 0u) << r.out;
}

TEST(CliTable, AlignsColumnsByCodePoints) {
    cli::Table t({"NAME", "N"});
    t.align(1, cli::Table::Align::right);
    t.add_row({"caf\xc3\xa9", "5"});
    t.add_row({"ab", "100"});
    EXPECT_EQ(t.render(),
              "NAME    N\n"
              "caf\xc3\xa9    5\n"
              "ab    100\n");
}

TEST(CliTable, CellsArePrintable) {
    EXPECT_EQ(cli::printable("a\nb\t\x01"), "a\\nb\\t\\x01");
    EXPECT_EQ(cli::printable(std::string("\xff\xc3\xa9", 3)), "\\xff\xc3\xa9");
    EXPECT_EQ(cli::printable("abcdef", 3), "abc…");
    EXPECT_EQ(cli::printable("abc", 3), "abc");
}

TEST(CliTable, SizesAndDurationsForPeople) {
    EXPECT_EQ(cli::format_bytes(512), "512 B");
    EXPECT_EQ(cli::format_bytes(1536), "1.5 KiB");
    EXPECT_EQ(cli::format_bytes(20 * 1024 * 1024), "20 MiB");
    using std::chrono::milliseconds;
    EXPECT_EQ(cli::format_duration(milliseconds(350)), "350ms");
    EXPECT_EQ(cli::format_duration(milliseconds(12'345)), "12.3s");
    EXPECT_EQ(cli::format_duration(milliseconds(245'000)), "4m05s");
    EXPECT_EQ(cli::format_duration(milliseconds(7'800'000)), "2h10m");
    EXPECT_EQ(cli::format_duration(milliseconds(273'600'000)), "3d4h");
}

}  // namespace
