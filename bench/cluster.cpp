// cluster_producer_64B: what the router costs. The same producer, at default
// options, sends the same stream of 12 shards to a 3-master Redis Cluster
// (?cluster=yes; the router splits each batch by node) and to one
// redis-server (the peer line). Both run on this 2-core machine, so the
// servers' total CPU is the same; the ratio is the client's routing cost and
// the loss of pipelining depth per node. Every send is checked and every
// shard's XLEN summed on the node that serves it.
//
// cluster_consumer_64B: a real-time consumer at default options reads that
// stream back from the beginning, on the cluster (a read lane per shard's
// slot, on its master) and on the one server (one lane for every key).
// Every message is counted and its payload checked.
//
// cluster_latency_idle: send → next() of one message at a time to a random
// shard, the consumer idle (every read blocked) in between, 1,000 times; p99
// in µs (p50 beside it). On the cluster each of the stream's slots has a
// blocking read of its own; on the one server one read blocks on every key.
// Each message must arrive, in order.
//
// Usage: cluster STANDALONE_PORT CLUSTER_PORT[,CLUSTER_PORT...]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <redstream/redstream.hpp>

#include "peers.hpp"

namespace rs = redstream;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t shards = 12;  // 4 per master
constexpr std::uint64_t count = 300'000;
constexpr std::size_t payload_size = 64;

// Entries stored in the stream's shards over `ports` (every node is asked
// for every shard; only the one serving it answers a length, the others
// MOVED), which are then deleted so that the next run starts empty.
std::uint64_t stored_and_deleted(const std::vector<std::string>& ports,
                                 const rs::StreamKey& stream) {
    std::uint64_t total = 0;
    for (const auto& port : ports) {
        rs::net::SyncClient client(
            rs::net::ConnectionConfig::from_url("redis://127.0.0.1:" + port + "/?cluster=no"));
        client.connect();
        for (std::uint64_t s = 0; s < shards; ++s) {
            const auto key = rs::shard_key(stream, rs::ShardId{s}, shards);
            const auto n = client.exec_one("XLEN", key).root().to_int();
            if (!n) continue;  // not this node's
            total += static_cast<std::uint64_t>(*n);
            client.exec_one("DEL", key);
        }
    }
    return total;
}

bench::Side run(const std::string& url, const rs::StreamKey& stream) {
    auto streamer = rs::Streamer::connect(url);
    auto producer = streamer.create_producer(stream, {.shards = shards});
    const std::string payload(payload_size, 'x');
    std::deque<rs::SendFuture> pending;
    std::uint64_t confirmed = 0;
    const auto check = [&](const rs::SendFuture& f) {
        std::error_code ec;
        f.get(ec);
        if (ec) bench::fail(url + ": a send failed: " + ec.message());
        ++confirmed;
    };
    const double cpu0 = bench::process_cpu_ns();
    const auto t0 = Clock::now();
    for (std::uint64_t i = 0; i < count; ++i) {
        pending.push_back(producer.send(payload));
        while (!pending.empty() && pending.front().ready()) {
            check(pending.front());
            pending.pop_front();
        }
    }
    for (const auto& f : pending)
        check(f);
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = bench::process_cpu_ns() - cpu0;
    if (confirmed != count) bench::fail(url + ": not every send was confirmed");
    return {static_cast<double>(count) / secs, cpu / static_cast<double>(count)};
}

bench::Side consume(const std::string& url, const rs::StreamKey& stream) {
    auto streamer = rs::Streamer::connect(url);
    auto consumer =
        streamer.create_consumer({stream}, {.auto_stream_reset = rs::AutoStreamReset::earliest});
    const double cpu0 = bench::process_cpu_ns();
    const auto t0 = Clock::now();
    for (std::uint64_t i = 0; i < count; ++i) {
        const auto m = consumer.next_for(std::chrono::seconds(10));
        if (!m) bench::fail(url + ": a message did not come within 10 s");
        if (m->payload().size() != payload_size || m->payload().front() != 'x')
            bench::fail(url + ": a payload is not the one sent");
    }
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = bench::process_cpu_ns() - cpu0;
    if (consumer.next_for(std::chrono::milliseconds(200)))
        bench::fail(url + ": more messages than were sent");
    return {static_cast<double>(count) / secs, cpu / static_cast<double>(count)};
}

