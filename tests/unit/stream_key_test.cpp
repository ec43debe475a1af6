// StreamKey validation and the shard key naming convention.
#include <gtest/gtest.h>

#include <string>

#include <redstream/core/error.hpp>
#include <redstream/core/stream.hpp>

namespace redstream {
namespace {

TEST(StreamKey, AcceptsAnyNonEmptyKeyUpToTheLimit) {
    EXPECT_EQ(StreamKey("orders").name(), "orders");
    EXPECT_EQ(StreamKey("app:events").name(), "app:events");
    EXPECT_EQ(StreamKey("{user}:feed").name(), "{user}:feed");
    EXPECT_EQ(StreamKey(std::string(StreamKey::max_size, 'k')).name().size(), StreamKey::max_size);
    EXPECT_TRUE(StreamKey().empty());
}

TEST(StreamKey, RejectsEmptyAndTooLongSayingWhy) {
    try {
        StreamKey k("");
        FAIL() << "empty key accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("stream key is empty"), std::string::npos);
    }
    try {
        StreamKey k(std::string(513, 'k'));
        FAIL() << "long key accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("stream key is 513 bytes; the limit is 512"),
                  std::string::npos)
            << e.what();
    }
}

TEST(StreamKey, MakeReportsWithoutThrowing) {
    std::error_code ec;
    std::string why;
    EXPECT_TRUE(StreamKey::make("", ec, &why).empty());
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_EQ(why, "stream key is empty");
    EXPECT_EQ(StreamKey::make("ok", ec).name(), "ok");
    EXPECT_FALSE(ec);
}

TEST(StreamKey, EqualityComparesNames) {
    EXPECT_EQ(StreamKey("a"), StreamKey(std::string("a")));
    EXPECT_FALSE(StreamKey("a") == StreamKey("b"));
}

TEST(ShardKey, PlainForOneShardSuffixedOtherwise) {
    EXPECT_EQ(shard_key("s", ShardId{0}, 1), "s");
    EXPECT_EQ(shard_key("s", ShardId{0}, 3), "s:0");
    EXPECT_EQ(shard_key("app:events", ShardId{2}, 3), "app:events:2");
}

}  // namespace
}  // namespace redstream
