// producer_xadd: one Producer sends 1M × 64 B messages, then flushes.
// Peers in the same run, against the same server:
//   - redis-benchmark -c 1 -P 256 with the same XADD;
//   - a hand-pipelined hiredis loop: append 256 XADDs, read 256 replies, repeat.
// Prints two JSON lines (one per peer). Usage: producer_xadd PORT [COUNT]
#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <redstream/redis/streamer.hpp>

#include "peers.hpp"

namespace rs = redstream;
using Clock = std::chrono::steady_clock;

namespace {

const std::string payload(64, 'x');

double ours(std::uint16_t port, int count) {
    auto streamer = rs::Streamer::connect("redis://127.0.0.1:" + std::to_string(port));
    auto producer = streamer.create_producer("bench:producer");
    const auto start = Clock::now();
    for (int i = 0; i < count; ++i)
        producer.send(payload);
    producer.flush();
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    streamer.disconnect();
    return count / secs;
}

double hiredis_pipelined(std::uint16_t port, int count) {
    redisContext* c = redisConnect("127.0.0.1", port);
    if (!c || c->err) std::fprintf(stderr, "hiredis connect failed\n"), std::exit(1);
    constexpr int batch = 256;
    const auto start = Clock::now();
    for (int sent = 0; sent < count;) {
        const int n = std::min(batch, count - sent);
        for (int i = 0; i < n; ++i)
            redisAppendCommand(c, "XADD bench:hiredis * msg %b", payload.data(), payload.size());
        for (int i = 0; i < n; ++i) {
            void* reply = nullptr;
            if (redisGetReply(c, &reply) != REDIS_OK)
                std::fprintf(stderr, "hiredis error\n"), std::exit(1);
            freeReplyObject(reply);
        }
        sent += n;
    }
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    redisFree(c);
    return count / secs;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return std::fprintf(stderr, "usage: %s PORT [COUNT]\n", argv[0]), 2;
    const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
    const int count = argc > 2 ? std::atoi(argv[2]) : 1'000'000;
    double best_ours = 0, best_bench = 0, best_hiredis = 0;
    for (int round = 0; round < 2; ++round) {  // best of two, alternating
        best_bench =
            std::max(best_bench, bench::redis_benchmark_xadd(port, count, "bench:peer", payload));
        bench::del(port, "bench:peer");
        best_hiredis = std::max(best_hiredis, hiredis_pipelined(port, count));
        bench::del(port, "bench:hiredis");
        best_ours = std::max(best_ours, ours(port, count));
        bench::del(port, "bench:producer");
    }
    bench::print("producer_xadd", best_ours, "msg/s", "redis-benchmark -c 1 -P 256", best_bench);
    bench::print("producer_xadd", best_ours, "msg/s", "hiredis pipelined, batches of 256",
                 best_hiredis);
}
