// The prefetch bound over many streams (issue 10): a consumer never queues
// more than `prefetch` messages however many keys it reads, delivers every
// message exactly once and in order per stream, and with fewer places than
// keys takes turns so that every stream makes progress. Real-time (XREAD)
// and group (XREADGROUP) consumers alike.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
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

class PrefetchBound : public test::StreamerFixture<> {
  protected:
    static ConsumerOptions options(ConsumerMode mode, std::size_t prefetch) {
        ConsumerOptions o;
        o.mode = mode;
        o.auto_stream_reset = AutoStreamReset::earliest;
        o.block_time = 100ms;
        o.prefetch = prefetch;
        if (mode != ConsumerMode::real_time) {
            o.group = unique_key();
            o.auto_commit = AutoCommit::rolling;
        }
        return o;
    }

    // `streams` fresh keys with `per_stream` messages each, payload = index.
    std::vector<std::string> fill(std::size_t streams, std::size_t per_stream) {
        std::vector<std::string> keys;
        const auto base = unique_key();
        for (std::size_t s = 0; s < streams; ++s)
            keys.push_back(base + ":k" + std::to_string(s));
        std::vector<std::string> payloads;
        for (std::size_t i = 0; i < per_stream; ++i)
            payloads.push_back(std::to_string(i));
        for (const auto& key : keys) {
            resp::Request req;
            for (const auto& p : payloads) {
                const Field f[] = {{"msg", p}};
                commands::xadd(req, key, f);
            }
            client_->exec(req);
        }
        return keys;
    }

    static std::vector<StreamKey> stream_keys(const std::vector<std::string>& keys) {
        std::vector<StreamKey> out;
        for (const auto& k : keys)
            out.emplace_back(k);
        return out;
    }

    // Drains `total` messages: each stream's payloads must be 0, 1, 2, ... in
    // order (every message once), and the queue never above prefetch.
    static void drain_in_order(Consumer& c, const std::vector<std::string>& keys,
                               std::size_t per_stream, std::size_t prefetch, bool ack) {
        std::map<std::string, std::size_t, std::less<>> next;
        for (const auto& k : keys)
            next[k] = 0;
        const std::size_t total = keys.size() * per_stream;
        for (std::size_t n = 0; n < total; ++n) {
            auto m = c.next_for(10s);
            ASSERT_TRUE(m) << "only " << n << " of " << total << " messages arrived";
            auto it = next.find(m->stream_key().name());
            ASSERT_NE(it, next.end()) << m->stream_key().name();
            ASSERT_EQ(m->payload(), std::to_string(it->second)) << it->first;
            ++it->second;
            if (ack) c.ack(*m);
            ASSERT_LE(c.stats().queued, prefetch);
        }
        for (const auto& [key, count] : next)
            EXPECT_EQ(count, per_stream) << key;
        EXPECT_FALSE(c.next_for(200ms)) << "a message delivered twice";
        EXPECT_LE(c.stats().max_queued, prefetch);
        EXPECT_GT(c.stats().max_queued, 0u);
    }
};

TEST_F(PrefetchBound, RealTimeOver200StreamsNeverQueuesMoreThanPrefetch) {
    const auto keys = fill(200, 500);
    auto o = options(ConsumerMode::real_time, 1000);
    auto c = streamer_.create_consumer(stream_keys(keys), o);
    drain_in_order(c, keys, 500, 1000, false);
}

TEST_F(PrefetchBound, GroupOver200StreamsNeverQueuesMoreThanPrefetch) {
    const auto keys = fill(200, 500);
    auto o = options(ConsumerMode::resumable, 1000);
    auto c = streamer_.create_consumer(stream_keys(keys), o);
    drain_in_order(c, keys, 500, 1000, true);
    c.end();
    EXPECT_EQ(c.stats().acked, 200u * 500u);
}

// Fewer places than keys: reads take turns of keys, and every stream gets
// some of the first messages delivered, not only the first keys.
void expect_every_stream_progresses(Consumer& c, const std::vector<std::string>& keys,
                                    std::size_t within, std::size_t prefetch, bool ack) {
    std::map<std::string, std::size_t, std::less<>> seen;
    for (std::size_t n = 0; n < within; ++n) {
        auto m = c.next_for(10s);
        ASSERT_TRUE(m) << "only " << n << " messages arrived";
        ++seen[std::string(m->stream_key().name())];
        if (ack) c.ack(*m);
    }
    for (const auto& k : keys)
        EXPECT_GT(seen[k], 0u) << k << " made no progress in the first " << within;
    EXPECT_LE(c.stats().max_queued, prefetch);
}

TEST_F(PrefetchBound, SmallPrefetchOver50StreamsIsFair) {
    const auto keys = fill(50, 100);
    auto o = options(ConsumerMode::real_time, 10);
    auto c = streamer_.create_consumer(stream_keys(keys), o);
    // Turns of one key at a time (10 places, COUNT 10): all 50 within 50 reads.
    expect_every_stream_progresses(c, keys, 50 * 10 + 10, 10, false);
}

TEST_F(PrefetchBound, SmallPrefetchGroupOver50StreamsIsFair) {
    const auto keys = fill(50, 100);
    auto o = options(ConsumerMode::load_balanced, 10);
    auto c = streamer_.create_consumer(stream_keys(keys), o);
    expect_every_stream_progresses(c, keys, 50 * 10 + 10, 10, true);
}

// Once every key was found empty, a consumer with fewer places than keys
// blocks on all of them: an entry in any key arrives within a block, and
// the bound holds when many keys get one at once.
void expect_woken(Consumer& c, net::SyncClient& client, const std::vector<std::string>& keys,
                  std::size_t prefetch) {
    EXPECT_FALSE(c.next_for(400ms));  // every key is drained and found quiet
    resp::Request req;
    const Field f[] = {{"msg", "late"}};
    commands::xadd(req, keys[37], f);
    client.exec(req);
    auto m = c.next_for(2s);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->stream_key().name(), keys[37]);
    EXPECT_EQ(m->payload(), "late");
    // One entry in every key at once: all arrive, never more than prefetch queued.
    req.clear();
    for (const auto& k : keys)
        commands::xadd(req, k, f);
    client.exec(req);
    std::map<std::string, int, std::less<>> seen;
    for (std::size_t n = 0; n < keys.size(); ++n) {
        auto late = c.next_for(5s);
        ASSERT_TRUE(late) << "only " << n << " of " << keys.size();
        ++seen[std::string(late->stream_key().name())];
        if (c.stats().max_queued > prefetch) break;
    }
    EXPECT_EQ(seen.size(), keys.size());
    EXPECT_LE(c.stats().max_queued, prefetch);
}

TEST_F(PrefetchBound, SmallPrefetchRealTimeWakesOnAnyKey) {
    const auto keys = fill(50, 2);
    auto c = streamer_.create_consumer(stream_keys(keys), options(ConsumerMode::real_time, 10));
    expect_every_stream_progresses(c, keys, 100, 10, false);
    expect_woken(c, *client_, keys, 10);
}

TEST_F(PrefetchBound, SmallPrefetchGroupWakesOnAnyKey) {
    const auto keys = fill(50, 2);
    auto o = options(ConsumerMode::resumable, 10);
    o.auto_commit = AutoCommit::delayed;
    auto c = streamer_.create_consumer(stream_keys(keys), o);
    expect_every_stream_progresses(c, keys, 100, 10, false);
    expect_woken(c, *client_, keys, 10);
}

}  // namespace
}  // namespace redstream
