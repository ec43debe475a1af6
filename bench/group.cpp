// group: consumer groups draining 1M × 64 B, every message acked.
//  - group_64B: one resumable group Consumer (ConsumerMode::resumable,
//    earliest, AutoCommit::rolling, defaults otherwise, a fresh group per
//    run) with next() and ack(m) per message; the clock stops after end(),
//    which commits every ack still owed. Peer: hiredis `XREADGROUP GROUP g c
//    COUNT <our batch_size> STREAMS key >` with each page's XACK pipelined
//    behind the reads in flight, with 1, 2 and 4 reads in flight; the line
//    reports the best of the three.
//  - lb_group_3x: three load-balanced members (ConsumerMode::load_balanced,
//    earliest, rolling, defaults otherwise) of one group in one process, one
//    thread each draining with next() and ack(m), until together they had
//    every message; then end() on each. Peer: three hiredis connections on
//    three threads, XREADGROUP with the COUNT our members use (no more than
//    their prefetch) and the XACK pipelined with the next read. Both report
//    each member's share.
// Checks, both sides: the count and payload checksum of what was read, the
// group's entries-read (XINFO GROUPS) equal to the count and an empty
// XPENDING summary; ours also stats().acked. Best of two alternating rounds
// per side; a run over BUDGET seconds (default 60) fails the program.
// Usage: group PORT [COUNT] [BUDGET]
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <redstream/redis/streamer.hpp>

#include "consume.hpp"

namespace rs = redstream;

namespace {

const std::string key = "bench:consumer:64B";
constexpr std::size_t payload_size = 64;

volatile std::uint64_t sink;

// A group no earlier run used: each run reads from the start.
std::string fresh_group() {
    static int n = 0;
    return "bench:group:" + std::to_string(::getpid()) + ":" + std::to_string(++n);
}

struct Params {
    std::uint16_t port;
    long long count;
    std::uint64_t expected;
    double budget;
};

// group_64B, ours.
bench::Side ours_group(const Params& p) {
    const std::string group = fresh_group();
    std::uint64_t sum = 0, ids = 0;
    long long read = 0;
    rs::ConsumerStats stats;
    const auto side = bench::measure("group_64B (ours)", p.port, p.count, p.budget, [&] {
        auto streamer = rs::Streamer::connect(bench::url(p.port));
        {
            // Scoped so that the consumer is gone before disconnect(): its
            // destructor's end() would otherwise wait out end_timeout.
            auto consumer = streamer.create_consumer(
                {rs::StreamKey(key)},
                rs::ConsumerOptions{.mode = rs::ConsumerMode::resumable,
                                    .auto_stream_reset = rs::AutoStreamReset::earliest,
                                    .group = group,
                                    .auto_commit = rs::AutoCommit::rolling});
            rs::MessageId last{};
            for (; read < p.count; ++read) {
                const rs::Message m = consumer.next();
                if (read > 0 && !(last < m.id()))
                    bench::fail("group_64B (ours): ids out of order at " + m.id().to_string());
                last = m.id();
                ids += m.id().ms + m.id().seq;
                sum += bench::checksum(m.payload());
                consumer.ack(m);
            }
            consumer.end();  // commits every ack still owed, waiting for the server
            stats = consumer.stats();
        }
        streamer.disconnect();
    });
    sink = ids;
    bench::verify_drain("group_64B (ours)", read, p.count, sum, p.expected);
    if (stats.acked != static_cast<std::uint64_t>(p.count) || stats.not_pending != 0)
        bench::fail("group_64B (ours): stats().acked " + std::to_string(stats.acked) +
                    ", not_pending " + std::to_string(stats.not_pending));
    bench::verify_group(p.port, key, group, p.count);
    return side;
}

// group_64B, the peer with `depth` XREADGROUPs in flight: each page's XACK is
// appended behind the reads already sent, then the next read.
bench::Side peer_group(const Params& p, int count, int depth) {
    const std::string group = fresh_group();
    std::uint64_t sum = 0, ids = 0;
    long long seen = 0, acked = 0;
    const auto side = bench::measure("group_64B (peer)", p.port, p.count, p.budget, [&] {
        redisContext* c = bench::peer_connect(p.port);
        freeReplyObject(bench::command(c, "XGROUP CREATE %s %s 0", key.c_str(), group.c_str()));
        // The backlog is static: exactly this many reads fetch all of it.
        const long long reads = (p.count + count - 1) / count;
        long long issued = 0;
        std::deque<bool> is_read;  // what the replies still to come answer
        const auto read_page = [&] {
            redisAppendCommand(c, "XREADGROUP GROUP %s c COUNT %d STREAMS %s >", group.c_str(),
                               count, key.c_str());
            is_read.push_back(true);
            ++issued;
        };
        while (issued < reads && issued < depth)
            read_page();
        std::vector<const char*> argv;
        std::vector<std::size_t> lens;
        while (!is_read.empty()) {
            redisReply* r = bench::get_reply(c);
            const bool read = is_read.front();
            is_read.pop_front();
            if (!read) {
                acked += r->integer;
                freeReplyObject(r);
                continue;
            }
            const redisReply* entries = bench::xread_entries(r);
            if (!entries || entries->elements == 0)
                bench::fail("group_64B (peer): the backlog ended after " + std::to_string(seen));
            argv.assign({"XACK", key.c_str(), group.c_str()});
            lens.assign({4, key.size(), group.size()});
            for (std::size_t i = 0; i < entries->elements; ++i) {
                const redisReply* id = entries->element[i]->element[0];
                const redisReply* value = entries->element[i]->element[1]->element[1];
                ids += id->len + static_cast<unsigned char>(id->str[id->len - 1]);
                sum += bench::checksum({value->str, value->len});
                argv.push_back(id->str);
                lens.push_back(id->len);
            }
            seen += static_cast<long long>(entries->elements);
            redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data());
            is_read.push_back(false);
            if (issued < reads) read_page();
            freeReplyObject(r);
        }
        redisFree(c);
    });
    sink = ids;
    bench::verify_drain("group_64B (peer)", seen, p.count, sum, p.expected);
    if (acked != p.count) bench::fail("group_64B (peer): acked " + std::to_string(acked));
    bench::verify_group(p.port, key, group, p.count);
    return side;
}

