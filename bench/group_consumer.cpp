// group_consumer: a resumable group consumer (AutoStreamReset::earliest,
// AutoCommit::rolling) drains a backlog of 1M × 64 B entries with next(),
// touching every id and payload and acking every message with ack(). The
// clock stops after end(), which commits every ack still owed, so the
// figure includes all the acks reaching the server. Each drain uses a fresh
// group (so it reads from the start) and is checked afterwards: every entry
// delivered once and in order, the group's entries-read equal to the count,
// and XPENDING reporting nothing pending; otherwise the program fails.
// Peers in the same run, on the same stream:
//  - a plain hiredis loop: `XREADGROUP GROUP g c COUNT 1000 STREAMS key >`,
//    then the XACK of that page's ids pipelined with the next XREADGROUP
//    (one round trip per page), checked the same way;
//  - our own real-time consumer (XREAD, earliest) on the same backlog: what
//    the group (delivery bookkeeping on the server, acks) costs us.
// Best of two alternating rounds per side. A drain that exceeds BUDGET seconds
// (default 20) stops and fails, so that a regression cannot make a run endless.
// Usage: group_consumer PORT [COUNT] [BATCH_SIZE] [PREFETCH] [BUDGET]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

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

[[noreturn]] void fail(const std::string& why) {
    std::fprintf(stderr, "group_consumer: %s\n", why.c_str());
    std::exit(1);
}

std::string url(std::uint16_t port) {
    return "redis://127.0.0.1:" + std::to_string(port);
}

// A group name no earlier drain used, so that every drain starts from the
// beginning of the stream with an empty pending list.
std::string fresh_group() {
    static int n = 0;
    return "bench:group_consumer:" + std::to_string(::getpid()) + ":" + std::to_string(++n);
}

template <class... Args>
redisReply* command(redisContext* c, const char* fmt, Args... args) {
    auto* r = static_cast<redisReply*>(redisCommand(c, fmt, args...));
    if (!r) fail(std::string("hiredis error: ") + c->errstr);
    if (r->type == REDIS_REPLY_ERROR) fail(std::string("server: ") + r->str);
    return r;
}

redisReply* get_reply(redisContext* c) {
    void* reply = nullptr;
    if (redisGetReply(c, &reply) != REDIS_OK) fail(std::string("hiredis error: ") + c->errstr);
    auto* r = static_cast<redisReply*>(reply);
    if (r->type == REDIS_REPLY_ERROR) fail(std::string("server: ") + r->str);
    return r;
}

// Fails unless `group` has delivered `count` entries (XINFO GROUPS
// entries-read) and has none pending (the XPENDING summary's count); then
// destroys it, so that its bookkeeping does not weigh on later drains.
void verify_and_destroy(std::uint16_t port, const std::string& group, long long count) {
    redisContext* c = bench::hiredis_connect(port);
    redisReply* pending = command(c, "XPENDING %s %s", key.c_str(), group.c_str());
    if (pending->type != REDIS_REPLY_ARRAY || pending->elements < 1)
        fail("unexpected XPENDING reply");
    if (pending->element[0]->integer != 0)
        fail(group + ": " + std::to_string(pending->element[0]->integer) + " still pending");
    freeReplyObject(pending);
    redisReply* groups = command(c, "XINFO GROUPS %s", key.c_str());
    long long read = -1;
    for (std::size_t g = 0; g < groups->elements; ++g) {
        const redisReply* info = groups->element[g];  // flat: field, value, ...
        bool ours = false;
        long long entries_read = -1;
        for (std::size_t i = 0; i + 1 < info->elements; i += 2) {
            const std::string field(info->element[i]->str, info->element[i]->len);
            const redisReply* v = info->element[i + 1];
            if (field == "name") ours = std::string(v->str, v->len) == group;
            if (field == "entries-read" && v->type == REDIS_REPLY_INTEGER)
                entries_read = v->integer;
        }
        if (ours) read = entries_read;
    }
    freeReplyObject(groups);
    if (read != count)
        fail(group + ": entries-read " + std::to_string(read) + ", expected " +
             std::to_string(count));
    freeReplyObject(command(c, "XGROUP DESTROY %s %s", key.c_str(), group.c_str()));
    redisFree(c);
}

