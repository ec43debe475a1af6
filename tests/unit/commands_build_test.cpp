// Exact request bytes of every command builder and option.
#include <gtest/gtest.h>

#include <redstream/commands/commands.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace redstream::commands {
namespace {

using namespace std::chrono_literals;

// The RESP array of bulk strings a command with these arguments must be.
std::string expected(std::initializer_list<std::string_view> args) {
    std::string out = "*" + std::to_string(args.size()) + "\r\n";
    for (auto a : args)
        out += "$" + std::to_string(a.size()) + "\r\n" + std::string(a) + "\r\n";
    return out;
}

template <class Fn>
std::string built(Fn&& fn) {
    resp::Request req;
    fn(req);
    EXPECT_EQ(req.commands(), 1u);
    return std::string(req.payload());
}

const std::vector<Field> two_fields = {{"name", "ada"}, {"lang", ""}};

TEST(BuildXAdd, Defaults) {
    EXPECT_EQ(built([](auto& r) { xadd(r, "s", two_fields); }),
              expected({"XADD", "s", "*", "name", "ada", "lang", ""}));
}

TEST(BuildXAdd, Ids) {
    XAddOptions o;
    o.id = XAddId::exact({1, 2});
    EXPECT_EQ(built([&](auto& r) { xadd(r, "s", two_fields, o); }),
              expected({"XADD", "s", "1-2", "name", "ada", "lang", ""}));
    o.id = XAddId::auto_seq(UINT64_MAX);
    EXPECT_EQ(built([&](auto& r) { xadd(r, "s", two_fields, o); }),
              expected({"XADD", "s", "18446744073709551615-*", "name", "ada", "lang", ""}));
    o.id = XAddId::automatic();
    EXPECT_EQ(built([&](auto& r) { xadd(r, "s", two_fields, o); }),
              expected({"XADD", "s", "*", "name", "ada", "lang", ""}));
}

TEST(BuildXAdd, NomkstreamAndTrim) {
    XAddOptions o;
    o.nomkstream = true;
    o.trim = TrimOptions::maxlen(1000, TrimMode::approximate, 50);
    EXPECT_EQ(built([&](auto& r) { xadd(r, "s", two_fields, o); }),
              expected({"XADD", "s", "NOMKSTREAM", "MAXLEN", "~", "1000", "LIMIT", "50", "*",
                        "name", "ada", "lang", ""}));
    o.nomkstream = false;
    o.trim = TrimOptions::maxlen(10);
    EXPECT_EQ(built([&](auto& r) { xadd(r, "s", two_fields, o); }),
              expected({"XADD", "s", "MAXLEN", "=", "10", "*", "name", "ada", "lang", ""}));
    o.trim = TrimOptions::minid({7, 0}, TrimMode::exact);
    o.id = XAddId::exact({9, 9});
    EXPECT_EQ(built([&](auto& r) { xadd(r, "s", two_fields, o); }),
              expected({"XADD", "s", "MINID", "=", "7-0", "9-9", "name", "ada", "lang", ""}));
    o.trim = TrimOptions::minid({7, 1}, TrimMode::approximate, 0);
    EXPECT_EQ(built([&](auto& r) { xadd(r, "s", two_fields, o); }),
              expected({"XADD", "s", "MINID", "~", "7-1", "LIMIT", "0", "9-9", "name", "ada",
                        "lang", ""}));
}

TEST(BuildXAdd, BinaryFieldsArePassedThrough) {
    const std::string bin("a\0\r\nb", 5);
    const std::vector<Field> f = {{bin, bin}};
    EXPECT_EQ(built([&](auto& r) { xadd(r, "s", f); }), expected({"XADD", "s", "*", bin, bin}));
}

TEST(BuildXRead, Options) {
    const std::vector<StreamOffset> streams = {{"a", StreamStart::after({1, 2})},
                                               {"b", StreamStart::new_entries()},
                                               {"c", StreamStart::beginning()}};
    EXPECT_EQ(built([&](auto& r) { xread(r, streams); }),
              expected({"XREAD", "STREAMS", "a", "b", "c", "1-2", "$", "0-0"}));
    EXPECT_EQ(built([&](auto& r) { xread(r, streams, {.count = 5, .block = 0ms}); }),
              expected({"XREAD", "COUNT", "5", "BLOCK", "0", "STREAMS", "a", "b", "c", "1-2", "$",
                        "0-0"}));
    EXPECT_EQ(built([&](auto& r) { xread(r, std::span(streams).first(1), {.block = 1500ms}); }),
              expected({"XREAD", "BLOCK", "1500", "STREAMS", "a", "1-2"}));
}

TEST(BuildXReadGroup, Options) {
    const std::vector<StreamOffset> streams = {{"a", StreamStart::undelivered()},
                                               {"b", StreamStart::after({0, 0})}};
    EXPECT_EQ(built([&](auto& r) { xreadgroup(r, "g", "c", streams); }),
              expected({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "b", ">", "0-0"}));
    EXPECT_EQ(built([&](auto& r) {
                  xreadgroup(r, "g", "c", streams, {.count = 10, .block = 200ms, .noack = true});
              }),
              expected({"XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "BLOCK", "200", "NOACK",
                        "STREAMS", "a", "b", ">", "0-0"}));
}

TEST(BuildXAck, Ids) {
    const std::vector<MessageId> ids = {{1, 0}, {UINT64_MAX, UINT64_MAX}};
    EXPECT_EQ(built([&](auto& r) { xack(r, "s", "g", ids); }),
              expected({"XACK", "s", "g", "1-0", "18446744073709551615-18446744073709551615"}));
}

TEST(BuildXClaim, AllOptions) {
    const std::vector<MessageId> ids = {{1, 1}, {2, 2}};
    EXPECT_EQ(built([&](auto& r) { xclaim(r, "s", "g", "c", 3600000ms, ids); }),
              expected({"XCLAIM", "s", "g", "c", "3600000", "1-1", "2-2"}));
    XClaimOptions o;
    o.idle = 5ms;
    o.time_ms = 1700000000000;
    o.retry_count = 3;
    o.force = true;
    o.justid = true;
    o.last_id = MessageId{9, 0};
    EXPECT_EQ(built([&](auto& r) { xclaim(r, "s", "g", "c", 0ms, ids, o); }),
              expected({"XCLAIM", "s", "g", "c", "0", "1-1", "2-2", "IDLE", "5", "TIME",
                        "1700000000000", "RETRYCOUNT", "3", "FORCE", "JUSTID", "LASTID", "9-0"}));
}

TEST(BuildXAutoClaim, Options) {
    EXPECT_EQ(built([](auto& r) { xautoclaim(r, "s", "g", "c", 100ms, {}); }),
              expected({"XAUTOCLAIM", "s", "g", "c", "100", "0-0"}));
    EXPECT_EQ(built([](auto& r) {
                  xautoclaim(r, "s", "g", "c", 100ms, {5, 6}, {.count = 25, .justid = true});
              }),
              expected({"XAUTOCLAIM", "s", "g", "c", "100", "5-6", "COUNT", "25", "JUSTID"}));
}

TEST(BuildXPending, SummaryAndExtended) {
    EXPECT_EQ(built([](auto& r) { xpending(r, "s", "g"); }), expected({"XPENDING", "s", "g"}));
    EXPECT_EQ(built([](auto& r) { xpending(r, "s", "g", XPendingOptions{}); }),
              expected({"XPENDING", "s", "g", "-", "+", "100"}));
    XPendingOptions o;
    o.min_idle = 60000ms;
    o.start = RangeBound::exclusive({1, 2});
    o.end = RangeBound::inclusive({3, 4});
    o.count = 7;
    o.consumer = "bob";
    EXPECT_EQ(built([&](auto& r) { xpending(r, "s", "g", o); }),
              expected({"XPENDING", "s", "g", "IDLE", "60000", "(1-2", "3-4", "7", "bob"}));
}

TEST(BuildXGroup, Subcommands) {
    EXPECT_EQ(built([](auto& r) { xgroup_create(r, "s", "g", StreamStart::new_entries()); }),
              expected({"XGROUP", "CREATE", "s", "g", "$"}));
    EXPECT_EQ(built([](auto& r) {
                  xgroup_create(r, "s", "g", StreamStart::after({0, 0}),
                                {.mkstream = true, .entries_read = 12});
              }),
              expected({"XGROUP", "CREATE", "s", "g", "0-0", "MKSTREAM", "ENTRIESREAD", "12"}));
    EXPECT_EQ(built([](auto& r) { xgroup_createconsumer(r, "s", "g", "c"); }),
              expected({"XGROUP", "CREATECONSUMER", "s", "g", "c"}));
    EXPECT_EQ(built([](auto& r) {
                  xgroup_setid(r, "s", "g", StreamStart::after({5, 0}));
              }),
              expected({"XGROUP", "SETID", "s", "g", "5-0"}));
    EXPECT_EQ(built([](auto& r) {
                  xgroup_setid(r, "s", "g", StreamStart::new_entries(), {.entries_read = -1});
              }),
              expected({"XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "-1"}));
    EXPECT_EQ(built([](auto& r) { xgroup_destroy(r, "s", "g"); }),
              expected({"XGROUP", "DESTROY", "s", "g"}));
    EXPECT_EQ(built([](auto& r) { xgroup_delconsumer(r, "s", "g", "c"); }),
              expected({"XGROUP", "DELCONSUMER", "s", "g", "c"}));
}

TEST(BuildXInfo, Subcommands) {
    EXPECT_EQ(built([](auto& r) { xinfo_stream(r, "s"); }), expected({"XINFO", "STREAM", "s"}));
    EXPECT_EQ(built([](auto& r) { xinfo_stream_full(r, "s"); }),
              expected({"XINFO", "STREAM", "s", "FULL"}));
    EXPECT_EQ(built([](auto& r) { xinfo_stream_full(r, "s", 0); }),
              expected({"XINFO", "STREAM", "s", "FULL", "COUNT", "0"}));
    EXPECT_EQ(built([](auto& r) { xinfo_groups(r, "s"); }), expected({"XINFO", "GROUPS", "s"}));
    EXPECT_EQ(built([](auto& r) { xinfo_consumers(r, "s", "g"); }),
              expected({"XINFO", "CONSUMERS", "s", "g"}));
}

TEST(BuildXRange, BoundsAndCount) {
    EXPECT_EQ(built([](auto& r) { xrange(r, "s"); }), expected({"XRANGE", "s", "-", "+"}));
    EXPECT_EQ(built([](auto& r) {
                  xrange(r, "s", RangeBound::exclusive({1, 0}), RangeBound::inclusive({2, 5}), 3);
              }),
              expected({"XRANGE", "s", "(1-0", "2-5", "COUNT", "3"}));
    EXPECT_EQ(built([](auto& r) { xrevrange(r, "s"); }), expected({"XREVRANGE", "s", "+", "-"}));
    EXPECT_EQ(built([](auto& r) {
                  xrevrange(r, "s", RangeBound::exclusive(MessageId::max()),
                            RangeBound::exclusive({0, 0}), 1);
              }),
              expected({"XREVRANGE", "s", "(18446744073709551615-18446744073709551615", "(0-0",
                        "COUNT", "1"}));
}

TEST(BuildXTrim, Strategies) {
    EXPECT_EQ(built([](auto& r) { xtrim(r, "s", TrimOptions::maxlen(0)); }),
              expected({"XTRIM", "s", "MAXLEN", "=", "0"}));
    EXPECT_EQ(built([](auto& r) {
                  xtrim(r, "s", TrimOptions::minid({3, 0}, TrimMode::approximate, 100));
              }),
              expected({"XTRIM", "s", "MINID", "~", "3-0", "LIMIT", "100"}));
}

TEST(BuildXDelXLenXSetId, Arguments) {
    const std::vector<MessageId> ids = {{1, 0}, {2, 0}};
    EXPECT_EQ(built([&](auto& r) { xdel(r, "s", ids); }), expected({"XDEL", "s", "1-0", "2-0"}));
    EXPECT_EQ(built([](auto& r) { xlen(r, "s"); }), expected({"XLEN", "s"}));
    EXPECT_EQ(built([](auto& r) { xsetid(r, "s", {10, 0}); }), expected({"XSETID", "s", "10-0"}));
    EXPECT_EQ(built([](auto& r) {
                  xsetid(r, "s", {10, 0}, {.entries_added = 42, .max_deleted_id = MessageId{4, 2}});
              }),
              expected({"XSETID", "s", "10-0", "ENTRIESADDED", "42", "MAXDELETEDID", "4-2"}));
}

TEST(BuildPipeline, CommandsAppendToOneRequest) {
    resp::Request req;
    xlen(req, "a");
    xadd(req, "a", two_fields);
    xlen(req, "a");
    EXPECT_EQ(req.commands(), 3u);
    EXPECT_EQ(req.payload(), expected({"XLEN", "a"}) +
                                 expected({"XADD", "a", "*", "name", "ada", "lang", ""}) +
                                 expected({"XLEN", "a"}));
}

}  // namespace
}  // namespace redstream::commands

namespace rs = redstream;

TEST(CommandsBuild, ProducerXAddMatchesTheGeneralForm) {
    const rs::Field extra[] = {{"k", "v"}};
    const rs::commands::XAddOptions opts{
        .id = rs::commands::XAddId::automatic(),
        .nomkstream = false,
        .trim = rs::commands::TrimOptions::maxlen(1000, rs::commands::TrimMode::approximate, 10)};
    rs::resp::Request fast;
    const rs::commands::XAddMessage m{
        .stream = "orders", .shard = 3, .payload_field = "msg", .payload = "hello", .extra = extra};
    rs::commands::xadd(fast, m, opts);
    rs::resp::Request general;
    const rs::Field all[] = {{"msg", "hello"}, {"k", "v"}};
    rs::commands::xadd(general, "orders:3", all, opts);
    EXPECT_EQ(fast.payload(), general.payload());
    EXPECT_EQ(fast.slot(), general.slot());
    EXPECT_LE(fast.size(), rs::commands::xadd_size(m, opts));
}
