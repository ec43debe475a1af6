// Value navigation and conversions over parsed replies.
#include <redstream/resp/value.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <redstream/core/error.hpp>
#include <redstream/resp/reader.hpp>

#include "support/replies.hpp"

namespace redstream::resp {
namespace {

using test::parse_reply;

TEST(RespValue, EmptyReply) {
    Reply r;
    EXPECT_TRUE(r.empty());
    EXPECT_FALSE(r.root().valid());
    EXPECT_FALSE(r.attribute().has_value());
    EXPECT_TRUE(r.nodes().empty());
}

// What a failed request leaves in its Response: reading it must not crash.
TEST(RespValue, ADefaultValueReadsAsNull) {
    const Value v = Reply().root();
    EXPECT_TRUE(v.is_null());
    EXPECT_FALSE(v.is_error());
    EXPECT_FALSE(v.is_string());
    EXPECT_EQ(v.str(), "");
    EXPECT_EQ(v.size(), 0U);
    EXPECT_FALSE(v.to_int().has_value());
    EXPECT_TRUE(v.begin() == v.end());
    EXPECT_FALSE(error_of(v));
}

TEST(RespValue, IterationAndIndexing) {
    auto r = parse_reply("*4\r\n:1\r\n*2\r\n+a\r\n+b\r\n$0\r\n\r\n_\r\n");
    auto root = r.root();
    ASSERT_EQ(root.size(), 4U);
    std::vector<Type> types;
    for (Value v : root)
        types.push_back(v.type());
    EXPECT_EQ(types,
              (std::vector<Type>{Type::integer, Type::array, Type::bulk_string, Type::null}));
    EXPECT_EQ(root[1][1].str(), "b");
    EXPECT_EQ(root[2].str(), "");
    EXPECT_EQ(std::distance(root.begin(), root.end()), 4);
    EXPECT_EQ(root[0].size(), 0U);
    EXPECT_TRUE(root[0].begin() == root[0].end());
    EXPECT_EQ(r.nodes().size(), 7U);
    EXPECT_EQ(r.nodes()[0].next, 7U);
    EXPECT_EQ(r.nodes()[2].next, 5U);
}

TEST(RespValue, IterationSkipsAttributes) {
    auto r = parse_reply("*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n|1\r\n+c\r\n+d\r\n:2\r\n");
    std::vector<std::int64_t> ints;
    for (Value v : r.root())
        ints.push_back(*v.to_int());
    EXPECT_EQ(ints, (std::vector<std::int64_t>{1, 2}));
}

TEST(RespValue, Conversions) {
    EXPECT_EQ(parse_reply("$3\r\n-17\r\n").root().to_int(), -17);
    EXPECT_FALSE(parse_reply("$3\r\n17x\r\n").root().to_int());
    EXPECT_FALSE(parse_reply("$0\r\n\r\n").root().to_int());
    EXPECT_EQ(parse_reply("$4\r\n2.50\r\n").root().to_double(), 2.5);
    EXPECT_EQ(parse_reply("$4\r\n+inf\r\n").root().to_double(), INFINITY);
    EXPECT_EQ(parse_reply(":7\r\n").root().to_double(), 7.0);
    EXPECT_EQ(parse_reply(":1\r\n").root().to_bool(), true);
    EXPECT_EQ(parse_reply(":0\r\n").root().to_bool(), false);
    EXPECT_FALSE(parse_reply(":2\r\n").root().to_bool());
    EXPECT_FALSE(parse_reply("*0\r\n").root().to_int());
    EXPECT_TRUE(parse_reply("=8\r\nmkd:# hi\r\n").root().is_string());
    EXPECT_FALSE(parse_reply(":1\r\n").root().is_string());
}

TEST(RespValue, ErrorOf) {
    EXPECT_EQ(error_of(parse_reply("-WRONGTYPE Operation against a key\r\n").root()),
              make_error_code(errc::wrongtype));
    EXPECT_EQ(error_of(parse_reply("-NOGROUP No such key\r\n").root()),
              make_error_code(errc::nogroup));
    EXPECT_EQ(error_of(parse_reply("-ERR unknown\r\n").root()),
              make_error_code(errc::server_error));
    EXPECT_EQ(error_of(parse_reply("!9\r\nMOVED 1 x\r\n").root()), make_error_code(errc::moved));
    EXPECT_FALSE(error_of(parse_reply("+OK\r\n").root()));
    EXPECT_FALSE(error_of(Value{}));
}

TEST(RespValue, TypeNames) {
    EXPECT_EQ(type_name(Type::double_type), "double");
    EXPECT_EQ(type_name(Type::push), "push");
    EXPECT_TRUE(is_aggregate(Type::attribute));
    EXPECT_FALSE(is_aggregate(Type::verbatim_string));
}

TEST(RespValue, KeepAliveOutlivesReply) {
    std::string_view text;
    std::shared_ptr<const void> keep;
    {
        auto r = parse_reply("$5\r\nhello\r\n");
        text = r.root().str();
        keep = r.keep_alive();
    }
    EXPECT_EQ(text, "hello");
}

}  // namespace
}  // namespace redstream::resp
