// The real-time consumer against a real redis-server: the checks shared with
// the cluster tests (support/stream_checks.hpp: start positions, the
// quiet-stream case, messages, keys with `:` and hash tags, shards), and the
// prefetch bound, the ways to wait, the error cases and a deleted stream.
#include <gtest/gtest.h>

#include <future>
#include <string>
#include <thread>
#include <vector>

#include <asio/use_future.hpp>

#include <redstream/commands/commands.hpp>
#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>
#include <redstream/redis/streamer.hpp>

#include "streamer_fixture.hpp"
#include "support/redis_server.hpp"
#include "support/stream_checks.hpp"
#include "support/stream_checks_util.hpp"
#include "support/target.hpp"

namespace redstream {
namespace {

using namespace std::chrono_literals;
using test::unique_key;
namespace checks = test::stream_checks;
using checks::util::take;

class RealTimeConsumer : public test::StreamerFixture<> {
  protected:
    static test::Target target() { return test::standalone_target(server()); }

    // Short blocks keep the tests quick; behaviour does not depend on them.
    static ConsumerOptions options(AutoStreamReset reset) {
        ConsumerOptions o;
        o.auto_stream_reset = reset;
        o.block_time = 100ms;
        return o;
    }

    MessageId add(const std::string& key, std::string_view payload, std::vector<Field> extra = {}) {
        extra.insert(extra.begin(), {"msg", payload});
        resp::Request req;
        commands::xadd(req, key, extra);
        std::error_code ec;
        const auto id = commands::decode_xadd(client_->exec(req).at(0).root(), ec);
        EXPECT_FALSE(ec) << ec.message();
        return id.value_or(MessageId{});
    }

