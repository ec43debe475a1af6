// relay: the processing loop. One real-time Consumer (earliest) reads a
// backlog of 1M × 64 B entries; each payload is upper-cased into a buffer and
// sent on by one Producer to another stream; one flush() at the end.
// Peer in the same run, on the same streams: the sequential hiredis loop —
// XREAD COUNT <page> from the last id, upper-case each payload, append one XADD
// per entry (pipelined), read the page's replies, repeat — with the same page
// size as our batch_size. Best of two alternating rounds per side; the output
// stream is checked (one entry per message read) and deleted after every
// round. Our relay stops early after BUDGET seconds (default 10; the rate is
// then over what it relayed, and stderr says so) so that a slow run stays
// bounded.
// Usage: relay PORT [COUNT] [BATCH_SIZE] [PREFETCH] [BUDGET]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <redstream/redis/streamer.hpp>

#include "drain.hpp"
#include "hiredis_util.hpp"
#include "peers.hpp"

namespace rs = redstream;
using Clock = std::chrono::steady_clock;

namespace {

const std::string& in_key = bench::backlog_key;
const std::string out_key = "bench:relay";
const std::string& payload = bench::backlog_payload;

// The transformation: an upper-cased copy into `out` (reused, no allocation).
void transform(std::string_view in, std::string& out) {
    out.resize(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char ch = in[i];
        out[i] = ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 'a' + 'A') : ch;
    }
}

struct Result {
    double rate;     // msg/s
    long long done;  // messages relayed
};

Result ours(std::uint16_t port, const bench::Drain& d) {
    auto streamer = rs::Streamer::connect("redis://127.0.0.1:" + std::to_string(port));
    auto producer = streamer.create_producer(out_key);
    const auto start = Clock::now();
    auto consumer = streamer.create_consumer(
        {in_key}, rs::ConsumerOptions{.auto_stream_reset = rs::AutoStreamReset::earliest,
                                      .batch_size = d.batch,
                                      .prefetch = d.prefetch});
    std::string out;
    long long done = 0;
    while (done < d.count) {
        const rs::Message m = consumer.next();
        transform(m.payload(), out);
        producer.send(out);
        if (++done % 1024 == 0 && Clock::now() - start > d.budget) break;
    }
    producer.flush();
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    if (done < d.count)
        std::fprintf(stderr, "relay: stopped after %.1f s (budget) at %lld of %lld\n", secs, done,
                     d.count);
    consumer.end();
    streamer.disconnect();
    return {static_cast<double>(done) / secs, done};
}

double hiredis_loop(std::uint16_t port, long long count, std::size_t page) {
    redisContext* c = bench::hiredis_connect(port);
    std::string last = "0-0", out;
    const auto start = Clock::now();
    for (long long seen = 0; seen < count;) {
        auto* r = static_cast<redisReply*>(redisCommand(c, "XREAD COUNT %d STREAMS %s %s",
                                                        static_cast<int>(page), in_key.c_str(),
                                                        last.c_str()));
        if (!r) std::fprintf(stderr, "hiredis error: %s\n", c->errstr), std::exit(1);
        const redisReply* entries = bench::xread_entries(r);
        if (!entries || entries->elements == 0)
            std::fprintf(stderr, "backlog ended after %lld\n", seen), std::exit(1);
        for (std::size_t i = 0; i < entries->elements; ++i) {
            const redisReply* value = entries->element[i]->element[1]->element[1];
            transform({value->str, value->len}, out);
            redisAppendCommand(c, "XADD %s * msg %b", out_key.c_str(), out.data(), out.size());
        }
        for (std::size_t i = 0; i < entries->elements; ++i) {
            void* reply = nullptr;
            if (redisGetReply(c, &reply) != REDIS_OK)
                std::fprintf(stderr, "hiredis error: %s\n", c->errstr), std::exit(1);
            freeReplyObject(reply);
        }
        const redisReply* back = entries->element[entries->elements - 1]->element[0];
        last.assign(back->str, back->len);
        seen += static_cast<long long>(entries->elements);
        freeReplyObject(r);
    }
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    redisFree(c);
    return count / secs;
}

void check_and_delete_output(std::uint16_t port, long long count) {
    redisContext* c = bench::hiredis_connect(port);
    const long long n = bench::hiredis_xlen(c, out_key);
    if (n != count) std::fprintf(stderr, "relay wrote %lld of %lld\n", n, count), std::exit(1);
    bench::hiredis_del(c, out_key);
    redisFree(c);
}

}  // namespace

int main(int argc, char** argv) {
    const auto [port, d] = bench::parse_drain_args(argc, argv, 10.0);
    bench::ensure_backlog(port, in_key, d.count, payload);
    {
        redisContext* c = bench::hiredis_connect(port);
        bench::hiredis_del(c, out_key);
        redisFree(c);
    }
    double best_ours = 0, best_peer = 0;
    for (int round = 0; round < 2; ++round) {  // best of two, alternating
        best_peer = std::max(best_peer, hiredis_loop(port, d.count, d.batch));
        check_and_delete_output(port, d.count);
        const Result r = ours(port, d);
        best_ours = std::max(best_ours, r.rate);
        check_and_delete_output(port, r.done);
    }
    const std::string peer = "hiredis XREAD COUNT " + std::to_string(d.batch) + " + pipelined XADD";
    bench::print("relay", best_ours, "msg/s", peer.c_str(), best_peer);
}
