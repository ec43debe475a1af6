// What the consumer-side benchmarks (consumer, group, relay, many_streams)
// share: backlogs whose payloads differ per entry, the checksum both sides
// compute over every payload, a watchdog that bounds every run, timing one
// side (rate and client CPU per message), and the hiredis calls of the
// checks. The rules these follow are at the top of bench/README.md.
#pragma once

#include <hiredis/hiredis.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "hiredis_util.hpp"
#include "peers.hpp"

namespace bench {

using Clock = std::chrono::steady_clock;

inline std::string url(std::uint16_t port) {
    return "redis://127.0.0.1:" + std::to_string(port);
}

/// Payload of entry `i`: `size` bytes, the index in hex first (as far as it
/// fits), then one letter. Printable, and different for every entry, so that
/// the checksum of a run that lost one message and read another twice differs.
inline void set_indexed_payload(std::string& p, std::uint64_t i, std::size_t size) {
    p.assign(size, static_cast<char>('a' + i % 26));
    static constexpr char digits[] = "0123456789abcdef";
    for (std::size_t d = 0; d < 16 && d < size; ++d)
        p[d] = digits[(i >> (60 - 4 * d)) & 0xf];
}
inline std::string indexed_payload(std::uint64_t i, std::size_t size) {
    std::string p;
    set_indexed_payload(p, i, size);
    return p;
}

/// Sum of the payload's 8-byte words (and its tail bytes), plus its size:
/// reads every byte, at memory speed. Summed over a run it does not depend on
/// the order of delivery, so it also checks runs over several streams.
inline std::uint64_t checksum(std::string_view p) {
    std::uint64_t sum = p.size();
    std::size_t i = 0;
    for (; i + 8 <= p.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p.data() + i, 8);
        sum += w;
    }
    for (; i < p.size(); ++i)
        sum += static_cast<unsigned char>(p[i]);
    return sum;
}

/// The checksum of entries `first` .. `first + count - 1`.
inline std::uint64_t expected_checksum(std::uint64_t first, long long count, std::size_t size) {
    std::uint64_t sum = 0;
    for (long long i = 0; i < count; ++i)
        sum += checksum(indexed_payload(first + static_cast<std::uint64_t>(i), size));
    return sum;
}

/// A reply, or fail: a connection error or an error reply is the end of the run.
inline redisReply* checked(redisContext* c, void* reply) {
    auto* r = static_cast<redisReply*>(reply);
    if (!r) fail(std::string("hiredis: ") + c->errstr);
    if (r->type == REDIS_REPLY_ERROR) fail(std::string("server: ") + std::string(r->str, r->len));
    return r;
}

template <class... Args>
redisReply* command(redisContext* c, const char* fmt, Args... args) {
    return checked(c, redisCommand(c, fmt, args...));
}

inline redisReply* get_reply(redisContext* c) {
    void* reply = nullptr;
    if (redisGetReply(c, &reply) != REDIS_OK) fail(std::string("hiredis: ") + c->errstr);
    return checked(c, reply);
}

/// A peer's connection, as a skilled user sets it up for large replies: the
/// reader keeps its buffer (maxbuf 0) instead of freeing it after each reply.
inline redisContext* peer_connect(std::uint16_t port) {
    redisContext* c = hiredis_connect(port);
    c->reader->maxbuf = 0;
    return c;
}

/// Makes `key` a stream of entries `msg <indexed_payload(first + i, size)>`,
/// i < count (pipelined XADDs), unless it already has `count` entries (a
/// stale stream of that length fails the checksum of the first run on it).
/// Returns the checksum of its payloads.
inline std::uint64_t fill_indexed(std::uint16_t port, const std::string& key, long long count,
                                  std::size_t size, std::uint64_t first = 0) {
    redisContext* c = hiredis_connect(port);
    if (hiredis_xlen(c, key) != count) {
        hiredis_del(c, key);
        // At most ~4 MB of commands buffered at once.
        const long long batch = std::clamp<long long>((4 << 20) / (size + 64), 1, 1000);
        for (long long sent = 0; sent < count;) {
            const long long n = std::min(batch, count - sent);
            for (long long i = 0; i < n; ++i) {
                const std::string p = indexed_payload(first + sent + i, size);
                redisAppendCommand(c, "XADD %s * msg %b", key.c_str(), p.data(), p.size());
            }
            for (long long i = 0; i < n; ++i)
                freeReplyObject(get_reply(c));
            sent += n;
        }
    }
    redisFree(c);
    return expected_checksum(first, count, size);
}

