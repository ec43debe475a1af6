// seek() and rewind() of the real-time consumer at batch sizes 1, 5 and 25:
// each takes effect for the very next message, whatever was prefetched.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <redstream/commands/commands.hpp>
#include <redstream/net/client.hpp>
#include <redstream/redis/streamer.hpp>

#include "streamer_fixture.hpp"
#include "support/redis_server.hpp"

namespace redstream {
namespace {

using namespace std::chrono_literals;
using test::unique_key;

constexpr std::uint64_t first_ms = 1000;
constexpr int count = 60;

class ConsumerSeek : public test::StreamerFixture<::testing::TestWithParam<std::size_t>> {
  protected:
    void SetUp() override {
        StreamerFixture::SetUp();
        // Two streams with known ids: entry i at (first_ms + 2i)-0.
        for (const auto& key : {a_, b_}) {
            resp::Request req;
            for (int i = 0; i < count; ++i) {
                const Field f[] = {{"msg", "x"}};
                commands::xadd(req, key, f, {.id = commands::XAddId::exact(id(i))});
            }
            client_->exec(req);
        }
        ConsumerOptions o;
        o.auto_stream_reset = AutoStreamReset::earliest;
        o.batch_size = GetParam();
        o.prefetch = 10;
        o.block_time = 100ms;
        consumer_ = streamer_.create_consumer({a_, b_}, o);
        // Something is prefetched when the position changes.
        for (int i = 0; i < 7; ++i)
            next();
    }
    static MessageId id(int i) { return {first_ms + 2 * static_cast<std::uint64_t>(i), 0}; }

    Message next() {
        auto m = consumer_.next_for(5s);
        if (!m) ADD_FAILURE() << "no message";
        return m.value_or(Message{});
    }

    // After a position change, both streams deliver from `i` on, in order.
    void expect_from(int i) {
        std::vector<MessageId> from_a, from_b;
        for (int n = 0; n < 2 * (count - i); ++n) {
            auto m = next();
            (m.stream_key().name() == a_ ? from_a : from_b).push_back(m.id());
        }
        std::vector<MessageId> want;
        for (int n = i; n < count; ++n)
            want.push_back(id(n));
        EXPECT_EQ(from_a, want);
        EXPECT_EQ(from_b, want);
        EXPECT_FALSE(consumer_.next_for(200ms));
    }

    std::string a_ = unique_key(), b_ = unique_key();
    Consumer consumer_;
};

TEST_P(ConsumerSeek, RewindToTheBeginning) {
    consumer_.rewind(SeqPos::beginning());
    expect_from(0);
}

TEST_P(ConsumerSeek, RewindToAnIdInTheMiddle) {
    consumer_.rewind(SeqPos::at(id(30)));
    expect_from(30);
}

TEST_P(ConsumerSeek, RewindToAGoneIdStartsAtTheNextOne) {
    consumer_.rewind(SeqPos::at(MessageId{id(40).ms - 1, 0}));
    expect_from(40);
}

TEST_P(ConsumerSeek, SeekToAPointInTime) {
    // Between two entries' times: the first at or after it is entry 45.
    consumer_.seek(Timestamp(std::chrono::milliseconds(id(45).ms - 1)));
    expect_from(45);
    consumer_.seek(timestamp_of(id(50)));
    expect_from(50);
}

TEST_P(ConsumerSeek, RewindToTheEnd) {
    consumer_.rewind(SeqPos::end());
    EXPECT_FALSE(consumer_.next_for(300ms));
    resp::Request req;
    const Field f[] = {{"msg", "new"}};
    commands::xadd(req, b_, f);
    client_->exec(req);
    auto m = next();
    EXPECT_EQ(m.stream_key().name(), b_);
    EXPECT_EQ(m.payload(), "new");
}

INSTANTIATE_TEST_SUITE_P(BatchSizes, ConsumerSeek, ::testing::Values(1, 5, 25));

}  // namespace
}  // namespace redstream
