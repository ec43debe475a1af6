// ConsumerOptions::read_from_replicas on the shared 3+3 cluster: a
// real-time consumer reads every shard from the replicas (READONLY), none
// from the masters, and gets every message once.
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <redstream/cluster/slot.hpp>
#include <redstream/redstream.hpp>

#include "cluster_env.hpp"
#include "support/redis_server.hpp"

namespace rs = redstream;
namespace cluster = redstream::cluster;
using rs::test::RedisCluster;
using rs::test::shared_cluster;
using rs::test::unique_key;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t shards = 12;

// The lines of node `i`'s CLIENT LIST for connections named `name`.
std::vector<std::string> clients_named(const RedisCluster& c, std::size_t i,
                                       const std::string& name) {
    std::istringstream in(c.cli(i, {"CLIENT", "LIST"}));
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
        if (line.find(" name=" + name + " ") != std::string::npos) out.push_back(line);
    return out;
}

// The value of `field` in a CLIENT LIST line ("" if absent).
std::string field_of(const std::string& line, const std::string& field) {
    const auto at = line.find(" " + field + "=");
    if (at == std::string::npos) return {};
    const auto from = at + field.size() + 2;
    return line.substr(from, line.find(' ', from) - from);
}

TEST(ClusterReplicaReads, ARealTimeConsumerReadsEveryShardFromTheReplicasOnly) {
    const auto& c = shared_cluster();
    const rs::StreamKey stream(unique_key("replica-reads"));
    const auto name = unique_key("rfr");
    auto streamer = rs::Streamer::connect(c.url(name));
    constexpr std::size_t n = 3000;
    auto producer = streamer.create_producer(stream, {.shards = shards});
    for (std::size_t i = 0; i < n; ++i)
        producer.send(std::to_string(i));
    producer.flush();

    rs::ConsumerOptions o;
    o.auto_stream_reset = rs::AutoStreamReset::earliest;
    o.read_from_replicas = true;
    auto consumer = streamer.create_consumer({stream}, o);
    std::vector<int> seen(n, 0);
    std::size_t distinct = 0;
    const auto deadline = Clock::now() + 30s;
    while (distinct < n && Clock::now() < deadline) {
        if (auto m = consumer.next_for(1s)) {
            const auto i = std::stoul(std::string(m->payload()));
            ASSERT_LT(i, n);
            if (seen[i]++ == 0) ++distinct;
        }
    }
    ASSERT_EQ(distinct, n) << "messages missing after 30 s";
    if (auto extra = consumer.next_for(300ms)) ++seen.at(std::stoul(std::string(extra->payload())));
    for (std::size_t i = 0; i < n; ++i)
        EXPECT_EQ(seen[i], 1) << "message " << i;
    EXPECT_FALSE(consumer.last_error()) << consumer.last_error().message();

    // Where the reads ran: the shards' masters each have a replica, so
    // every XREAD went to a replica, on a READONLY connection ('r').
    std::set<std::size_t> masters;
    for (std::uint64_t s = 0; s < shards; ++s)
        masters.insert(
            c.master_of(cluster::key_slot(rs::shard_key(stream, rs::ShardId{s}, shards))));
    std::set<std::size_t> replicas_read;
    for (std::size_t i = 0; i < c.size(); ++i) {
        for (const auto& line : clients_named(c, i, name)) {
            const bool reads = field_of(line, "cmd") == "xread";
            if (masters.count(i)) {
                EXPECT_FALSE(reads) << "a master served a read: " << line;
            } else if (reads) {
                replicas_read.insert(i);
                EXPECT_NE(field_of(line, "flags").find('r'), std::string::npos)
                    << "a replica read without READONLY: " << line;
            }
        }
    }
    EXPECT_EQ(replicas_read.size(), masters.size()) << "each master's replica read its slots";
}

}  // namespace
