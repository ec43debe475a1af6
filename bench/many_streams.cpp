// many_streams: one consumer over many keys.
//  - many_streams_200: a backlog spread over 200 streams (5,000 × 64 B each),
//    drained by one real-time Consumer of all 200 (earliest, defaults
//    otherwise) with next(). Peer: one hiredis loop of `XREAD COUNT <our
//    batch_size> STREAMS k1..k200 id1..id200`. The line also reports our
//    consumer's max_queued (ConsumerStats) next to its prefetch.
//  - sharded_16: a Producer with ProducerOptions::shards = 16 (round-robin,
//    defaults otherwise) sends N × 64 B while, on another thread, a Consumer
//    of the same stream (earliest, defaults otherwise; it finds the 16 shard
//    keys itself) reads them all; the clock stops when both are done. The 16
//    keys exist (empty) before each run, as the shards of a live stream do.
//    Peer: hiredis on the same 16 keys, a producer connection keeping the
//    same number of XADDs in flight as ours (writes of max_batch, two of
//    them outstanding), round-robin over the keys, and a consumer thread
//    looping over `XREAD COUNT <batch_size> BLOCK <block_time> STREAMS` the
//    16 keys.
// Checks, both sides: what was read (count and payload checksum); for
// sharded_16 also every send's result (our futures, the peer's XADD
// replies) and the 16 keys' XLENs summing to N. Best of two alternating
// rounds per side; a run over BUDGET seconds (default 60) fails the program.
// Usage: many_streams PORT [SHARDED_COUNT] [BUDGET]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <redstream/redis/streamer.hpp>

#include "consume.hpp"

namespace rs = redstream;

