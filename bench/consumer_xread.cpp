// consumer_xread: one real-time Consumer (AutoStreamReset::earliest) drains a
// backlog of 1M × 64 B entries with next(), touching every id and payload.
// Peer in the same run, on the same stream: a plain hiredis loop of
// `XREAD COUNT 1000 STREAMS key <last id>`, touching the same fields.
// A second line drains the same backlog with async_next() (each completion
// asks for the next message, on the I/O thread), i.e. without next()'s hand-off
// to the calling thread. Best of two alternating rounds per side. Each of
// our drains stops early after BUDGET seconds (default 10; the rate is then
// over what it read, and stderr says so) so that a slow run stays bounded.
// Usage: consumer_xread PORT [COUNT] [BATCH_SIZE] [PREFETCH] [BUDGET]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>

#include <redstream/redis/streamer.hpp>

#include "drain.hpp"
#include "hiredis_util.hpp"
#include "peers.hpp"

namespace rs = redstream;
using Clock = std::chrono::steady_clock;

namespace {

const std::string& key = bench::backlog_key;
const std::string& payload = bench::backlog_payload;
constexpr int peer_count = 1000;

// Keeps the touched bytes observable so that the loops are not optimised away.
volatile std::uint64_t sink;

using bench::Drain;
using bench::touch;

// msg/s of a drain that read `read` messages since `start` (says so if it
// stopped on the budget).
double rate(const char* what, long long read, const Drain& d, Clock::time_point start) {
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    if (read < d.count)
        std::fprintf(stderr, "consumer_xread: %s stopped after %.1f s (budget) at %lld of %lld\n",
                     what, secs, read, d.count);
    return static_cast<double>(read) / secs;
}

double ours(std::uint16_t port, const Drain& d) {
    const auto r = bench::real_time_drain(port, key, d);
    sink = r.touched;
    if (r.read < d.count)
        std::fprintf(stderr,
                     "consumer_xread: next() stopped after %.1f s (budget) at %lld of %lld\n",
                     r.seconds, r.read, d.count);
    return static_cast<double>(r.read) / r.seconds;
}

// The same with async_next: every completion runs on the I/O thread and asks
// for the next message; the main thread only waits for the end.
struct AsyncDrain {
    AsyncDrain(rs::Consumer& c, const Drain& drain, Clock::time_point t)
        : consumer(c), d(drain), start(t) {}

    rs::Consumer& consumer;
    const Drain& d;
    Clock::time_point start;
    long long read = 0;
    std::uint64_t touched = 0;
    std::promise<void> done;

    void next() {
        consumer.async_next([this](std::error_code ec, rs::Message m) {
            if (ec) std::fprintf(stderr, "async_next: %s\n", ec.message().c_str()), std::exit(1);
            touched += touch(m);
            if (++read == d.count || (read % 1024 == 0 && Clock::now() - start > d.budget))
                return done.set_value();
            next();
        });
    }
};

double ours_async(std::uint16_t port, const Drain& d) {
    auto streamer = rs::Streamer::connect("redis://127.0.0.1:" + std::to_string(port));
    const auto start = Clock::now();
    auto consumer = streamer.create_consumer(
        {key}, rs::ConsumerOptions{.auto_stream_reset = rs::AutoStreamReset::earliest,
                                   .batch_size = d.batch,
                                   .prefetch = d.prefetch});
    AsyncDrain drain(consumer, d, start);
    auto finished = drain.done.get_future();
    drain.next();
    finished.wait();
    const double r = rate("async_next()", drain.read, d, start);
    sink = drain.touched;
    consumer.end();
    streamer.disconnect();
    return r;
}

double hiredis_loop(std::uint16_t port, long long count) {
    redisContext* c = bench::hiredis_connect(port);
    std::string last = "0-0";
    std::uint64_t touched = 0;
    const auto start = Clock::now();
    for (long long seen = 0; seen < count;) {
        auto* r = static_cast<redisReply*>(
            redisCommand(c, "XREAD COUNT %d STREAMS %s %s", peer_count, key.c_str(), last.c_str()));
        if (!r) std::fprintf(stderr, "hiredis error: %s\n", c->errstr), std::exit(1);
        const redisReply* entries = bench::xread_entries(r);
        if (!entries || entries->elements == 0)
            std::fprintf(stderr, "backlog ended after %lld\n", seen), std::exit(1);
        for (std::size_t i = 0; i < entries->elements; ++i) {
            const redisReply* e = entries->element[i];
            const redisReply* id = e->element[0];
            const redisReply* value = e->element[1]->element[1];  // fields: msg, payload
            touched +=
                id->len + std::uint8_t(id->str[0]) + value->len + std::uint8_t(value->str[0]);
        }
        const redisReply* back = entries->element[entries->elements - 1]->element[0];
        last.assign(back->str, back->len);
        seen += static_cast<long long>(entries->elements);
        freeReplyObject(r);
    }
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    sink = touched;
    redisFree(c);
    return count / secs;
}

}  // namespace

int main(int argc, char** argv) {
    const auto [port, d] = bench::parse_drain_args(argc, argv, 10.0);
    bench::ensure_backlog(port, key, d.count, payload);
    double best_ours = 0, best_async = 0, best_peer = 0;
    for (int round = 0; round < 2; ++round) {  // best of two, alternating
        best_peer = std::max(best_peer, hiredis_loop(port, d.count));
        best_ours = std::max(best_ours, ours(port, d));
        best_async = std::max(best_async, ours_async(port, d));
    }
    const char* peer = "hiredis XREAD COUNT 1000 loop";
    bench::print("consumer_xread", best_ours, "msg/s", peer, best_peer);
    bench::print("consumer_xread_async_next", best_async, "msg/s", peer, best_peer);
}