void group_64B(const Params& p) {
    const int count = static_cast<int>(rs::ConsumerOptions{}.batch_size);
    bench::Side best_ours, best_peer;
    int best_depth = 0;
    for (int round = 0; round < 2; ++round) {  // best of two, alternating
        for (int depth : {1, 2, 4}) {
            const bench::Side s = peer_group(p, count, depth);
            if (s.value > best_peer.value) best_peer = s, best_depth = depth;
        }
        best_ours = bench::best(best_ours, ours_group(p));
    }
    const std::string peer = "hiredis XREADGROUP COUNT " + std::to_string(count) +
                             " + pipelined XACK, best of 1/2/4 reads in flight (maxbuf 0)";
    bench::print_line("group_64B", best_ours, "msg/s", peer.c_str(), best_peer,
                      bench::field("messages", p.count) + bench::field("batch_size", count) +
                          bench::field("peer_reads_in_flight", best_depth));
}

constexpr int members = 3;

struct LbResult {
    bench::Side side;
    long long share[members] = {};
};

std::string shares_field(const char* name, const LbResult& r, long long count) {
    std::string s = std::string(",\"") + name + "\":[";
    for (int i = 0; i < members; ++i) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%s%.1f", i ? "," : "", 100.0 * r.share[i] / count);
        s += buf;
    }
    return s + "]";
}

// lb_group_3x, ours: three members on one Streamer, one thread each.
LbResult ours_lb(const Params& p) {
    const std::string group = fresh_group();
    LbResult result;
    std::uint64_t sums[members] = {};
    rs::ConsumerStats stats[members];
    std::atomic<long long> total{0};
    result.side = bench::measure("lb_group_3x (ours)", p.port, p.count, p.budget, [&] {
        auto streamer = rs::Streamer::connect(bench::url(p.port));
        {
            std::vector<rs::Consumer> consumers;
            for (int i = 0; i < members; ++i)
                consumers.push_back(streamer.create_consumer(
                    {rs::StreamKey(key)},
                    rs::ConsumerOptions{.mode = rs::ConsumerMode::load_balanced,
                                        .auto_stream_reset = rs::AutoStreamReset::earliest,
                                        .group = group,
                                        .auto_commit = rs::AutoCommit::rolling}));
            std::promise<void> all_read;
            std::vector<std::thread> threads;
            for (int i = 0; i < members; ++i)
                threads.emplace_back([&, i] {
                    rs::Consumer& consumer = consumers[i];
                    for (;;) {
                        std::error_code ec;
                        const rs::Message m = consumer.next(ec);
                        if (ec) break;  // end(), once the others had the rest
                        sums[i] += bench::checksum(m.payload());
                        consumer.ack(m);
                        ++result.share[i];
                        if (total.fetch_add(1) + 1 == p.count) all_read.set_value();
                    }
                });
            all_read.get_future().wait();
            for (auto& consumer : consumers)
                consumer.end();  // commits the acks still owed; stops the other next()s
            for (auto& t : threads)
                t.join();
            for (int i = 0; i < members; ++i)
                stats[i] = consumers[i].stats();
        }
        streamer.disconnect();
    });
    std::uint64_t sum = 0, acked = 0, not_pending = 0;
    for (int i = 0; i < members; ++i)
        sum += sums[i], acked += stats[i].acked, not_pending += stats[i].not_pending;
    bench::verify_drain("lb_group_3x (ours)", total.load(), p.count, sum, p.expected);
    if (acked != static_cast<std::uint64_t>(p.count) || not_pending != 0)
        bench::fail("lb_group_3x (ours): stats().acked " + std::to_string(acked) +
                    ", not_pending " + std::to_string(not_pending));
    bench::verify_group(p.port, key, group, p.count);
    return result;
}