// Ours: the resumable group consumer, acking every message.
double ours_group(std::uint16_t port, const Drain& d) {
    const std::string group = fresh_group();
    auto streamer = rs::Streamer::connect(url(port));
    double secs = 0;
    rs::ConsumerStats stats;
    {
        // Scoped so that the consumer is gone before disconnect(): a group
        // consumer's end() (again, in its destructor) waits on the I/O
        // threads, and after disconnect() it would wait out end_timeout.
        const auto start = Clock::now();
        auto consumer =
            streamer.create_consumer({key}, rs::ConsumerOptions{
                                                .mode = rs::ConsumerMode::resumable,
                                                .auto_stream_reset = rs::AutoStreamReset::earliest,
                                                .batch_size = d.batch,
                                                .prefetch = d.prefetch,
                                                .group_id = group,
                                                .auto_commit = rs::AutoCommit::rolling,
                                            });
        std::uint64_t touched = 0;
        rs::MessageId last{};
        for (long long read = 0; read < d.count;) {
            const rs::Message m = consumer.next();
            if (read > 0 && !(last < m.id()))
                fail("group: ids out of order at " + m.id().to_string());
            last = m.id();
            touched += touch(m);
            consumer.ack(m);
            if (++read % 1024 == 0 && Clock::now() - start > d.budget)
                fail("group: over the budget after " + std::to_string(read) + " messages");
        }
        consumer.end();  // commits every ack still owed, waiting for the server
        secs = std::chrono::duration<double>(Clock::now() - start).count();
        sink = touched;
        stats = consumer.stats();
    }
    streamer.disconnect();
    if (stats.acked != static_cast<std::uint64_t>(d.count) || stats.not_pending != 0)
        fail("group: stats().acked " + std::to_string(stats.acked) + ", not_pending " +
             std::to_string(stats.not_pending) + ", expected " + std::to_string(d.count));
    verify_and_destroy(port, group, d.count);
    return static_cast<double>(d.count) / secs;
}

// Ours without a group: the real-time consumer on the same backlog, as in
// consumer_xread.
double ours_real_time(std::uint16_t port, const Drain& d) {
    const auto r = bench::real_time_drain(port, key, d);
    sink = r.touched;
    if (r.read < d.count)
        fail("real-time: over the budget after " + std::to_string(r.read) + " messages");
    return static_cast<double>(r.read) / r.seconds;
}

// The peer: read a page with XREADGROUP, then send its XACK together with the
// next XREADGROUP, so that each page costs one round trip; the last XACK's
// reply is read before the clock stops.
double hiredis_group(std::uint16_t port, long long count) {
    const std::string group = fresh_group();
    redisContext* c = bench::hiredis_connect(port);
    const auto start = Clock::now();
    freeReplyObject(command(c, "XGROUP CREATE %s %s 0", key.c_str(), group.c_str()));
    const auto read_page = [&] {
        redisAppendCommand(c, "XREADGROUP GROUP %s c COUNT %d STREAMS %s >", group.c_str(),
                           peer_count, key.c_str());
    };
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    std::uint64_t touched = 0;
    long long seen = 0, acked = 0;
    read_page();
    while (seen < count) {
        redisReply* r = get_reply(c);
        const redisReply* entries = bench::xread_entries(r);
        if (!entries || entries->elements == 0)
            fail("hiredis: backlog ended after " + std::to_string(seen));
        argv.assign({"XACK", key.c_str(), group.c_str()});
        lens.assign({4, key.size(), group.size()});
        for (std::size_t i = 0; i < entries->elements; ++i) {
            const redisReply* e = entries->element[i];
            const redisReply* id = e->element[0];
            const redisReply* value = e->element[1]->element[1];  // fields: msg, payload
            touched +=
                id->len + std::uint8_t(id->str[0]) + value->len + std::uint8_t(value->str[0]);
            argv.push_back(id->str);
            lens.push_back(id->len);
        }
        seen += static_cast<long long>(entries->elements);
        redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data());
        if (seen < count) read_page();
        freeReplyObject(r);
        redisReply* a = get_reply(c);  // the XACK's; writes it and the next read first
        acked += a->integer;
        freeReplyObject(a);
    }
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    sink = touched;
    redisFree(c);
    if (seen != count || acked != count)
        fail("hiredis: read " + std::to_string(seen) + ", acked " + std::to_string(acked));
    verify_and_destroy(port, group, count);
    return static_cast<double>(count) / secs;
}

}  // namespace

int main(int argc, char** argv) {
    const auto [port, d] = bench::parse_drain_args(argc, argv, 20.0);
    bench::ensure_backlog(port, key, d.count, payload);
    double best_group = 0, best_real_time = 0, best_peer = 0;
    for (int round = 0; round < 2; ++round) {  // best of two, alternating
        best_peer = std::max(best_peer, hiredis_group(port, d.count));
        best_group = std::max(best_group, ours_group(port, d));
        best_real_time = std::max(best_real_time, ours_real_time(port, d));
    }
    bench::print("group_consumer", best_group, "msg/s",
                 "hiredis XREADGROUP COUNT 1000 + pipelined XACK loop", best_peer);
    bench::print("group_consumer_vs_real_time", best_group, "msg/s",
                 "redstream real-time Consumer (XREAD)", best_real_time);
}
