// ReadLane: which slots a lane reads, and when a lane of several blocks.
#include <gtest/gtest.h>

#include <asio/io_context.hpp>

#include "../../src/redis/consumer/core.hpp"

namespace redstream::detail {
namespace {

using std::chrono::milliseconds;

class ReadLaneTest : public ::testing::Test {
  protected:
    ReadLane lane(std::vector<std::uint16_t> slots) {
        ReadLane l(net::ReconnectOptions{}, strand_);
        if (!slots.empty()) {
            l.all_slots = false;
            l.slots = std::move(slots);
        }
        return l;
    }

    asio::io_context io_;
    asio::strand<asio::any_io_executor> strand_{asio::make_strand(io_.get_executor())};
};

TEST_F(ReadLaneTest, AStandaloneLaneReadsEverySlotAndBlocksAsAsked) {
    auto l = lane({});
    EXPECT_TRUE(l.serves(0));
    EXPECT_TRUE(l.reads(16383));
    EXPECT_EQ(l.block(milliseconds(1000)), milliseconds(1000));
    l.read_done(false);
    EXPECT_EQ(l.block(milliseconds(1000)), milliseconds(1000));
}

TEST_F(ReadLaneTest, ALaneOfOneSlotReadsOnlyItAndBlocksAsAsked) {
    auto l = lane({42});
    EXPECT_TRUE(l.serves(42));
    EXPECT_TRUE(l.reads(42));
    EXPECT_FALSE(l.serves(43));
    EXPECT_FALSE(l.reads(43));
    EXPECT_EQ(l.block(milliseconds(1000)), milliseconds(1000));
}

// Several slots: one per read, in turn; a round of non-blocking reads, and
// only when it found every slot empty one read that blocks, at most
// shared_block, after which a new round looks at every slot again.
TEST_F(ReadLaneTest, ALaneOfSeveralSlotsTakesTurnsAndBlocksOnlyAfterAQuietRound) {
    auto l = lane({1, 2, 3});
    EXPECT_TRUE(l.serves(2));
    EXPECT_TRUE(l.reads(1));
    EXPECT_FALSE(l.reads(2));
    EXPECT_EQ(l.block(milliseconds(1000)), std::nullopt);
    l.read_done(false);
    EXPECT_TRUE(l.reads(2));
    EXPECT_EQ(l.block(milliseconds(1000)), std::nullopt);
    l.read_done(false);
    EXPECT_TRUE(l.reads(3));
    EXPECT_EQ(l.block(milliseconds(1000)), std::nullopt);
    l.read_done(false);  // a quiet round: the next read blocks
    EXPECT_TRUE(l.reads(1));
    EXPECT_EQ(l.block(milliseconds(1000)), ReadLane::shared_block);
    EXPECT_EQ(l.block(milliseconds(20)), milliseconds(20));  // never longer than asked
    l.read_done(false);                                      // the blocking read: a new round
    EXPECT_TRUE(l.reads(2));
    EXPECT_EQ(l.block(milliseconds(1000)), std::nullopt);
}

TEST_F(ReadLaneTest, EntriesStartTheQuietRoundOver) {
    auto l = lane({1, 2});
    l.read_done(false);
    l.read_done(true);
    l.read_done(false);
    EXPECT_EQ(l.block(milliseconds(1000)), std::nullopt);
    l.read_done(false);
    EXPECT_EQ(l.block(milliseconds(1000)), ReadLane::shared_block);
}

}  // namespace
}  // namespace redstream::detail
