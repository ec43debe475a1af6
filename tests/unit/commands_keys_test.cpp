// SCAN, TYPE and DEL: request bytes, slots, and decoding of RESP2 and RESP3
// replies (and of shapes they never have).
#include <gtest/gtest.h>

#include <redstream/cluster/slot.hpp>
#include <redstream/commands/keys.hpp>
#include <redstream/core/error.hpp>

#include "support/replies.hpp"

#include <initializer_list>
#include <string>
#include <string_view>

namespace redstream::commands {
namespace {

using test::parse_reply;

std::string expected(std::initializer_list<std::string_view> args) {
    std::string out = "*" + std::to_string(args.size()) + "\r\n";
    for (auto a : args)
        out += "$" + std::to_string(a.size()) + "\r\n" + std::string(a) + "\r\n";
    return out;
}

TEST(BuildKeys, ScanWithAndWithoutOptions) {
    resp::Request plain;
    scan(plain, "0");
    EXPECT_EQ(plain.payload(), expected({"SCAN", "0"}));
    EXPECT_EQ(plain.command_slot(0), resp::Request::no_slot);  // no key: any master

    resp::Request full;
    scan(full, "1234", {.match = "orders:*", .count = 1000, .type = "stream"});
    EXPECT_EQ(full.payload(),
              expected({"SCAN", "1234", "MATCH", "orders:*", "COUNT", "1000", "TYPE", "stream"}));
}

TEST(BuildKeys, TypeAndDelNameOneKeyEach) {
    resp::Request req;
    type(req, "orders");
    del(req, "orders:3");
    EXPECT_EQ(req.commands(), 2u);
    EXPECT_EQ(req.payload(), expected({"TYPE", "orders"}) + expected({"DEL", "orders:3"}));
    EXPECT_EQ(req.command_slot(0), cluster::key_slot("orders"));
    EXPECT_EQ(req.command_slot(1), cluster::key_slot("orders:3"));
}

TEST(DecodeKeys, ScanPages) {
    std::error_code ec;
    const auto resp2 = parse_reply("*2\r\n$3\r\n170\r\n*2\r\n$1\r\na\r\n$3\r\na:1\r\n");
    auto page = decode_scan(resp2.root(), ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(page.cursor, "170");
    EXPECT_FALSE(page.done());
    ASSERT_EQ(page.keys.size(), 2u);
    EXPECT_EQ(page.keys[0], "a");
    EXPECT_EQ(page.keys[1], "a:1");

    const auto last = parse_reply("*2\r\n$1\r\n0\r\n*0\r\n");
    page = decode_scan(last.root(), ec);
    ASSERT_FALSE(ec);
    EXPECT_TRUE(page.done());
    EXPECT_TRUE(page.keys.empty());
}

TEST(DecodeKeys, ScanOddShapesAndErrors) {
    std::error_code ec;
    for (const auto* bytes :
         {":1\r\n", "*1\r\n$1\r\n0\r\n", "*2\r\n:0\r\n*0\r\n", "*2\r\n$1\r\n0\r\n:1\r\n",
          "*2\r\n$1\r\n0\r\n*1\r\n:1\r\n", "*2\r\n$0\r\n\r\n*0\r\n"}) {
        const auto reply = parse_reply(bytes);
        const auto page = decode_scan(reply.root(), ec);
        EXPECT_EQ(ec, errc::unexpected_reply) << bytes;
        EXPECT_TRUE(page.keys.empty()) << bytes;
    }
    const auto err = parse_reply("-ERR unknown type name 'strem'\r\n");
    decode_scan(err.root(), ec);
    EXPECT_EQ(ec, errc::server_error);
}

TEST(DecodeKeys, TypeRepliesInBothProtocols) {
    std::error_code ec;
    EXPECT_EQ(decode_type(parse_reply("+stream\r\n").root(), ec), "stream");
    EXPECT_FALSE(ec);
    EXPECT_EQ(decode_type(parse_reply("+none\r\n").root(), ec), "none");
    EXPECT_FALSE(ec);
    decode_type(parse_reply(":1\r\n").root(), ec);
    EXPECT_EQ(ec, errc::unexpected_reply);
    decode_type(parse_reply("-NOPERM no permissions\r\n").root(), ec);
    EXPECT_EQ(ec, errc::noperm);
}

}  // namespace
}  // namespace redstream::commands
