// The real-time consumer against a real redis-server: start positions, the
// quiet-stream case, messages, keys with `:` and hash tags, shards, the
// prefetch bound, the ways to wait, and the error cases.
#include <gtest/gtest.h>

#include <future>
#include <map>
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

namespace redstream {
namespace {

using namespace std::chrono_literals;
using test::unique_key;

class RealTimeConsumer : public test::StreamerFixture<> {
  protected:
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

    static std::vector<Message> take(Consumer& c, std::size_t n) {
        std::vector<Message> out;
        while (out.size() < n) {
            auto m = c.next_for(5s);
            if (!m) {
                ADD_FAILURE() << "only " << out.size() << " of " << n << " messages arrived";
                break;
            }
            out.push_back(std::move(*m));
        }
        return out;
    }

    static std::vector<std::string> payloads_of(const std::vector<Message>& ms,
                                                std::string_view stream) {
        std::vector<std::string> out;
        for (const auto& m : ms)
            if (m.stream_key().name() == stream) out.emplace_back(m.payload());
        return out;
    }
};

TEST_F(RealTimeConsumer, EarliestSeesHistoryAcrossTwoStreams) {
    const auto a = unique_key(), b = unique_key();
    add_many(a, 3, "a");
    add_many(b, 2, "b");
    auto c = streamer_.create_consumer({a, b}, options(AutoStreamReset::earliest));
    auto ms = take(c, 5);
    EXPECT_EQ(payloads_of(ms, a), (std::vector<std::string>{"a0", "a1", "a2"}));
    EXPECT_EQ(payloads_of(ms, b), (std::vector<std::string>{"b0", "b1"}));
    add(b, "b2");
    EXPECT_EQ(take(c, 1).at(0).payload(), "b2");
}

TEST_F(RealTimeConsumer, LatestSeesOnlyWhatIsProducedAfterStart) {
    const auto a = unique_key(), b = unique_key();
    add_many(a, 3, "old");
    add_many(b, 3, "old");
    auto c = streamer_.create_consumer({a, b}, options(AutoStreamReset::latest));
    EXPECT_FALSE(c.next_for(300ms));
    add(a, "new-a");
    add(b, "new-b");
    auto ms = take(c, 2);
    EXPECT_EQ(payloads_of(ms, a), (std::vector<std::string>{"new-a"}));
    EXPECT_EQ(payloads_of(ms, b), (std::vector<std::string>{"new-b"}));
    EXPECT_FALSE(c.next_for(200ms));
}

// The seed crate's bug: a stream that had not delivered yet re-sent `$` on
// every read, losing what was added to it between two reads. A small
// prefetch makes the busy stream need many reads; the quiet one gets its
// messages while the loop is between reads (paused on a full queue).
TEST_F(RealTimeConsumer, QuietStreamNextToBusyOneLosesNothing) {
    const auto busy = unique_key(), quiet = unique_key();
    auto o = options(AutoStreamReset::latest);
    o.batch_size = 10;
    o.prefetch = 10;
    auto c = streamer_.create_consumer({busy, quiet}, o);
    add_many(busy, 300, "m");
    std::vector<Message> got;
    for (int round = 0; round < 3; ++round) {
        auto part = take(c, 50);
        got.insert(got.end(), part.begin(), part.end());
        add(quiet, "q" + std::to_string(round));
    }
    auto rest = take(c, 300 - 150 + 3);
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_EQ(payloads_of(got, quiet), (std::vector<std::string>{"q0", "q1", "q2"}));
    EXPECT_EQ(payloads_of(got, busy).size(), 300u);
    EXPECT_FALSE(c.next_for(200ms));
}

TEST_F(RealTimeConsumer, MessageHasHeaderPayloadAndOtherFieldsInOrder) {
    const auto key = unique_key();
    auto c = streamer_.create_consumer({key}, options(AutoStreamReset::latest));
    const auto id = add(key, "hello", {{"a", "1"}, {"b", "2"}});
    auto m = take(c, 1).at(0);
    EXPECT_EQ(m.stream_key().name(), key);
    EXPECT_EQ(m.shard_id(), ShardId{0});
    EXPECT_EQ(m.id(), id);
    EXPECT_EQ(m.timestamp(), timestamp_of(id));
    EXPECT_EQ(m.payload(), "hello");
    ASSERT_EQ(m.fields().size(), 2u);
    EXPECT_EQ(m.fields()[0], (Field{"a", "1"}));
    EXPECT_EQ(m.fields()[1], (Field{"b", "2"}));
}

TEST_F(RealTimeConsumer, KeysWithColonsHashTagsAndGlobCharacters) {
    const auto colon = unique_key("app:events"), tag = unique_key("{user}:feed"),
               glob = unique_key("a*b?[c]\\d");
    add(colon, "1");
    add(tag, "2");
    add(glob, "3");
    add(glob + ":1", "4");
    auto c = streamer_.create_consumer({colon, tag, glob}, options(AutoStreamReset::earliest));
    auto ms = take(c, 4);
    EXPECT_EQ(payloads_of(ms, colon), (std::vector<std::string>{"1"}));
    EXPECT_EQ(payloads_of(ms, tag), (std::vector<std::string>{"2"}));
    EXPECT_EQ(payloads_of(ms, glob), (std::vector<std::string>{"3", "4"}));
}

TEST_F(RealTimeConsumer, RoundRobinOverThreeShardsReadsBackEverything) {
    const auto s = unique_key();
    for (int i = 0; i < 30; ++i)
        add(s + ":" + std::to_string(i % 3), std::to_string(i));
    auto c = streamer_.create_consumer({s}, options(AutoStreamReset::earliest));
    std::map<std::uint64_t, std::vector<int>> by_shard;
    for (const auto& m : take(c, 30)) {
        EXPECT_EQ(m.stream_key().name(), s);
        by_shard[m.shard_id().value].push_back(std::stoi(std::string(m.payload())));
    }
    ASSERT_EQ(by_shard.size(), 3u);
    for (auto& [shard, values] : by_shard) {
        ASSERT_EQ(values.size(), 10u);
        for (std::size_t i = 0; i < values.size(); ++i)
            EXPECT_EQ(values[i], static_cast<int>(i * 3 + shard));  // in order per shard
    }
}

TEST_F(RealTimeConsumer, ShardCreatedAfterStartIsDiscoveredAndReadWhole) {
    const auto s = unique_key();
    auto o = options(AutoStreamReset::latest);
    o.discovery_interval = 100ms;
    auto c = streamer_.create_consumer({s}, o);
    add(s + ":5", "x");
    add(s + ":5", "y");
    auto ms = take(c, 2);
    EXPECT_EQ(ms.at(0).shard_id(), ShardId{5});
    EXPECT_EQ(payloads_of(ms, s), (std::vector<std::string>{"x", "y"}));
}

TEST_F(RealTimeConsumer, AssignAndUnassignAShard) {
    const auto s = unique_key();
    add(s + ":1", "one");
    auto o = options(AutoStreamReset::earliest);
    o.discover_shards = false;
    auto c = streamer_.create_consumer({s}, o);
    EXPECT_FALSE(c.next_for(300ms));
    c.assign(s, ShardId{1});
    auto m = take(c, 1).at(0);
    EXPECT_EQ(m.payload(), "one");
    EXPECT_EQ(m.shard_id(), ShardId{1});
    c.unassign(s, ShardId{1});
    add(s + ":1", "two");
    add(s, "plain");
    m = take(c, 1).at(0);  // the plain key is still read; shard 1 no longer
    EXPECT_EQ(m.payload(), "plain");
    EXPECT_FALSE(c.next_for(300ms));
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