/// Bounds one run: if it is not over after `budget`, the benchmark fails,
/// even while a call of the run is blocked (a stalled next()). It waits on a
/// condition variable, so it costs no CPU while the run goes on.
class Watchdog {
  public:
    Watchdog(std::string what, std::chrono::duration<double> budget)
        : thread_([this, what = std::move(what), budget] {
              std::unique_lock lock(mutex_);
              if (!cv_.wait_for(lock, budget, [this] { return done_; })) {
                  std::fprintf(stderr, "benchmark check failed: %s: over its budget of %.0f s\n",
                               what.c_str(), budget.count());
                  // Not exit(): the run's threads are still going.
                  std::_Exit(1);
              }
          }) {}
    ~Watchdog() {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        cv_.notify_one();
        thread_.join();
    }
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool done_ = false;
    std::thread thread_;  // last: starts once the rest is ready
};

/// Runs one side (`run()` does all of it: connect, the work, the teardown)
/// under a watchdog of `budget` seconds against the server on `port`; its
/// rate over `messages`, its client CPU (all threads of this process) per
/// message and what it cost the server (ServerMeter).
template <class F>
Side measure(const std::string& what, std::uint16_t port, long long messages, double budget,
             F&& run) {
    Watchdog watchdog(what, std::chrono::duration<double>(budget));
    const ServerMeter server(port);
    const double cpu0 = process_cpu_ns();
    const auto t0 = Clock::now();
    run();
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = process_cpu_ns() - cpu0;
    const auto n = static_cast<double>(messages);
    Side side{n / secs, cpu / n};
    server.finish(side, n, secs);
    return side;
}

/// The better round of a side (its rate, and that round's CPU).
inline Side best(Side a, Side b) {
    return a.value >= b.value ? a : b;
}

/// Count and payload checksum of a whole stream (XRANGE in pages, outside
/// the timing), for checking what a relay or a producer wrote.
inline std::pair<long long, std::uint64_t> stream_checksum(std::uint16_t port,
                                                           const std::string& key) {
    redisContext* c = peer_connect(port);
    long long n = 0;
    std::uint64_t sum = 0;
    std::string from = "-";
    for (;;) {
        redisReply* r = command(c, "XRANGE %s %s + COUNT 10000", key.c_str(), from.c_str());
        for (std::size_t i = 0; i < r->elements; ++i) {
            const redisReply* fields = r->element[i]->element[1];
            if (fields->elements != 2) fail(key + ": an entry without exactly one field");
            sum += checksum({fields->element[1]->str, fields->element[1]->len});
        }
        n += static_cast<long long>(r->elements);
        const bool more = r->elements == 10000;
        if (more) {
            const redisReply* id = r->element[r->elements - 1]->element[0];
            from = "(" + std::string(id->str, id->len);
        }
        freeReplyObject(r);
        if (!more) break;
    }
    redisFree(c);
    return {n, sum};
}

/// Fails unless `group` on `key` has delivered `count` entries (XINFO GROUPS
/// entries-read) and has none pending (the XPENDING summary); then destroys
/// it, so that its bookkeeping does not weigh on later runs.
inline void verify_group(std::uint16_t port, const std::string& key, const std::string& group,
                         long long count) {
    redisContext* c = hiredis_connect(port);
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
            const std::string_view field(info->element[i]->str, info->element[i]->len);
            const redisReply* v = info->element[i + 1];
            if (field == "name") ours = std::string_view(v->str, v->len) == group;
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

/// Fails unless a side saw `count` messages whose payloads sum to `sum`.
inline void verify_drain(const std::string& what, long long count, long long expected_count,
                         std::uint64_t sum, std::uint64_t expected_sum) {
    if (count != expected_count)
        fail(what + ": read " + std::to_string(count) + " of " + std::to_string(expected_count));
    if (sum != expected_sum) fail(what + ": payload checksum differs");
}

/// `,"key":value` for the extra fields of a line.
inline std::string field(const char* key, long long value) {
    return std::string(",\"") + key + "\":" + std::to_string(value);
}
inline std::string field(const char* key, const std::string& value) {
    return std::string(",\"") + key + "\":\"" + value + "\"";
}

}  // namespace bench
