// The producer on a real cluster (`?cluster=yes`): shards spread over the
// masters, every send confirmed and stored exactly once, also while a shard's
// slot moves to another master (ASK during the migration, MOVED after).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <redstream/cluster/slot.hpp>
#include <redstream/redstream.hpp>

#include "cluster_env.hpp"
#include "support/eventually.hpp"

namespace rs = redstream;
namespace cluster = redstream::cluster;
using rs::test::RedisCluster;
using rs::test::shared_cluster;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// XLEN of `key` on the master that serves it (asked directly, not routed).
std::uint64_t xlen(const RedisCluster& c, const std::string& key) {
    return std::stoull(c.cli(c.master_of(cluster::key_slot(key)), {"XLEN", key}));
}

TEST(ClusterProducer, ShardsSpreadOverTheMastersAndEverySendLandsOnce) {
    const auto& c = shared_cluster();
    auto streamer = rs::Streamer::connect(c.url());
    constexpr std::uint64_t shards = 12;
    constexpr int n = 20'000;
    auto producer = streamer.create_producer(rs::StreamKey("cluster:orders"), {.shards = shards});
    std::vector<rs::SendFuture> sends;
    sends.reserve(n);
    for (int i = 0; i < n; ++i)
        sends.push_back(producer.send("message " + std::to_string(i)));
    producer.flush();
    std::set<std::uint64_t> shards_used;
    for (auto& s : sends)
        shards_used.insert(s.get().shard_id.value);  // throws if a send failed
    EXPECT_EQ(shards_used.size(), shards);

    std::uint64_t stored = 0;
    std::set<std::size_t> masters;
    for (std::uint64_t s = 0; s < shards; ++s) {
        const auto key = rs::shard_key(rs::StreamKey("cluster:orders"), rs::ShardId{s}, shards);
        stored += xlen(c, key);
        masters.insert(c.master_of(cluster::key_slot(key)));
    }
    EXPECT_EQ(stored, static_cast<std::uint64_t>(n));
    EXPECT_EQ(masters.size(), 3U) << "12 shards without a hash tag use every master";
}

TEST(ClusterProducer, AUrlNamingOneNodeWithoutClusterYesIsDetected) {
    const auto& c = shared_cluster();
    auto streamer =
        rs::Streamer::connect("redis://127.0.0.1:" + std::to_string(c.node(0).port()) + "/");
    constexpr std::uint64_t shards = 6;
    const rs::StreamKey stream("cluster:detected");
    auto producer = streamer.create_producer(stream, {.shards = shards});
    std::vector<rs::SendFuture> sends;
    for (int i = 0; i < 600; ++i)
        sends.push_back(producer.send("m"));
    for (auto& s : sends)
        s.get();  // a MOVED would have failed it
    std::uint64_t stored = 0;
    for (std::uint64_t s = 0; s < shards; ++s)
        stored += xlen(c, rs::shard_key(stream, rs::ShardId{s}, shards));
    EXPECT_EQ(stored, 600U);
}

