// The dead-letter move: the one EVAL it sends (keys, group, id, the entry's
// fields, then the origin fields) and how its replies read.
#include <gtest/gtest.h>

#include <redstream/commands/types.hpp>
#include <redstream/core/error.hpp>
#include <redstream/redis/consumer.hpp>
#include "../../src/redis/consumer/dead_letter.hpp"

#include "support/replies.hpp"

namespace redstream::detail {
namespace {

// The bulk strings of a request, in order.
std::vector<std::string> args_of(const resp::Request& req) {
    auto reply = test::parse_reply(req.payload());
    std::vector<std::string> out;
    for (auto v : reply.root())
        out.emplace_back(v.str());
    return out;
}

// The default shares the origin's cluster hash slot: the move is one script.
TEST(DeadLetter, TheDefaultKeyIsInTheOriginsHashSlot) {
    EXPECT_EQ(dead_letter_key("", "orders:3"), "{orders:3}:dead");
    EXPECT_EQ(dead_letter_key("", "{orders}:3"), "{orders}:3:dead");
    EXPECT_EQ(dead_letter_key("", "a{}b"), "a{}b:dead") << "no tag, but braces";
    EXPECT_EQ(dead_letter_key("poison", "orders:3"), "poison");
}

TEST(DeadLetter, OneEvalCarriesTheEntryAndWhereItCameFrom) {
    const auto reply = test::parse_reply(
        "*2\r\n*2\r\n$3\r\n5-1\r\n*4\r\n$3\r\nmsg\r\n$2\r\nhi\r\n$1\r\nk\r\n$1\r\nv\r\n"
        "*2\r\n$3\r\n6-0\r\n*0\r\n");
    std::error_code ec;
    const auto entries = commands::decode_entries(reply.root(), ec);
    ASSERT_FALSE(ec);
    resp::Request req;
    dead_letter(req, "orders", "orders:dead", "g", entries[0], 3);
    EXPECT_EQ(req.commands(), 1u);
    const auto args = args_of(req);
    ASSERT_EQ(args.size(), 19u);
    EXPECT_EQ(args[0], "EVAL");
    EXPECT_EQ(args[2], "2");
    const std::vector<std::string> rest(args.begin() + 3, args.end());
    EXPECT_EQ(rest, (std::vector<std::string>{"orders", "orders:dead", "g", "5-1", "msg", "hi", "k",
                                              "v", std::string(DeadLetterFields::origin), "orders",
                                              std::string(DeadLetterFields::group), "g",
                                              std::string(DeadLetterFields::id), "5-1",
                                              std::string(DeadLetterFields::deliveries), "3"}));
}

TEST(DeadLetter, RepliesSayMovedNotPendingOrFailed) {
    std::error_code ec;
    EXPECT_EQ(decode_dead_letter(test::parse_reply("$3\r\n7-0\r\n").root(), ec),
              DeadLetterOutcome::moved);
    EXPECT_EQ(decode_dead_letter(test::parse_reply("$-1\r\n").root(), ec),
              DeadLetterOutcome::not_pending);
    EXPECT_FALSE(ec);
    EXPECT_EQ(decode_dead_letter(test::parse_reply("-WRONGTYPE not a stream\r\n").root(), ec),
              DeadLetterOutcome::failed);
    EXPECT_EQ(ec, errc::wrongtype);
    ec.clear();
    EXPECT_EQ(decode_dead_letter(test::parse_reply(":1\r\n").root(), ec),
              DeadLetterOutcome::failed);
    EXPECT_EQ(ec, errc::unexpected_reply);
}

}  // namespace
}  // namespace redstream::detail
