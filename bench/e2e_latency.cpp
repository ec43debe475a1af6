// e2e_latency: produce → consume latency at a paced rate (10k msg/s for 3 s).
// Ours: one Streamer; a real-time Consumer (latest) made first, then a
// Producer; a thread sends 64 B payloads on a fixed schedule (message i at
// start + i × 100 µs), each carrying the steady_clock time just before its
// send(); the main thread's next() loop takes the difference to the moment
// next() returned. Peer: the same with hiredis — the paced thread does a
// blocking XADD per message on one connection, another thread loops over
// `XREAD BLOCK 1000 COUNT 1000 STREAMS key <last id>` on a second one.
// Two alternating rounds per side, each on a fresh stream; prints the best
// p50 and the best p99 (µs, lower is better; ratio = peer / ours).
// Usage: e2e_latency PORT [RATE] [SECONDS]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <redstream/redis/streamer.hpp>

#include "hiredis_util.hpp"
#include "peers.hpp"

namespace rs = redstream;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t payload_size = 64;

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

// A 64 B payload whose first 8 bytes are the send time.
void stamp(std::string& payload) {
    const std::int64_t t = now_ns();
    std::memcpy(payload.data(), &t, sizeof t);
}

double latency_us(const char* data, std::size_t size) {
    if (size < sizeof(std::int64_t)) std::fprintf(stderr, "short payload\n"), std::exit(1);
    std::int64_t sent;
    std::memcpy(&sent, data, sizeof sent);
    return static_cast<double>(now_ns() - sent) / 1000.0;
}

struct Percentiles {
    double p50, p99;
};

Percentiles percentiles(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const auto at = [&](double q) { return v[static_cast<std::size_t>(q * (v.size() - 1))]; };
    return {at(0.50), at(0.99)};
}

// Calls send(i) for i in [0, count) at start + i × interval.
template <class Send>
void paced(int count, std::chrono::nanoseconds interval, Send send) {
    const auto start = Clock::now();
    for (int i = 0; i < count; ++i) {
        std::this_thread::sleep_until(start + i * interval);
        send(i);
    }
}

Percentiles ours(std::uint16_t port, const std::string& key, int count,
                 std::chrono::nanoseconds interval) {
    auto streamer = rs::Streamer::connect("redis://127.0.0.1:" + std::to_string(port));
    auto consumer = streamer.create_consumer(
        {key}, rs::ConsumerOptions{.auto_stream_reset = rs::AutoStreamReset::latest});
    auto producer = streamer.create_producer(key);
    std::thread sender([&] {
        std::string payload(payload_size, 'x');
        paced(count, interval, [&](int) {
            stamp(payload);
            producer.send(payload);
        });
    });
    std::vector<double> lat;
    lat.reserve(count);
    for (int i = 0; i < count; ++i) {
        const rs::Message m = consumer.next();
        lat.push_back(latency_us(m.payload().data(), m.payload().size()));
    }
    sender.join();
    producer.flush();
    consumer.end();
    streamer.disconnect();
    return percentiles(std::move(lat));
}

Percentiles hiredis_pair(std::uint16_t port, const std::string& key, int count,
                         std::chrono::nanoseconds interval) {
    redisContext* writer = bench::hiredis_connect(port);
    redisContext* reader = bench::hiredis_connect(port);
    std::vector<double> lat;
    lat.reserve(count);
    std::thread receiver([&] {
        std::string last = "0-0";  // the stream is new: everything in it is ours
        while (static_cast<int>(lat.size()) < count) {
            auto* r = static_cast<redisReply*>(redisCommand(
                reader, "XREAD BLOCK 1000 COUNT 1000 STREAMS %s %s", key.c_str(), last.c_str()));
            if (!r) std::fprintf(stderr, "hiredis error: %s\n", reader->errstr), std::exit(1);
            if (const redisReply* entries = bench::xread_entries(r)) {
                for (std::size_t i = 0; i < entries->elements; ++i) {
                    const redisReply* value = entries->element[i]->element[1]->element[1];
                    lat.push_back(latency_us(value->str, value->len));
                }
                if (entries->elements > 0) {
                    const redisReply* back = entries->element[entries->elements - 1]->element[0];
                    last.assign(back->str, back->len);
                }
            }
            freeReplyObject(r);
        }
    });
    std::string payload(payload_size, 'x');
    paced(count, interval, [&](int) {
        stamp(payload);
        auto* r = static_cast<redisReply*>(
            redisCommand(writer, "XADD %s * msg %b", key.c_str(), payload.data(), payload.size()));
        if (!r) std::fprintf(stderr, "hiredis error: %s\n", writer->errstr), std::exit(1);
        freeReplyObject(r);
    });
    receiver.join();
    redisFree(reader);
    redisFree(writer);
    return percentiles(std::move(lat));
}

void del(std::uint16_t port, const std::string& key) {
    redisContext* c = bench::hiredis_connect(port);
    bench::hiredis_del(c, key);
    redisFree(c);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return std::fprintf(stderr, "usage: %s PORT [RATE] [SECONDS]\n", argv[0]), 2;
    const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
    const int rate = argc > 2 ? std::atoi(argv[2]) : 10'000;
    const double seconds = argc > 3 ? std::atof(argv[3]) : 3.0;
    const int count = static_cast<int>(rate * seconds);
    const std::chrono::nanoseconds interval(1'000'000'000LL / rate);
    const std::string ours_key = "bench:e2e:ours", peer_key = "bench:e2e:hiredis";
    Percentiles best_ours{1e18, 1e18}, best_peer{1e18, 1e18};
    for (int round = 0; round < 2; ++round) {  // best of two, alternating
        del(port, peer_key);
        const auto p = hiredis_pair(port, peer_key, count, interval);
        best_peer = {std::min(best_peer.p50, p.p50), std::min(best_peer.p99, p.p99)};
        del(port, ours_key);
        const auto o = ours(port, ours_key, count, interval);
        best_ours = {std::min(best_ours.p50, o.p50), std::min(best_ours.p99, o.p99)};
    }
    del(port, peer_key);
    del(port, ours_key);
    const char* peer = "hiredis paced XADD + XREAD BLOCK thread";
    bench::print_lower("e2e_latency_p50", best_ours.p50, "us", peer, best_peer.p50);
    bench::print_lower("e2e_latency_p99", best_ours.p99, "us", peer, best_peer.p99);
}
