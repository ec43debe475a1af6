// consumer: a real-time Consumer drains a backlog with next(), at the
// library's default ConsumerOptions (only auto_stream_reset = earliest, since
// it must read what is already there), touching every id and payload; one
// line per payload size (consumer_64B, consumer_1KiB, consumer_64KiB) and
// consumer_64B_tuned (batch_size 2000, prefetch 8000).
// Peer, in the same run and on the same stream: a hiredis loop of
// `XREAD COUNT <our batch_size> STREAMS key <last id>` (reader maxbuf 0).
// Both sides check the count and a checksum of every payload (ours also the
// order of the ids). Best of two alternating rounds per side; every run has
// a budget of BUDGET seconds (default 30), past which the program fails.
// Usage: consumer PORT [BUDGET]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include <redstream/redis/streamer.hpp>

#include "consume.hpp"

namespace rs = redstream;

namespace {

// Keeps what was touched observable, so that the loops are not optimised away.
volatile std::uint64_t sink;

struct Case {
    const char* name;
    std::string key;
    long long count;
    std::size_t size;
    // Unset: the library's default.
    std::optional<std::size_t> batch_size;
    std::optional<std::size_t> prefetch;

    std::size_t batch() const { return batch_size.value_or(rs::ConsumerOptions{}.batch_size); }
};

struct Ours {
    bench::Side side;
    rs::ConsumerStats stats;
};

Ours ours(std::uint16_t port, const Case& k, std::uint64_t expected, double budget) {
    std::uint64_t sum = 0, ids = 0;
    long long read = 0;
    rs::ConsumerStats stats;
    const auto side = bench::measure(std::string(k.name) + " (ours)", port, k.count, budget, [&] {
        auto streamer = rs::Streamer::connect(bench::url(port));
        rs::ConsumerOptions options{.auto_stream_reset = rs::AutoStreamReset::earliest};
        if (k.batch_size) options.batch_size = *k.batch_size;
        if (k.prefetch) options.prefetch = *k.prefetch;
        auto consumer = streamer.create_consumer({rs::StreamKey(k.key)}, options);
        rs::MessageId last{};
        for (; read < k.count; ++read) {
            const rs::Message m = consumer.next();
            if (read > 0 && !(last < m.id()))
                bench::fail(std::string(k.name) + ": ids out of order at " + m.id().to_string());
            last = m.id();
            ids += m.id().ms + m.id().seq;
            sum += bench::checksum(m.payload());
        }
        stats = consumer.stats();
        consumer.end();
        streamer.disconnect();
    });
    sink = ids;
    bench::verify_drain(std::string(k.name) + " (ours)", read, k.count, sum, expected);
    return {side, stats};
}

bench::Side peer(std::uint16_t port, const Case& k, std::uint64_t expected, double budget) {
    std::uint64_t sum = 0, ids = 0;
    long long seen = 0;
    const int count = static_cast<int>(k.batch());
    const auto side = bench::measure(std::string(k.name) + " (peer)", port, k.count, budget, [&] {
        redisContext* c = bench::peer_connect(port);
        std::string last = "0-0";
        while (seen < k.count) {
            redisReply* r = bench::command(c, "XREAD COUNT %d STREAMS %s %s", count, k.key.c_str(),
                                           last.c_str());
            const redisReply* entries = bench::xread_entries(r);
            if (!entries || entries->elements == 0)
                bench::fail(std::string(k.name) + " (peer): the backlog ended after " +
                            std::to_string(seen));
            for (std::size_t i = 0; i < entries->elements; ++i) {
                const redisReply* id = entries->element[i]->element[0];
                const redisReply* value = entries->element[i]->element[1]->element[1];
                ids += id->len + static_cast<unsigned char>(id->str[id->len - 1]);
                sum += bench::checksum({value->str, value->len});
            }
            const redisReply* back = entries->element[entries->elements - 1]->element[0];
            last.assign(back->str, back->len);
            seen += static_cast<long long>(entries->elements);
            freeReplyObject(r);
        }
        redisFree(c);
    });
    sink = ids;
    bench::verify_drain(std::string(k.name) + " (peer)", seen, k.count, sum, expected);
    return side;
}

void run(std::uint16_t port, const Case& k, double budget) {
    const std::uint64_t expected = bench::fill_indexed(port, k.key, k.count, k.size);
    bench::Side best_peer, best_ours;
    rs::ConsumerStats stats;
    for (int round = 0; round < 2; ++round) {  // best of two, alternating
        best_peer = bench::best(best_peer, peer(port, k, expected, budget));
        const Ours o = ours(port, k, expected, budget);
        if (o.side.value > best_ours.value) best_ours = o.side, stats = o.stats;
    }
    const rs::ConsumerOptions defaults;
    const std::size_t prefetch = k.prefetch.value_or(defaults.prefetch_or_default());
    if (stats.max_queued > prefetch)
        std::fprintf(stderr, "%s: max_queued %zu above prefetch %zu\n", k.name, stats.max_queued,
                     prefetch);
    const std::string peer_name =
        "hiredis XREAD COUNT " + std::to_string(k.batch()) + " loop (maxbuf 0)";
    bench::print_line(k.name, best_ours, "msg/s", peer_name.c_str(), best_peer,
                      bench::field("payload_bytes", static_cast<long long>(k.size)) +
                          bench::field("messages", k.count) +
                          bench::field("batch_size", static_cast<long long>(k.batch())) +
                          bench::field("prefetch", static_cast<long long>(prefetch)) +
                          bench::field("max_queued", static_cast<long long>(stats.max_queued)));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return std::fprintf(stderr, "usage: %s PORT [BUDGET]\n", argv[0]), 2;
    const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
    const double budget = argc > 2 ? std::atof(argv[2]) : 30.0;
    const Case cases[] = {
        {"consumer_64B", "bench:consumer:64B", 1'000'000, 64, {}, {}},
        {"consumer_1KiB", "bench:consumer:1KiB", 200'000, 1024, {}, {}},
        {"consumer_64KiB", "bench:consumer:64KiB", 10'000, 64 * 1024, {}, {}},
        {"consumer_64B_tuned", "bench:consumer:64B", 1'000'000, 64, 2000, 8000},
    };
    for (const Case& k : cases)
        run(port, k, budget);
    // The large backlogs are this program's alone; the 64 B one is kept for
    // group, relay and the next run.
    redisContext* c = bench::hiredis_connect(port);
    bench::hiredis_del(c, "bench:consumer:1KiB");
    bench::hiredis_del(c, "bench:consumer:64KiB");
    redisFree(c);
}