    // Pipelined: `n` messages "<prefix><i>".
    void add_many(const std::string& key, int n, const std::string& prefix) {
        resp::Request req;
        std::vector<std::string> payloads;
        for (int i = 0; i < n; ++i)
            payloads.push_back(prefix + std::to_string(i));
        for (const auto& p : payloads) {
            const Field f[] = {{"msg", p}};
            commands::xadd(req, key, f);
        }
        client_->exec(req);
    }
};

TEST_F(RealTimeConsumer, EarliestSeesHistoryAcrossTwoStreams) {
    checks::earliest_sees_history_across_streams(target());
}

TEST_F(RealTimeConsumer, LatestSeesOnlyWhatIsProducedAfterStart) {
    checks::latest_sees_only_what_comes_after_start(target());
}

TEST_F(RealTimeConsumer, QuietStreamNextToBusyOneLosesNothing) {
    checks::quiet_stream_next_to_busy_one_loses_nothing(target());
}

TEST_F(RealTimeConsumer, MessageHasHeaderPayloadAndOtherFieldsInOrder) {
    checks::message_has_header_payload_and_fields(target());
}

TEST_F(RealTimeConsumer, KeysWithColonsHashTagsAndGlobCharacters) {
    checks::keys_with_colons_hash_tags_and_glob_characters(target());
}

TEST_F(RealTimeConsumer, EveryShardIsReadBackInOrder) {
    checks::shards_read_back_in_order(target());
}

TEST_F(RealTimeConsumer, ShardCreatedAfterStartIsDiscoveredAndReadWhole) {
    checks::shard_created_after_start_is_read_whole(target());
}

TEST_F(RealTimeConsumer, AssignAndUnassignAShard) {
    checks::assign_and_unassign_a_shard(target());
}

TEST_F(RealTimeConsumer, PrefetchBoundsTheQueue) {
    const auto key = unique_key();
    add_many(key, 1000, "m");
    auto o = options(AutoStreamReset::earliest);
    o.prefetch = 10;
    o.batch_size = 5;
    auto c = streamer_.create_consumer({key}, o);
    // Let the loop fill the queue before draining it.
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (c.stats().queued < *o.prefetch && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    EXPECT_GE(c.stats().queued, *o.prefetch);
    EXPECT_EQ(take(c, 1000).size(), 1000u);
    EXPECT_LE(c.stats().max_queued, *o.prefetch);
    EXPECT_GE(c.stats().reads, 1000 / o.batch_size);
}

TEST_F(RealTimeConsumer, NextForTimesOutAndEndWakesAWaitingNext) {
    auto c = streamer_.create_consumer({unique_key()}, options(AutoStreamReset::latest));
    EXPECT_FALSE(c.next_for(100ms));
    auto waiting = std::async(std::launch::async, [&c] {
        std::error_code ec;
        c.next(ec);
        return ec;
    });
    EXPECT_EQ(waiting.wait_for(200ms), std::future_status::timeout);
    c.end();
    EXPECT_EQ(waiting.get(), errc::shutting_down);
    EXPECT_THROW(c.next(), Error);
    c.end();  // idempotent
}

TEST_F(RealTimeConsumer, AsyncNextWithCallbackAndFuture) {
    const auto key = unique_key();
    auto c = streamer_.create_consumer({key}, options(AutoStreamReset::latest));
    std::promise<std::string> got;
    c.async_next([&got](std::error_code ec, Message m) {
        got.set_value(ec ? ec.message() : std::string(m.payload()));
    });
    add(key, "cb");
    EXPECT_EQ(got.get_future().get(), "cb");
    auto f = c.async_next(asio::use_future);
    add(key, "fut");
    EXPECT_EQ(f.get().payload(), "fut");
}

TEST_F(RealTimeConsumer, IterationStopsAfterEnd) {
    const auto key = unique_key();
    add_many(key, 3, "m");
    auto c = streamer_.create_consumer({key}, options(AutoStreamReset::earliest));
    int n = 0;
    for (const Message& m : c.messages()) {
        EXPECT_EQ(m.payload(), "m" + std::to_string(n));
        if (++n == 3) c.end();
    }
    EXPECT_EQ(n, 3);
}

TEST_F(RealTimeConsumer, WrongTypeKeyFailsNextWithoutBusyLooping) {
    const auto key = unique_key();
    client_->exec_one("SET", key, "not a stream");
    for (auto reset : {AutoStreamReset::earliest, AutoStreamReset::latest}) {
        auto c = streamer_.create_consumer({key}, options(reset));
        std::error_code ec;
        EXPECT_FALSE(c.next_for(5s, ec));
        EXPECT_EQ(ec, errc::wrongtype);
        EXPECT_EQ(ec, errc::wrongtype) << "sticky";
        const auto reads = c.stats().reads;
        EXPECT_FALSE(c.next_for(300ms, ec));
        EXPECT_EQ(ec, errc::wrongtype);
        EXPECT_LE(c.stats().reads, reads + 1) << "kept reading a key of the wrong type";
    }
}

// Documented: XREAD on a missing key returns nothing, so a deleted stream is
// simply quiet; entries of a re-created stream with ids above the last one
// read are delivered.
TEST_F(RealTimeConsumer, StreamDeletedWhileReadIsQuietThenContinues) {
    const auto key = unique_key();
    const auto other = unique_key();
    add(key, "before");
    auto c = streamer_.create_consumer({key, other}, options(AutoStreamReset::earliest));
    auto first = take(c, 1).at(0);
    client_->exec_one("DEL", key);
    EXPECT_FALSE(c.next_for(300ms));
    add(other, "other");
    EXPECT_EQ(take(c, 1).at(0).payload(), "other");
    const auto later = first.id().next().next();
    resp::Request req;
    const Field f[] = {{"msg", "after"}};
    commands::xadd(req, key, f, {.id = commands::XAddId::exact({later.ms + 1, 0})});
    client_->exec(req);
    EXPECT_EQ(take(c, 1).at(0).payload(), "after");
}

}  // namespace
}  // namespace redstream