// lb_group_3x, the peer: three connections, one thread each; a member stops
// when a read finds nothing left (no BLOCK: the backlog is all there is).
LbResult peer_lb(const Params& p, int count) {
    const std::string group = fresh_group();
    LbResult result;
    std::uint64_t sums[members] = {};
    long long acked[members] = {};
    result.side = bench::measure("lb_group_3x (peer)", p.port, p.count, p.budget, [&] {
        {
            redisContext* c = bench::peer_connect(p.port);
            freeReplyObject(bench::command(c, "XGROUP CREATE %s %s 0", key.c_str(), group.c_str()));
            redisFree(c);
        }
        std::vector<std::thread> threads;
        for (int m = 0; m < members; ++m)
            threads.emplace_back([&, m] {
                redisContext* c = bench::peer_connect(p.port);
                const std::string name = "c" + std::to_string(m);
                const auto read_page = [&] {
                    redisAppendCommand(c, "XREADGROUP GROUP %s %s COUNT %d STREAMS %s >",
                                       group.c_str(), name.c_str(), count, key.c_str());
                };
                std::vector<const char*> argv;
                std::vector<std::size_t> lens;
                read_page();
                for (;;) {
                    redisReply* r = bench::get_reply(c);
                    const redisReply* entries = bench::xread_entries(r);
                    if (!entries || entries->elements == 0) {
                        freeReplyObject(r);
                        break;
                    }
                    argv.assign({"XACK", key.c_str(), group.c_str()});
                    lens.assign({4, key.size(), group.size()});
                    for (std::size_t i = 0; i < entries->elements; ++i) {
                        const redisReply* id = entries->element[i]->element[0];
                        const redisReply* value = entries->element[i]->element[1]->element[1];
                        sums[m] += bench::checksum({value->str, value->len});
                        argv.push_back(id->str);
                        lens.push_back(id->len);
                    }
                    result.share[m] += static_cast<long long>(entries->elements);
                    redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(),
                                           lens.data());
                    read_page();
                    freeReplyObject(r);
                    redisReply* a = bench::get_reply(c);
                    acked[m] += a->integer;
                    freeReplyObject(a);
                }
                redisFree(c);
            });
        for (auto& t : threads)
            t.join();
    });
    std::uint64_t sum = 0;
    long long read = 0, acks = 0;
    for (int m = 0; m < members; ++m)
        sum += sums[m], read += result.share[m], acks += acked[m];
    bench::verify_drain("lb_group_3x (peer)", read, p.count, sum, p.expected);
    if (acks != p.count) bench::fail("lb_group_3x (peer): acked " + std::to_string(acks));
    bench::verify_group(p.port, key, group, p.count);
    return result;
}

void lb_group_3x(const Params& p) {
    const rs::ConsumerOptions defaults{.mode = rs::ConsumerMode::load_balanced};
    // A member's read asks for no more than the room left in its prefetch.
    const int count =
        static_cast<int>(std::min(defaults.batch_size, defaults.prefetch_or_default()));
    LbResult best_ours, best_peer;
    for (int round = 0; round < 2; ++round) {  // best of two, alternating
        const LbResult peer = peer_lb(p, count);
        if (peer.side.value > best_peer.side.value) best_peer = peer;
        const LbResult ours = ours_lb(p);
        if (ours.side.value > best_ours.side.value) best_ours = ours;
    }
    const std::string peer = "3 hiredis connections, XREADGROUP COUNT " + std::to_string(count) +
                             " + pipelined XACK (maxbuf 0)";
    bench::print_line(
        "lb_group_3x", best_ours.side, "msg/s", peer.c_str(), best_peer.side,
        bench::field("messages", p.count) +
            bench::field("prefetch", static_cast<long long>(defaults.prefetch_or_default())) +
            bench::field("peer_count", count) + shares_field("shares", best_ours, p.count) +
            shares_field("peer_shares", best_peer, p.count));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return std::fprintf(stderr, "usage: %s PORT [COUNT] [BUDGET]\n", argv[0]), 2;
    Params p{static_cast<std::uint16_t>(std::atoi(argv[1])),
             argc > 2 ? std::atoll(argv[2]) : 1'000'000, 0, argc > 3 ? std::atof(argv[3]) : 60.0};
    p.expected = bench::fill_indexed(p.port, key, p.count, payload_size);
    group_64B(p);
    lb_group_3x(p);
}
