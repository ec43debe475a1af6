// A consumer whose prefetch is smaller than its read lanes (one per slot it
// reads, on three masters): a lane blocked on quiet keys must not hold the
// only room while other lanes' keys have entries waiting. With a BLOCK time
// far longer than the test's deadline, a lane that held the room would show
// as a drain that outlasts the deadline.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

#include <redstream/cluster/slot.hpp>
#include <redstream/redstream.hpp>

#include "cluster_env.hpp"
#include "support/redis_server.hpp"

namespace rs = redstream;
namespace cluster = redstream::cluster;
using rs::test::shared_cluster;
using rs::test::unique_key;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t shards = 6;
constexpr std::size_t n = 40;

void drains_without_waiting_for_a_block(rs::ConsumerMode mode) {
    const auto& c = shared_cluster();
    const rs::StreamKey stream(unique_key("small-prefetch"));
    std::set<std::size_t> masters;
    for (std::uint64_t s = 0; s < shards; ++s)
        masters.insert(
            c.master_of(cluster::key_slot(rs::shard_key(stream, rs::ShardId{s}, shards))));
    ASSERT_GE(masters.size(), 2U) << "the shards must span masters for the test to mean much";
    auto streamer = rs::Streamer::connect(c.url());
    auto producer = streamer.create_producer(stream, {.shards = shards});
    for (std::size_t i = 0; i < n; ++i)
        producer.send(std::to_string(i));
    producer.flush();

    rs::ConsumerOptions o;
    o.mode = mode;
    o.auto_stream_reset = rs::AutoStreamReset::earliest;
    o.prefetch = 1;
    o.block_time = 20s;
    auto consumer = streamer.create_consumer({stream}, o);
    std::set<std::string> got;
    const auto deadline = Clock::now() + 8s;
    while (got.size() < n && Clock::now() < deadline)
        if (auto m = consumer.next_for(500ms)) got.emplace(m->payload());
    EXPECT_EQ(got.size(), n) << "a lane blocked for its BLOCK time held the room";
    EXPECT_FALSE(consumer.last_error()) << consumer.last_error().message();
}

TEST(ClusterSmallPrefetch, ARealTimeConsumerDrainsEveryLane) {
    drains_without_waiting_for_a_block(rs::ConsumerMode::real_time);
}

TEST(ClusterSmallPrefetch, ALoadBalancedMemberDrainsEveryLane) {
    drains_without_waiting_for_a_block(rs::ConsumerMode::load_balanced);
}

}  // namespace