namespace {

constexpr std::size_t payload_size = 64;
volatile std::uint64_t sink;

// Reads `total` entries from `keys`, from their start, with XREAD over all of
// them; returns the payloads' checksum. With block_ms < 0 (no BLOCK) a read
// that finds nothing means the backlog ended early.
std::uint64_t xread_keys(redisContext* c, const std::vector<std::string>& keys, long long total,
                         int count, int block_ms, const char* what) {
    std::vector<std::string> ids(keys.size(), "0-0");
    std::map<std::string, std::size_t, std::less<>> index;
    for (std::size_t i = 0; i < keys.size(); ++i)
        index.emplace(keys[i], i);
    std::vector<std::string> head = {"XREAD", "COUNT", std::to_string(count)};
    if (block_ms >= 0) head.insert(head.end(), {"BLOCK", std::to_string(block_ms)});
    head.push_back("STREAMS");
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    std::uint64_t sum = 0, touched = 0;
    for (long long seen = 0; seen < total;) {
        argv.clear();
        lens.clear();
        for (const auto* part :
             std::initializer_list<const std::vector<std::string>*>{&head, &keys, &ids})
            for (const std::string& s : *part)
                argv.push_back(s.data()), lens.push_back(s.size());
        redisReply* r = bench::checked(
            c, redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
        if (r->type == REDIS_REPLY_NIL) {
            if (block_ms < 0)
                bench::fail(std::string(what) + ": the backlog ended after " +
                            std::to_string(seen));
            freeReplyObject(r);
            continue;
        }
        for (std::size_t s = 0; s < r->elements; ++s) {
            const redisReply* name = r->element[s]->element[0];
            const redisReply* entries = r->element[s]->element[1];
            const auto at = index.find(std::string_view(name->str, name->len));
            if (at == index.end() || entries->elements == 0)
                bench::fail(std::string(what) + ": unexpected XREAD reply");
            for (std::size_t i = 0; i < entries->elements; ++i) {
                const redisReply* id = entries->element[i]->element[0];
                const redisReply* value = entries->element[i]->element[1]->element[1];
                touched += id->len + static_cast<unsigned char>(id->str[id->len - 1]);
                sum += bench::checksum({value->str, value->len});
            }
            const redisReply* back = entries->element[entries->elements - 1]->element[0];
            ids[at->second].assign(back->str, back->len);
            seen += static_cast<long long>(entries->elements);
        }
        freeReplyObject(r);
    }
    sink = touched;
    return sum;
}

// many_streams_200 ------------------------------------------------------

constexpr int streams = 200;
constexpr long long per_stream = 5000;
constexpr long long many_total = streams * per_stream;

std::vector<std::string> many_keys() {
    std::vector<std::string> keys;
    for (int i = 0; i < streams; ++i)
        keys.push_back("bench:many:s" + std::to_string(i));
    return keys;
}

struct ManyOurs {
    bench::Side side;
    rs::ConsumerStats stats;
};

ManyOurs ours_many(std::uint16_t port, std::uint64_t expected, double budget) {
    std::uint64_t sum = 0, ids = 0;
    long long read = 0;
    rs::ConsumerStats stats;
    const auto side = bench::measure("many_streams_200 (ours)", port, many_total, budget, [&] {
        auto streamer = rs::Streamer::connect(bench::url(port));
        std::vector<rs::StreamKey> keys;
        for (const auto& k : many_keys())
            keys.emplace_back(k);
        auto consumer = streamer.create_consumer(
            keys, rs::ConsumerOptions{.auto_stream_reset = rs::AutoStreamReset::earliest});
        for (; read < many_total; ++read) {
            const rs::Message m = consumer.next();
            ids += m.id().ms + m.id().seq;
            sum += bench::checksum(m.payload());
        }
        stats = consumer.stats();
        consumer.end();
        streamer.disconnect();
    });
    sink = ids;
    bench::verify_drain("many_streams_200 (ours)", read, many_total, sum, expected);
    // The prefetch bound holds over any number of streams (issue 10).
    const auto prefetch = rs::ConsumerOptions{}.prefetch_or_default();
    if (stats.max_queued > prefetch)
        bench::fail("many_streams_200 (ours): max_queued " + std::to_string(stats.max_queued) +
                    " > prefetch " + std::to_string(prefetch));
    return {side, stats};
}

bench::Side peer_many(std::uint16_t port, std::uint64_t expected, double budget, int count) {
    std::uint64_t sum = 0;
    const auto side = bench::measure("many_streams_200 (peer)", port, many_total, budget, [&] {
        redisContext* c = bench::peer_connect(port);
        sum = xread_keys(c, many_keys(), many_total, count, -1, "many_streams_200 (peer)");
        redisFree(c);
    });
    bench::verify_drain("many_streams_200 (peer)", many_total, many_total, sum, expected);
    return side;
}

void many_streams_200(std::uint16_t port, double budget) {
    std::uint64_t expected = 0;
    const auto keys = many_keys();
    for (int i = 0; i < streams; ++i)
        expected += bench::fill_indexed(port, keys[i], per_stream, payload_size,
                                        static_cast<std::uint64_t>(i * per_stream));
    const rs::ConsumerOptions defaults;
    const int count = static_cast<int>(defaults.batch_size);
    bench::Side best_ours, best_peer;
    rs::ConsumerStats stats;
    for (int round = 0; round < 2; ++round) {  // best of two, alternating
        best_peer = bench::best(best_peer, peer_many(port, expected, budget, count));
        const ManyOurs o = ours_many(port, expected, budget);
        if (o.side.value > best_ours.value) best_ours = o.side, stats = o.stats;
    }
    const std::string peer =
        "hiredis XREAD COUNT " + std::to_string(count) + " STREAMS <200 keys> loop (maxbuf 0)";
    bench::print_line(
        "many_streams_200", best_ours, "msg/s", peer.c_str(), best_peer,
        bench::field("messages", many_total) + bench::field("streams", streams) +
            bench::field("batch_size", count) +
            bench::field("prefetch", static_cast<long long>(defaults.prefetch_or_default())) +
            bench::field("max_queued", static_cast<long long>(stats.max_queued)));
    redisContext* c = bench::hiredis_connect(port);
    for (const auto& k : keys)
        bench::hiredis_del(c, k);
    redisFree(c);
}

// sharded_16 ------------------------------------------------------------

constexpr int shards = 16;
const std::string sharded_stream = "bench:sharded";

std::vector<std::string> shard_keys() {
    std::vector<std::string> keys;
    for (int i = 0; i < shards; ++i)
        keys.push_back(sharded_stream + ":" + std::to_string(i));
    return keys;
}

// The 16 keys as empty streams, so that a consumer started now finds them.
void reset_shards(std::uint16_t port) {
    redisContext* c = bench::hiredis_connect(port);
    for (const auto& k : shard_keys()) {
        bench::hiredis_del(c, k);
        freeReplyObject(bench::command(c, "XGROUP CREATE %s g $ MKSTREAM", k.c_str()));
        freeReplyObject(bench::command(c, "XGROUP DESTROY %s g", k.c_str()));
    }
    redisFree(c);
}

// Fails unless the 16 keys hold `count` entries together with the expected
// payloads; then deletes them.
void check_shards(std::uint16_t port, const char* what, long long count, std::uint64_t expected) {
    long long n = 0;
    std::uint64_t sum = 0;
    for (const auto& k : shard_keys()) {
        const auto [kn, ksum] = bench::stream_checksum(port, k);
        n += kn, sum += ksum;
    }
    bench::verify_drain(std::string(what) + ", the 16 keys", n, count, sum, expected);
    redisContext* c = bench::hiredis_connect(port);
    for (const auto& k : shard_keys())
        bench::hiredis_del(c, k);
    redisFree(c);
}

void check_send(const rs::SendFuture& f) {
    std::error_code ec;
    f.get(ec);
    if (ec) bench::fail("sharded_16 (ours): a send failed: " + ec.message());
}

bench::Side ours_sharded(std::uint16_t port, long long total, std::uint64_t expected,
                         double budget) {
    reset_shards(port);
    std::uint64_t sum = 0, ids = 0;
    long long read = 0;
    const auto side = bench::measure("sharded_16 (ours)", port, total, budget, [&] {
        auto streamer = rs::Streamer::connect(bench::url(port));
        auto consumer = streamer.create_consumer(
            {rs::StreamKey(sharded_stream)},
            rs::ConsumerOptions{.auto_stream_reset = rs::AutoStreamReset::earliest});
        auto producer = streamer.create_producer(rs::StreamKey(sharded_stream), {.shards = shards});
        std::thread reader([&] {
            for (; read < total; ++read) {
                const rs::Message m = consumer.next();
                ids += m.id().ms + m.id().seq;
                sum += bench::checksum(m.payload());
            }
        });
        std::deque<rs::SendFuture> unconfirmed;
        std::string payload;
        for (long long i = 0; i < total; ++i) {
            bench::set_indexed_payload(payload, static_cast<std::uint64_t>(i), payload_size);
            unconfirmed.push_back(producer.send(payload));
            while (!unconfirmed.empty() && unconfirmed.front().ready()) {
                check_send(unconfirmed.front());
                unconfirmed.pop_front();
            }
        }
        producer.flush();
        for (const auto& f : unconfirmed)
            check_send(f);
        reader.join();
        consumer.end();
        producer.end();
        streamer.disconnect();
    });
    sink = ids;
    bench::verify_drain("sharded_16 (ours)", read, total, sum, expected);
    check_shards(port, "sharded_16 (ours)", total, expected);
    return side;
}

bench::Side peer_sharded(std::uint16_t port, long long total, std::uint64_t expected, double budget,
                         int count, int block_ms, int batch) {
    reset_shards(port);
    std::uint64_t sum = 0;
    const auto side = bench::measure("sharded_16 (peer)", port, total, budget, [&] {
        const auto keys = shard_keys();
        std::thread reader([&] {
            redisContext* c = bench::peer_connect(port);
            sum = xread_keys(c, keys, total, count, block_ms, "sharded_16 (peer)");
            redisFree(c);
        });
        redisContext* c = bench::peer_connect(port);
        const auto answer = [&] {
            redisReply* r = bench::get_reply(c);
            if (r->type != REDIS_REPLY_STRING) bench::fail("sharded_16 (peer): bad XADD reply");
            freeReplyObject(r);
        };
        std::string payload;
        long long sent = 0, answered = 0;
        while (sent < total) {
            const long long n = std::min<long long>(batch, total - sent);
            for (long long i = sent; i < sent + n; ++i) {
                bench::set_indexed_payload(payload, static_cast<std::uint64_t>(i), payload_size);
                redisAppendCommand(c, "XADD %s * msg %b", keys[i % shards].c_str(), payload.data(),
                                   payload.size());
            }
            for (int done = 0; !done;)
                if (redisBufferWrite(c, &done) != REDIS_OK)
                    bench::fail(std::string("sharded_16 (peer): ") + c->errstr);
            sent += n;
            // Two writes outstanding at most: wait for the older one.
            for (; sent - answered > batch; ++answered)
                answer();
        }
        for (; answered < sent; ++answered)
            answer();
        redisFree(c);
        reader.join();
    });
    bench::verify_drain("sharded_16 (peer)", total, total, sum, expected);
    check_shards(port, "sharded_16 (peer)", total, expected);
    return side;
}

void sharded_16(std::uint16_t port, long long total, double budget) {
    const std::uint64_t expected = bench::expected_checksum(0, total, payload_size);
    const rs::ConsumerOptions consumer_defaults;
    const int count = static_cast<int>(consumer_defaults.batch_size);
    const int block_ms = static_cast<int>(consumer_defaults.block_time.count());
    const int batch = static_cast<int>(rs::ProducerOptions{}.max_batch);
    bench::Side best_ours, best_peer;
    for (int round = 0; round < 2; ++round) {  // best of two, alternating
        best_peer = bench::best(
            best_peer, peer_sharded(port, total, expected, budget, count, block_ms, batch));
        best_ours = bench::best(best_ours, ours_sharded(port, total, expected, budget));
    }
    const std::string peer = "hiredis on 16 keys: pipelined XADD (writes of " +
                             std::to_string(batch) + ", 2 in flight) + XREAD COUNT " +
                             std::to_string(count) + " BLOCK loop (maxbuf 0)";
    bench::print_line("sharded_16", best_ours, "msg/s", peer.c_str(), best_peer,
                      bench::field("messages", total) + bench::field("shards", shards) +
                          bench::field("batch_size", count));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2)
        return std::fprintf(stderr, "usage: %s PORT [SHARDED_COUNT] [BUDGET]\n", argv[0]), 2;
    const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
    const long long sharded_count = argc > 2 ? std::atoll(argv[2]) : 500'000;
    const double budget = argc > 3 ? std::atof(argv[3]) : 60.0;
    many_streams_200(port, budget);
    sharded_16(port, sharded_count, budget);
}