TEST(ClusterProducer, NothingIsLostOrDuplicatedWhileAShardMovesToAnotherMaster) {
    RedisCluster c;  // its own: the test changes the topology
    auto streamer = rs::Streamer::connect(c.url());
    const rs::StreamKey stream("cluster:moving");
    constexpr std::uint64_t shards = 4;
    auto producer = streamer.create_producer(stream, {.shards = shards});
    const auto moving = rs::shard_key(stream, rs::ShardId{1}, shards);
    producer.send("first").get();  // every shard key exists before the move

    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> sent{0};
    std::atomic<std::uint64_t> failed{0};
    std::thread sender([&] {
        std::vector<rs::SendFuture> window;  // 256 sends in flight
        const auto settle = [&] {
            for (auto& f : window) {
                try {
                    f.get();
                    ++sent;
                } catch (const rs::Error&) {
                    ++failed;
                }
            }
            window.clear();
        };
        while (!stop.load()) {
            window.push_back(producer.send("m"));
            if (window.size() == 256) settle();
        }
        settle();
    });
    struct Joiner {  // stops the sender whatever happens below
        std::atomic<bool>& stop;
        std::thread& t;
        ~Joiner() {
            stop = true;
            if (t.joinable()) t.join();
        }
    } joiner{stop, sender};
    const auto confirmed = [&](std::uint64_t n) {
        return rs::test::eventually([&] { return sent.load() >= n || failed.load() > 0; },
                                    std::chrono::seconds(30));
    };
    // Some go out before the move, some after.
    ASSERT_TRUE(confirmed(2'000));
    c.move_slot(cluster::key_slot(moving), {moving});
    // Its length first, then the count: redis-cli takes long enough for the
    // sender to confirm thousands meanwhile, which must not count as "after".
    const auto at_move = xlen(c, moving);  // on its new master
    const auto after_move = sent.load();
    ASSERT_TRUE(confirmed(after_move + 2'000));
    stop = true;
    sender.join();

    EXPECT_EQ(failed.load(), 0U);
    std::uint64_t stored = 0;
    for (std::uint64_t s = 0; s < shards; ++s)
        stored += xlen(c, rs::shard_key(stream, rs::ShardId{s}, shards));
    EXPECT_EQ(stored, sent.load() + 1) << "lost or duplicated sends";
    // Sends went on to the moved shard: the router followed MOVED there.
    EXPECT_GT(xlen(c, moving), at_move);
}

// wait_replicas on a cluster: WAIT goes to every master a batch wrote to,
// after its XADDs there. Each master has one replica: 1 is confirmed, 2
// never is (not_replicated, but stored).
TEST(ClusterProducer, WaitReplicasIsAskedOfEachMasterTheBatchWroteTo) {
    const auto& c = shared_cluster();
    auto streamer = rs::Streamer::connect(c.url());
    const rs::StreamKey stream("cluster:wait");
    constexpr std::uint64_t shards = 6;
    auto replicated = streamer.create_producer(
        stream, {.shards = shards, .wait_replicas = 1, .wait_timeout = std::chrono::seconds(5)});
    std::vector<rs::SendFuture> sends;
    for (int i = 0; i < 600; ++i)
        sends.push_back(replicated.send("m" + std::to_string(i)));
    for (auto& s : sends)
        s.get();  // throws if one was not replicated

    auto too_many = streamer.create_producer(
        stream,
        {.shards = shards, .wait_replicas = 2, .wait_timeout = std::chrono::milliseconds(100)});
    sends.clear();
    for (int i = 0; i < 60; ++i)
        sends.push_back(too_many.send("n" + std::to_string(i)));
    for (auto& s : sends) {
        std::error_code ec;
        s.get(ec);
        EXPECT_EQ(ec, rs::errc::not_replicated) << ec.message();
    }
    std::uint64_t stored = 0;
    for (std::uint64_t s = 0; s < shards; ++s)
        stored += xlen(c, rs::shard_key(stream, rs::ShardId{s}, shards));
    EXPECT_EQ(stored, 660U);
}

// Each master has a pipeline of its own: a master that stops answering
// (DEBUG SLEEP) holds back only the sends it serves, while the others' are
// confirmed as usual; its own are confirmed once it wakes.
TEST(ClusterProducer, AFrozenMasterHoldsBackOnlyTheSendsItServes) {
    // Its own, with a node timeout well above the sleep (no failover).
    RedisCluster c({.replicas_per_master = 0, .node_timeout = 15s});
    // One stream per master.
    std::map<std::size_t, rs::StreamKey> streams;
    for (int i = 0; streams.size() < 3; ++i) {
        rs::StreamKey key("frozen-" + std::to_string(i));
        streams.emplace(c.master_of(cluster::key_slot(key.name())), key);
    }
    const auto& [frozen, frozen_stream] = *streams.begin();
    auto streamer = rs::Streamer::connect(c.url());
    auto producer = streamer.create_producer(frozen_stream);
    for (const auto& entry : streams)
        producer.send_to(entry.second, "warm").get();  // every master's connection is up

    auto sleeper = c.freeze(frozen, 2);
    const auto start = Clock::now();
    // Interleaved, as a sharded stream's sends are.
    std::vector<rs::SendFuture> held, others;
    for (int i = 0; i < 200; ++i) {
        for (const auto& entry : streams) {
            auto f = producer.send_to(entry.second, "m");
            (entry.first == frozen ? held : others).push_back(std::move(f));
        }
    }
    for (auto& f : others)
        f.get();  // throws if one failed
    const auto others_took = Clock::now() - start;
    EXPECT_LT(others_took, 1s) << "the awake masters' sends waited for the frozen one";
    EXPECT_EQ(sleeper.wait_for(0s), std::future_status::timeout)
        << "the sleep ended before the check: it proved nothing";
    EXPECT_EQ(held.front().wait_for(0ms), std::future_status::timeout)
        << "a send to the frozen master was confirmed while it slept";

    EXPECT_GE(sleeper.get(), 1500ms) << "DEBUG SLEEP did not sleep";
    for (auto& f : held)
        f.get();  // confirmed once it woke (throws if it failed)
    for (const auto& entry : streams) {
        const auto expected = 201U;
        EXPECT_EQ(std::stoull(c.cli(entry.first, {"XLEN", std::string(entry.second.name())})),
                  expected)
            << entry.second.name();
    }
}

}  // namespace