struct Latency {
    double p50_us = 0;
    double p99_us = 0;
    double cpu_ns = 0;  // per message, both sides of the client
};

Latency idle_latency(const std::string& url, const rs::StreamKey& stream) {
    constexpr int rounds = 1000;
    auto streamer = rs::Streamer::connect(url);
    {  // every shard exists before the consumer (round robin: one each)
        auto warm = streamer.create_producer(stream, {.shards = shards});
        for (std::uint64_t s = 0; s < shards; ++s)
            warm.send("warm").get();
    }
    auto producer =
        streamer.create_producer(stream, {.shards = shards, .sharder = rs::Sharder::random()});
    auto consumer = streamer.create_consumer({stream});  // latest: the warm-up is not read
    std::vector<double> us;
    us.reserve(rounds);
    const double cpu0 = bench::process_cpu_ns();
    for (int i = 0; i < rounds; ++i) {
        const auto sent = Clock::now();
        auto f = producer.send(std::to_string(i));
        const auto m = consumer.next_for(std::chrono::seconds(2));
        const auto got = Clock::now();
        if (!m || m->payload() != std::to_string(i))
            bench::fail(url + ": message " + std::to_string(i) + " lost or out of order");
        f.get();
        us.push_back(std::chrono::duration<double, std::micro>(got - sent).count());
        // Pacing: the next message finds every read blocked again.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const double cpu = bench::process_cpu_ns() - cpu0;
    std::sort(us.begin(), us.end());
    return {us[us.size() / 2], us[us.size() * 99 / 100], cpu / rounds};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: cluster STANDALONE_PORT CLUSTER_PORT[,PORT...]\n");
        return 2;
    }
    const std::string standalone = "redis://127.0.0.1:" + std::string(argv[1]) + "/?cluster=no";
    std::string hosts;
    std::stringstream ports(argv[2]);
    std::vector<std::string> cluster_ports;
    for (std::string p; std::getline(ports, p, ',');) {
        cluster_ports.push_back(p);
        hosts += (hosts.empty() ? "" : ",") + ("127.0.0.1:" + p);
    }
    const std::string cluster = "redis://" + hosts + "/?cluster=yes";
    const rs::StreamKey stream("bench:cluster");
    const auto theirs = run(standalone, stream);
    const auto theirs_read = consume(standalone, stream);
    if (stored_and_deleted({argv[1]}, stream) != count) bench::fail("one node: XLEN is off");
    const auto ours = run(cluster, stream);
    const auto ours_read = consume(cluster, stream);
    if (stored_and_deleted(cluster_ports, stream) != count) bench::fail("cluster: XLEN is off");
    const auto extra = ",\"masters\":" + std::to_string(cluster_ports.size()) + ",\"shards\":12";
    bench::print_line("cluster_producer_64B", ours, "msg/s", "redstream on one redis-server",
                      theirs, extra);
    bench::print_line("cluster_consumer_64B", ours_read, "msg/s", "redstream on one redis-server",
                      theirs_read, extra);
    const rs::StreamKey idle("bench:cluster:idle");
    const auto theirs_idle = idle_latency(standalone, idle);
    const auto ours_idle = idle_latency(cluster, idle);
    char p50s[96];
    std::snprintf(p50s, sizeof p50s, ",\"p50_us\":%.0f,\"peer_p50_us\":%.0f", ours_idle.p50_us,
                  theirs_idle.p50_us);
    bench::print_line_lower("cluster_latency_idle", {ours_idle.p99_us, ours_idle.cpu_ns}, "us p99",
                            "redstream on one redis-server",
                            {theirs_idle.p99_us, theirs_idle.cpu_ns}, extra + p50s);
    return 0;
}
