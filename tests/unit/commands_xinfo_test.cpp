// XINFO decoders fed replies captured from redis-server 7.0 in RESP2 and RESP3.
#include <gtest/gtest.h>

#include <redstream/commands/xinfo.hpp>
#include <redstream/core/error.hpp>
#include <redstream/resp/reader.hpp>

#include "support/replies.hpp"

#include <string>

namespace redstream::commands {
namespace {

using namespace std::chrono_literals;
using test::parse_reply;

const std::error_code unexpected = make_error_code(errc::unexpected_reply);

const char* const stream_resp3 =
    "%10\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n"
    "$17\r\nlast-generated-id\r\n$3\r\n2-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-1\r\n"
    "$13\r\nentries-added\r\n:2\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-1\r\n"
    "$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    "$10\r\nlast-entry\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n";
const char* const stream_resp2 =
    "*20\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n"
    "$17\r\nlast-generated-id\r\n$3\r\n2-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-1\r\n"
    "$13\r\nentries-added\r\n:2\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-1\r\n"
    "$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    "$10\r\nlast-entry\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n";

class XInfoStreamShapes : public ::testing::TestWithParam<const char*> {};

TEST_P(XInfoStreamShapes, Decodes) {
    const auto reply = parse_reply(GetParam());
    std::error_code ec;
    const auto info = decode_xinfo_stream(reply.root(), ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(info.length, 1u);
    EXPECT_EQ(info.radix_tree_keys, 1u);
    EXPECT_EQ(info.radix_tree_nodes, 2u);
    EXPECT_EQ(info.last_generated_id, (MessageId{2, 1}));
    EXPECT_EQ(info.max_deleted_entry_id, (MessageId{1, 1}));
    EXPECT_EQ(info.entries_added, 2u);
    EXPECT_EQ(info.recorded_first_entry_id, (MessageId{2, 1}));
    EXPECT_EQ(info.groups, 1u);
    ASSERT_TRUE(info.first_entry);
    EXPECT_EQ(info.first_entry->id, (MessageId{2, 1}));
    EXPECT_EQ(info.first_entry->fields.find("c"), "3");
    ASSERT_TRUE(info.last_entry);
    EXPECT_EQ(info.last_entry->id, (MessageId{2, 1}));
}

INSTANTIATE_TEST_SUITE_P(Protocols, XInfoStreamShapes,
                         ::testing::Values(stream_resp2, stream_resp3));

TEST(XInfoStream, EmptyStreamHasNoEntries) {
    std::error_code ec;
    const auto info = decode_xinfo_stream(
        parse_reply(
            "%3\r\n$6\r\nlength\r\n:0\r\n$11\r\nfirst-entry\r\n_\r\n$10\r\nlast-entry\r\n_\r\n"
            "")
            .root(),
        ec);
    ASSERT_FALSE(ec);
    EXPECT_FALSE(info.first_entry);
    EXPECT_FALSE(info.last_entry);
}

TEST(XInfoStream, ErrorsAndShapes) {
    std::error_code ec;
    decode_xinfo_stream(parse_reply("-ERR no such key\r\n").root(), ec);
    EXPECT_EQ(ec, errc::server_error);
    decode_xinfo_stream(parse_reply("-WRONGTYPE x\r\n").root(), ec);
    EXPECT_EQ(ec, errc::wrongtype);
    for (const char* bad :
         {"*3\r\n$6\r\nlength\r\n:1\r\n$1\r\nx\r\n", ":1\r\n", "*2\r\n$6\r\nlength\r\n$1\r\nx\r\n",
          "*2\r\n:1\r\n:1\r\n", "%1\r\n$11\r\nfirst-entry\r\n:1\r\n",
          "%1\r\n$17\r\nlast-generated-id\r\n$1\r\nx\r\n"}) {
        decode_xinfo_stream(parse_reply(bad).root(), ec);
        EXPECT_EQ(ec, unexpected) << bad;
    }
    // Keys a newer server adds are ignored.
    const auto info = decode_xinfo_stream(
        parse_reply("%2\r\n$6\r\nlength\r\n:4\r\n$3\r\nnew\r\n#t\r\n").root(), ec);
    EXPECT_FALSE(ec);
    EXPECT_EQ(info.length, 4u);
}

const char* const full_resp3 =
    "%9\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n"
    "$17\r\nlast-generated-id\r\n$3\r\n2-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-1\r\n"
    "$13\r\nentries-added\r\n:2\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-1\r\n"
    "$7\r\nentries\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    "$6\r\ngroups\r\n*1\r\n%7\r\n$4\r\nname\r\n$1\r\ng\r\n$17\r\nlast-delivered-id\r\n$3\r\n2-1\r\n"
    "$12\r\nentries-read\r\n:2\r\n$3\r\nlag\r\n:0\r\n$9\r\npel-count\r\n:2\r\n"
    "$7\r\npending\r\n*2\r\n*4\r\n$3\r\n1-1\r\n$2\r\nc1\r\n:1795526905800\r\n:1\r\n"
    "*4\r\n$3\r\n2-1\r\n$2\r\nc1\r\n:1795526905941\r\n:2\r\n"
    "$9\r\nconsumers\r\n*1\r\n%4\r\n$4\r\nname\r\n$2\r\nc1\r\n$9\r\nseen-time\r\n:1795526905941\r\n"
    "$9\r\npel-count\r\n:2\r\n$7\r\npending\r\n*2\r\n*3\r\n$3\r\n1-1\r\n:1795526905800\r\n:1\r\n"
    "*3\r\n$3\r\n2-1\r\n:1795526905941\r\n:2\r\n";
const char* const full_resp2 =
    "*18\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n"
    "$17\r\nlast-generated-id\r\n$3\r\n2-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-1\r\n"
    "$13\r\nentries-added\r\n:2\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-1\r\n"
    "$7\r\nentries\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    "$6\r\ngroups\r\n*1\r\n*14\r\n$4\r\nname\r\n$1\r\ng\r\n$17\r\nlast-delivered-id\r\n$3\r\n2-"
    "1\r\n"
    "$12\r\nentries-read\r\n:2\r\n$3\r\nlag\r\n:0\r\n$9\r\npel-count\r\n:2\r\n"
    "$7\r\npending\r\n*2\r\n*4\r\n$3\r\n1-1\r\n$2\r\nc1\r\n:1795526905800\r\n:1\r\n"
    "*4\r\n$3\r\n2-1\r\n$2\r\nc1\r\n:1795526905941\r\n:2\r\n"
    "$9\r\nconsumers\r\n*1\r\n*8\r\n$4\r\nname\r\n$2\r\nc1\r\n$9\r\nseen-time\r\n:1795526905941\r\n"
    "$9\r\npel-count\r\n:2\r\n$7\r\npending\r\n*2\r\n*3\r\n$3\r\n1-1\r\n:1795526905800\r\n:1\r\n"
    "*3\r\n$3\r\n2-1\r\n:1795526905941\r\n:2\r\n";

class XInfoFullShapes : public ::testing::TestWithParam<const char*> {};

TEST_P(XInfoFullShapes, Decodes) {
    const auto reply = parse_reply(GetParam());
    std::error_code ec;
    const auto info = decode_xinfo_stream_full(reply.root(), ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(info.length, 1u);
    EXPECT_EQ(info.entries_added, 2u);
    EXPECT_EQ(info.max_deleted_entry_id, (MessageId{1, 1}));
    ASSERT_EQ(info.entries.size(), 1u);
    EXPECT_EQ(info.entries[0].id, (MessageId{2, 1}));
    ASSERT_EQ(info.groups.size(), 1u);
    const auto& g = info.groups[0];
    EXPECT_EQ(g.name, "g");
    EXPECT_EQ(g.last_delivered_id, (MessageId{2, 1}));
    EXPECT_EQ(g.entries_read, 2);
    EXPECT_EQ(g.lag, 0);
    EXPECT_EQ(g.pel_count, 2u);
    ASSERT_EQ(g.pending.size(), 2u);
    EXPECT_EQ(g.pending[0].id, (MessageId{1, 1}));
    EXPECT_EQ(g.pending[0].consumer, "c1");
    EXPECT_EQ(g.pending[0].delivery_time_ms, 1795526905800u);
    EXPECT_EQ(g.pending[1].deliveries, 2u);
    ASSERT_EQ(g.consumers.size(), 1u);
    const auto& c = g.consumers[0];
    EXPECT_EQ(c.name, "c1");
    EXPECT_EQ(c.seen_time_ms, 1795526905941u);
    EXPECT_FALSE(c.active_time_ms);
    EXPECT_EQ(c.pel_count, 2u);
    ASSERT_EQ(c.pending.size(), 2u);
    EXPECT_EQ(c.pending[1].id, (MessageId{2, 1}));
    EXPECT_EQ(c.pending[1].deliveries, 2u);
}

INSTANTIATE_TEST_SUITE_P(Protocols, XInfoFullShapes, ::testing::Values(full_resp2, full_resp3));

TEST(XInfoFull, BadNestedShapes) {
    std::error_code ec;
    for (const char* bad : {"%1\r\n$7\r\nentries\r\n:1\r\n", "%1\r\n$6\r\ngroups\r\n*1\r\n:1\r\n",
                            "%1\r\n$6\r\ngroups\r\n*1\r\n%1\r\n$7\r\npending\r\n*1\r\n*2\r\n"
                            "$3\r\n1-1\r\n:1\r\n",
                            "%1\r\n$6\r\ngroups\r\n*1\r\n%1\r\n$9\r\nconsumers\r\n*1\r\n%1\r\n"
                            "$7\r\npending\r\n*1\r\n*4\r\n$3\r\n1-1\r\n:1\r\n:1\r\n:1\r\n"}) {
        decode_xinfo_stream_full(parse_reply(bad).root(), ec);
        EXPECT_EQ(ec, unexpected) << bad;
    }
}

TEST(XInfoGroups, BothProtocolsAndNilCounters) {
    const char* resp3 =
        "*2\r\n%6\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:2\r\n"
        "$17\r\nlast-delivered-id\r\n$3\r\n2-1\r\n$12\r\nentries-read\r\n:2\r\n$3\r\nlag\r\n:0\r\n"
        "%6\r\n$4\r\nname\r\n$1\r\nh\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n"
        "$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n_\r\n$3\r\nlag\r\n_\r\n";
    const char* resp2 =
        "*2\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:2\r\n"
        "$17\r\nlast-delivered-id\r\n$3\r\n2-1\r\n$12\r\nentries-read\r\n:2\r\n$3\r\nlag\r\n:0\r\n"
        "*12\r\n$4\r\nname\r\n$1\r\nh\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n"
        "$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n"
        "$-1\r\n";
    for (const char* bytes : {resp3, resp2}) {
        const auto reply = parse_reply(bytes);
        std::error_code ec;
        const auto groups = decode_xinfo_groups(reply.root(), ec);
        ASSERT_FALSE(ec);
        ASSERT_EQ(groups.size(), 2u);
        EXPECT_EQ(groups[0].name, "g");
        EXPECT_EQ(groups[0].consumers, 1u);
        EXPECT_EQ(groups[0].pending, 2u);
        EXPECT_EQ(groups[0].last_delivered_id, (MessageId{2, 1}));
        EXPECT_EQ(groups[0].entries_read, 2);
        EXPECT_EQ(groups[0].lag, 0);
        EXPECT_EQ(groups[1].name, "h");
        EXPECT_FALSE(groups[1].entries_read);
        EXPECT_FALSE(groups[1].lag);
    }
    std::error_code ec;
    decode_xinfo_groups(parse_reply("*1\r\n:1\r\n").root(), ec);
    EXPECT_EQ(ec, unexpected);
    decode_xinfo_groups(parse_reply("*1\r\n%1\r\n$3\r\nlag\r\n$1\r\nx\r\n").root(), ec);
    EXPECT_EQ(ec, unexpected);
    decode_xinfo_groups(parse_reply("-ERR no such key\r\n").root(), ec);
    EXPECT_EQ(ec, errc::server_error);
}

TEST(XInfoConsumers, BothProtocolsAndInactive) {
    const char* resp3 =
        "*2\r\n%3\r\n$4\r\nname\r\n$2\r\nc1\r\n$7\r\npending\r\n:2\r\n$4\r\nidle\r\n:251\r\n"
        "%4\r\n$4\r\nname\r\n$2\r\nc2\r\n$7\r\npending\r\n:0\r\n$4\r\nidle\r\n:9\r\n"
        "$8\r\ninactive\r\n:-1\r\n";
    const char* resp2 =
        "*2\r\n*6\r\n$4\r\nname\r\n$2\r\nc1\r\n$7\r\npending\r\n:2\r\n$4\r\nidle\r\n:251\r\n"
        "*8\r\n$4\r\nname\r\n$2\r\nc2\r\n$7\r\npending\r\n:0\r\n$4\r\nidle\r\n:9\r\n"
        "$8\r\ninactive\r\n:-1\r\n";
    for (const char* bytes : {resp3, resp2}) {
        const auto reply = parse_reply(bytes);
        std::error_code ec;
        const auto consumers = decode_xinfo_consumers(reply.root(), ec);
        ASSERT_FALSE(ec);
        ASSERT_EQ(consumers.size(), 2u);
        EXPECT_EQ(consumers[0].name, "c1");
        EXPECT_EQ(consumers[0].pending, 2u);
        EXPECT_EQ(consumers[0].idle, 251ms);
        EXPECT_FALSE(consumers[0].inactive);
        EXPECT_EQ(consumers[1].idle, 9ms);
        EXPECT_FALSE(consumers[1].inactive);  // -1: never read
    }
    std::error_code ec;
    const auto c = decode_xinfo_consumers(
        parse_reply("*1\r\n%2\r\n$4\r\nname\r\n$1\r\nx\r\n$8\r\ninactive\r\n:77\r\n").root(), ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(c.at(0).inactive, 77ms);
    decode_xinfo_consumers(parse_reply("-NOGROUP No such consumer group\r\n").root(), ec);
    EXPECT_EQ(ec, errc::nogroup);
    decode_xinfo_consumers(parse_reply("*1\r\n%1\r\n$4\r\nidle\r\n:-5\r\n").root(), ec);
    EXPECT_EQ(ec, unexpected);
}

}  // namespace
}  // namespace redstream::commands
