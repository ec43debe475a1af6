#include <gtest/gtest.h>

#include <redstream/core/message_id.hpp>

#include <cstdint>
#include <string>

namespace redstream {
namespace {

TEST(MessageId, ParseFull) {
    EXPECT_EQ(MessageId::parse("1526919030474-55"), (MessageId{1526919030474, 55}));
    EXPECT_EQ(MessageId::parse("0-0"), MessageId::min());
    EXPECT_EQ(MessageId::parse("0-1"), (MessageId{0, 1}));
}

TEST(MessageId, ParseBareMs) {
    EXPECT_EQ(MessageId::parse("42"), (MessageId{42, 0}));
}

TEST(MessageId, MaxValuesAreLossless) {
    const std::string text = "18446744073709551615-18446744073709551615";
    const auto id = MessageId::parse(text);
    ASSERT_TRUE(id);
    EXPECT_EQ(*id, MessageId::max());
    EXPECT_EQ(id->to_string(), text);
    EXPECT_EQ(text.size(), MessageId::max_text_size);
    // The sequence is a full 64-bit number, never squeezed.
    EXPECT_EQ(MessageId::parse("1-4294967296")->seq, 4294967296ULL);
    EXPECT_EQ(MessageId::parse("1-65536")->seq, 65536u);
}

TEST(MessageId, ParseRejects) {
    for (const char* bad : {"",
                            "-",
                            "*",
                            "$",
                            ">",
                            "+",
                            "1-",
                            "-1",
                            "1-2-3",
                            "a-1",
                            "1-b",
                            " 1-2",
                            "1-2 ",
                            "+1-2",
                            "1-+2",
                            "18446744073709551616-0",
                            "0-18446744073709551616",
                            "1--2",
                            "(1-2",
                            "1.5-2"})
        EXPECT_FALSE(MessageId::parse(bad)) << bad;
}

TEST(MessageId, Format) {
    char buf[MessageId::max_text_size];
    const MessageId id{123, 4};
    const auto n = id.format(buf);
    EXPECT_EQ(std::string(buf, n), "123-4");
    EXPECT_EQ(MessageId::min().to_string(), "0-0");
    EXPECT_EQ((MessageId{UINT64_MAX, 0}).to_string(), "18446744073709551615-0");
}

TEST(MessageId, RoundTrip) {
    for (const MessageId id : {MessageId{0, 0}, MessageId{1, 2}, MessageId{UINT64_MAX, 1},
                               MessageId{1700000000000, UINT64_MAX}, MessageId::max()})
        EXPECT_EQ(MessageId::parse(id.to_string()), id);
}

TEST(MessageId, Next) {
    EXPECT_EQ((MessageId{5, 7}).next(), (MessageId{5, 8}));
    EXPECT_EQ((MessageId{5, UINT64_MAX}).next(), (MessageId{6, 0}));
    EXPECT_EQ(MessageId::max().next(), MessageId::max());
    static_assert(MessageId::min().next() == MessageId{0, 1});
}

TEST(MessageId, Ordering) {
    EXPECT_LT((MessageId{1, 9}), (MessageId{2, 0}));
    EXPECT_LT((MessageId{2, 0}), (MessageId{2, 1}));
    EXPECT_GT((MessageId{3, 0}), (MessageId{2, UINT64_MAX}));
    EXPECT_EQ((MessageId{2, 1}), (MessageId{2, 1}));
    EXPECT_LT(MessageId::min(), MessageId::max());
    EXPECT_LT((MessageId{UINT64_MAX, UINT64_MAX - 1}), MessageId::max());
}

}  // namespace
}  // namespace redstream
