// Decoders fed raw RESP2 and RESP3 bytes: shapes, deleted entries, errors.
#include <gtest/gtest.h>

#include <redstream/commands/commands.hpp>
#include <redstream/core/error.hpp>
#include <redstream/resp/reader.hpp>

#include "support/replies.hpp"

#include <string>
#include <vector>

namespace redstream::commands {
namespace {

using namespace std::chrono_literals;
using test::parse_reply;

std::vector<Field> fields_of(const StreamEntry& e) {
    return {e.fields.begin(), e.fields.end()};
}

const std::error_code unexpected = make_error_code(errc::unexpected_reply);

// Replies no decoder accepts as anything but unexpected_reply (or, for
// decoders that tolerate nil, success with an empty value).
const std::vector<std::string> odd_shapes = {
    ":1\r\n",
    "+OK\r\n",
    "$3\r\nabc\r\n",
    "*1\r\n:1\r\n",
    "*2\r\n$1\r\nx\r\n:1\r\n",
    "%1\r\n:1\r\n:2\r\n",
    "*1\r\n*1\r\n*1\r\n:1\r\n",
    "#t\r\n",
    ",1.5\r\n",
    "*3\r\n$3\r\n1-1\r\n*0\r\n*0\r\n",
    "*1\r\n*2\r\n$3\r\n1-x\r\n*0\r\n",
    "*1\r\n*2\r\n$3\r\n1-1\r\n*1\r\n$1\r\na\r\n",
    "~1\r\n:1\r\n",
    "*1\r\n%1\r\n:1\r\n:1\r\n",
};

// --- XADD ------------------------------------------------------------------

TEST(DecodeXAdd, IdNilAndErrors) {
    std::error_code ec;
    EXPECT_EQ(decode_xadd(parse_reply("$15\r\n1700000000000-3\r\n").root(), ec),
              (MessageId{1700000000000, 3}));
    EXPECT_FALSE(ec);
    EXPECT_EQ(decode_xadd(parse_reply("$-1\r\n").root(), ec), std::nullopt);  // RESP2 NOMKSTREAM
    EXPECT_FALSE(ec);
    EXPECT_EQ(decode_xadd(parse_reply("_\r\n").root(), ec), std::nullopt);  // RESP3 NOMKSTREAM
    EXPECT_FALSE(ec);
    decode_xadd(parse_reply("-WRONGTYPE Operation against a key\r\n").root(), ec);
    EXPECT_EQ(ec, errc::wrongtype);
    decode_xadd(parse_reply("!20\r\nERR The ID specified\r\n").root(), ec);
    EXPECT_EQ(ec, errc::server_error);
    decode_xadd(parse_reply(":1\r\n").root(), ec);
    EXPECT_EQ(ec, unexpected);
    decode_xadd(resp::Value(), ec);
    EXPECT_EQ(ec, unexpected);
}

// --- XREAD / XREADGROUP --------------------------------------------------

// Stream "s" with entries 1-1 {a: 1, b: 2} and 2-1 (deleted); stream "t" with 3-0 {c: ""}.
const std::string read_resp2 =
    "*2\r\n"
    "*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"
    "*2\r\n$3\r\n2-1\r\n$-1\r\n"
    "*2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nc\r\n$0\r\n\r\n";
const std::string read_resp3 =
    "%2\r\n"
    "$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"
    "*2\r\n$3\r\n2-1\r\n_\r\n"
    "$1\r\nt\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nc\r\n$0\r\n\r\n";

class DecodeXRead : public ::testing::TestWithParam<std::string> {};

TEST_P(DecodeXRead, PagesEntriesAndDeleted) {
    const auto reply = parse_reply(GetParam());
    std::error_code ec;
    const auto pages = decode_xread(reply.root(), ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_EQ(pages.size(), 2u);
    EXPECT_EQ(pages[0].key, "s");
    ASSERT_EQ(pages[0].entries.size(), 2u);
    const auto& e0 = pages[0].entries[0];
    EXPECT_EQ(e0.id, (MessageId{1, 1}));
    EXPECT_FALSE(e0.deleted());
    EXPECT_EQ(fields_of(e0), (std::vector<Field>{{"a", "1"}, {"b", "2"}}));
    EXPECT_EQ(e0.fields.size(), 2u);
    EXPECT_EQ(e0.fields.find("b"), "2");
    EXPECT_EQ(e0.fields.find("z"), std::nullopt);
    const auto& e1 = pages[0].entries[1];
    EXPECT_EQ(e1.id, (MessageId{2, 1}));
    EXPECT_TRUE(e1.deleted());
    EXPECT_TRUE(e1.fields.empty());
    EXPECT_EQ(e1.fields.begin(), e1.fields.end());
    EXPECT_EQ(pages[1].key, "t");
    ASSERT_EQ(pages[1].entries.size(), 1u);
    EXPECT_EQ(fields_of(pages[1].entries[0]), (std::vector<Field>{{"c", ""}}));
}

TEST_P(DecodeXRead, ReusesOutput) {
    const auto reply = parse_reply(GetParam());
    std::vector<StreamPage> out(5);
    std::error_code ec;
    decode_xread(reply.root(), out, ec);
    EXPECT_FALSE(ec);
    EXPECT_EQ(out.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Protocols, DecodeXRead, ::testing::Values(read_resp2, read_resp3));

TEST(DecodeXReadShapes, TimeoutEmptyAndErrors) {
    std::error_code ec;
    EXPECT_TRUE(decode_xread(parse_reply("*-1\r\n").root(), ec).empty());
    EXPECT_FALSE(ec);
    EXPECT_TRUE(decode_xread(parse_reply("_\r\n").root(), ec).empty());
    EXPECT_FALSE(ec);
    EXPECT_TRUE(decode_xread(parse_reply("%0\r\n").root(), ec).empty());
    EXPECT_FALSE(ec);
    // A pending read of a consumer with nothing pending: the stream with no entries.
    const auto pages = decode_xread(parse_reply("*1\r\n*2\r\n$1\r\ns\r\n*0\r\n").root(), ec);
    EXPECT_FALSE(ec);
    ASSERT_EQ(pages.size(), 1u);
    EXPECT_TRUE(pages[0].entries.empty());
    decode_xread(parse_reply("-NOGROUP No such key 's' or consumer group 'g'\r\n").root(), ec);
    EXPECT_EQ(ec, errc::nogroup);
    for (const char* bad : {":1\r\n", "*1\r\n:1\r\n", "*1\r\n*2\r\n:1\r\n*0\r\n",
                            "*1\r\n*3\r\n$1\r\ns\r\n*0\r\n*0\r\n", "%1\r\n$1\r\ns\r\n:1\r\n",
                            "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$1\r\nx\r\n*0\r\n",
                            "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*1\r\n$1\r\na\r\n",
                            "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n:5\r\n"}) {
        EXPECT_TRUE(decode_xread(parse_reply(bad).root(), ec).empty()) << bad;
        EXPECT_EQ(ec, unexpected) << bad;
    }
}

TEST(DecodeEntries, MapShapedFieldsAreAccepted) {
    std::error_code ec;
    const auto reply = parse_reply("*1\r\n*2\r\n$3\r\n1-1\r\n%1\r\n$1\r\nk\r\n$1\r\nv\r\n");
    const auto entries = decode_xrange(reply.root(), ec);
    ASSERT_FALSE(ec);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(fields_of(entries[0]), (std::vector<Field>{{"k", "v"}}));
}

TEST(DecodeEntries, FieldOrderIsKeptWithDuplicates) {
    std::error_code ec;
    const auto reply = parse_reply(
        "*1\r\n*2\r\n$3\r\n5-0\r\n*6\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n"
        "$1\r\nz\r\n$1\r\n3\r\n");
    const auto entries = decode_xrange(reply.root(), ec);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(fields_of(entries[0]), (std::vector<Field>{{"z", "1"}, {"a", "2"}, {"z", "3"}}));
}

TEST(DecodeEntries, LosslessIds) {
    std::error_code ec;
    const auto reply =
        parse_reply("*1\r\n*2\r\n$41\r\n18446744073709551615-18446744073709551615\r\n*0\r\n");
    const auto entries = decode_xrange(reply.root(), ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(entries.at(0).id, MessageId::max());
}

// --- Counts, OK ------------------------------------------------------------

TEST(DecodeSimple, CountsAndOk) {
    std::error_code ec;
    EXPECT_EQ(decode_xack(parse_reply(":3\r\n").root(), ec), 3u);
    EXPECT_FALSE(ec);
    EXPECT_EQ(decode_count(parse_reply(":0\r\n").root(), ec), 0u);
    EXPECT_FALSE(ec);
    decode_count(parse_reply(":-1\r\n").root(), ec);
    EXPECT_EQ(ec, unexpected);
    decode_count(parse_reply("$1\r\n3\r\n").root(), ec);
    EXPECT_EQ(ec, unexpected);
    decode_count(parse_reply("-WRONGTYPE x\r\n").root(), ec);
    EXPECT_EQ(ec, errc::wrongtype);
    EXPECT_TRUE(decode_flag(parse_reply(":1\r\n").root(), ec));
    EXPECT_FALSE(decode_flag(parse_reply(":0\r\n").root(), ec));
    EXPECT_FALSE(ec);
    decode_ok(parse_reply("+OK\r\n").root(), ec);
    EXPECT_FALSE(ec);
    decode_ok(parse_reply("-BUSYGROUP Consumer Group name already exists\r\n").root(), ec);
    EXPECT_EQ(ec, errc::busygroup);
    decode_ok(parse_reply("+QUEUED\r\n").root(), ec);
    EXPECT_EQ(ec, unexpected);
    decode_ok(parse_reply(":1\r\n").root(), ec);
    EXPECT_EQ(ec, unexpected);
}

// --- XCLAIM / XAUTOCLAIM ---------------------------------------------------

TEST(DecodeXClaim, EntriesIdsAndDeleted) {
    std::error_code ec;
    const auto r = parse_reply(
        "*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n2-0\r\n_\r\n");
    const auto entries = decode_xclaim(r.root(), ec);
    ASSERT_FALSE(ec);
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_FALSE(entries[0].deleted());
    EXPECT_TRUE(entries[1].deleted());
    EXPECT_EQ(decode_xclaim_justid(parse_reply("*2\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n").root(), ec),
              (std::vector<MessageId>{{1, 0}, {2, 0}}));
    EXPECT_FALSE(ec);
    decode_xclaim_justid(parse_reply("*1\r\n:1\r\n").root(), ec);
    EXPECT_EQ(ec, unexpected);
    decode_xclaim(parse_reply("-NOGROUP x\r\n").root(), ec);
    EXPECT_EQ(ec, errc::nogroup);
}

TEST(DecodeXAutoClaim, EntriesForm) {
    std::error_code ec;
    const auto r = parse_reply(
        "*3\r\n$3\r\n7-0\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
        "*2\r\n$3\r\n4-0\r\n$3\r\n5-0\r\n");
    const auto out = decode_xautoclaim(r.root(), ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(out.next, (MessageId{7, 0}));
    ASSERT_EQ(out.entries.size(), 1u);
    EXPECT_EQ(fields_of(out.entries[0]), (std::vector<Field>{{"f", "v"}}));
    EXPECT_EQ(out.ids, (std::vector<MessageId>{{3, 0}}));
    EXPECT_EQ(out.deleted, (std::vector<MessageId>{{4, 0}, {5, 0}}));
}

TEST(DecodeXAutoClaim, JustIdAndOldServers) {
    std::error_code ec;
    auto out = decode_xautoclaim(
        parse_reply("*3\r\n$3\r\n0-0\r\n*2\r\n$3\r\n3-0\r\n$3\r\n3-1\r\n*0\r\n").root(), ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(out.next, MessageId::min());
    EXPECT_TRUE(out.entries.empty());
    EXPECT_EQ(out.ids, (std::vector<MessageId>{{3, 0}, {3, 1}}));
    EXPECT_TRUE(out.deleted.empty());
    out = decode_xautoclaim(parse_reply("*2\r\n$3\r\n0-0\r\n*0\r\n").root(), ec);  // Redis 6.2
    EXPECT_FALSE(ec);
    for (const char* bad : {"*1\r\n$3\r\n0-0\r\n", "*3\r\n$1\r\nx\r\n*0\r\n*0\r\n",
                            "*3\r\n$3\r\n0-0\r\n:1\r\n*0\r\n", "*3\r\n$3\r\n0-0\r\n*0\r\n:1\r\n",
                            "*3\r\n$3\r\n0-0\r\n*0\r\n*1\r\n$1\r\nx\r\n", ":1\r\n"}) {
        decode_xautoclaim(parse_reply(bad).root(), ec);
        EXPECT_EQ(ec, unexpected) << bad;
    }
}

// --- XPENDING --------------------------------------------------------------

TEST(DecodeXPending, Summary) {
    std::error_code ec;
    const auto r = parse_reply(
        "*4\r\n:3\r\n$3\r\n1-0\r\n$3\r\n9-0\r\n*2\r\n*2\r\n$3\r\nbob\r\n$1\r\n2\r\n"
        "*2\r\n$5\r\nalice\r\n$1\r\n1\r\n");
    const auto s = decode_xpending_summary(r.root(), ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(s.count, 3u);
    EXPECT_EQ(s.smallest, (MessageId{1, 0}));
    EXPECT_EQ(s.largest, (MessageId{9, 0}));
    ASSERT_EQ(s.consumers.size(), 2u);
    EXPECT_EQ(s.consumers[0].name, "bob");
    EXPECT_EQ(s.consumers[0].pending, 2u);
    EXPECT_EQ(s.consumers[1].name, "alice");
}

TEST(DecodeXPending, EmptySummaryBothProtocols) {
    std::error_code ec;
    for (const char* bytes : {"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n", "*4\r\n:0\r\n_\r\n_\r\n_\r\n"}) {
        const auto s = decode_xpending_summary(parse_reply(bytes).root(), ec);
        EXPECT_FALSE(ec) << bytes;
        EXPECT_EQ(s.count, 0u);
        EXPECT_FALSE(s.smallest);
        EXPECT_FALSE(s.largest);
        EXPECT_TRUE(s.consumers.empty());
    }
    for (const char* bad : {"*3\r\n:0\r\n_\r\n_\r\n", "*4\r\n$1\r\nx\r\n_\r\n_\r\n_\r\n",
                            "*4\r\n:1\r\n:1\r\n_\r\n_\r\n", "*4\r\n:1\r\n_\r\n_\r\n*1\r\n:1\r\n",
                            "*4\r\n:1\r\n_\r\n_\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\nx\r\n"}) {
        decode_xpending_summary(parse_reply(bad).root(), ec);
        EXPECT_EQ(ec, unexpected) << bad;
    }
    decode_xpending_summary(parse_reply("-NOGROUP x\r\n").root(), ec);
    EXPECT_EQ(ec, errc::nogroup);
}

TEST(DecodeXPending, Extended) {
    std::error_code ec;
    const auto r = parse_reply(
        "*2\r\n*4\r\n$3\r\n1-1\r\n$2\r\nc1\r\n:493\r\n:1\r\n*4\r\n$3\r\n2-1\r\n$2\r\nc2\r\n"
        ":352\r\n:2\r\n");
    const auto p = decode_xpending(r.root(), ec);
    ASSERT_FALSE(ec);
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0].id, (MessageId{1, 1}));
    EXPECT_EQ(p[0].consumer, "c1");
    EXPECT_EQ(p[0].idle, 493ms);
    EXPECT_EQ(p[0].deliveries, 1u);
    EXPECT_EQ(p[1].deliveries, 2u);
    EXPECT_TRUE(decode_xpending(parse_reply("*0\r\n").root(), ec).empty());
    EXPECT_FALSE(ec);
    decode_xpending(parse_reply("*1\r\n*3\r\n$3\r\n1-1\r\n$2\r\nc1\r\n:1\r\n").root(), ec);
    EXPECT_EQ(ec, unexpected);
}

// --- Every decoder survives every odd shape ---------------------------------

TEST(DecodeRobustness, NoDecoderCrashesOnOddShapes) {
    for (const auto& bytes : odd_shapes) {
        const auto reply = parse_reply(bytes);
        const auto v = reply.root();
        std::error_code ec;
        decode_xadd(v, ec);
        decode_xread(v, ec);
        decode_entries(v, ec);
        decode_ids(v, ec);
        decode_xautoclaim(v, ec);
        decode_xpending_summary(v, ec);
        decode_xpending(v, ec);
        decode_xinfo_stream(v, ec);
        decode_xinfo_stream_full(v, ec);
        decode_xinfo_groups(v, ec);
        decode_xinfo_consumers(v, ec);
        decode_count(v, ec);
        decode_ok(v, ec);
    }
    SUCCEED();
}

TEST(DecodeRobustness, EntryListsRejectOddShapes) {
    for (const auto& bytes : odd_shapes) {
        std::error_code ec;
        const auto entries = decode_entries(parse_reply(bytes).root(), ec);
        EXPECT_TRUE(ec || entries.empty()) << bytes;
    }
}

}  // namespace
}  // namespace redstream::commands
