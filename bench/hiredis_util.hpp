// hiredis helpers shared by the benchmarks that link it (HIREDIS in
// bench/CMakeLists.txt): connecting, filling a backlog once, walking an
// XREAD reply the way a plain hiredis loop does, and metering the server.
#pragma once

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "peers.hpp"

namespace bench {

inline redisContext* hiredis_connect(std::uint16_t port) {
    redisContext* c = redisConnect("127.0.0.1", port);
    if (!c || c->err) {
        std::fprintf(stderr, "hiredis connect failed: %s\n", c ? c->errstr : "no memory");
        std::exit(1);
    }
    return c;
}

inline redisReply* hiredis_command(redisContext* c, const char* fmt, const char* key) {
    auto* r = static_cast<redisReply*>(redisCommand(c, fmt, key));
    if (!r) std::fprintf(stderr, "hiredis error: %s\n", c->errstr), std::exit(1);
    if (r->type == REDIS_REPLY_ERROR) std::fprintf(stderr, "server: %s\n", r->str), std::exit(1);
    return r;
}

inline long long hiredis_xlen(redisContext* c, const std::string& key) {
    redisReply* r = hiredis_command(c, "XLEN %s", key.c_str());
    const long long n = r->integer;
    freeReplyObject(r);
    return n;
}

inline void hiredis_del(redisContext* c, const std::string& key) {
    freeReplyObject(hiredis_command(c, "DEL %s", key.c_str()));
}

/// Makes `key` a stream of exactly `count` entries `msg <payload>` (pipelined
/// XADDs in batches of 1000), unless it already is one: the backlog is filled
/// once and shared by both sides (and by later benchmarks of the same run).
inline void ensure_backlog(std::uint16_t port, const std::string& key, long long count,
                           const std::string& payload) {
    redisContext* c = hiredis_connect(port);
    if (hiredis_xlen(c, key) == count) return redisFree(c);
    hiredis_del(c, key);
    constexpr long long batch = 1000;
    for (long long sent = 0; sent < count;) {
        const long long n = std::min(batch, count - sent);
        for (long long i = 0; i < n; ++i)
            redisAppendCommand(c, "XADD %s * msg %b", key.c_str(), payload.data(), payload.size());
        for (long long i = 0; i < n; ++i) {
            void* reply = nullptr;
            if (redisGetReply(c, &reply) != REDIS_OK)
                std::fprintf(stderr, "hiredis error: %s\n", c->errstr), std::exit(1);
            freeReplyObject(reply);
        }
        sent += n;
    }
    redisFree(c);
}

/// The entries of the one stream in an XREAD reply (an array of [id, fields]),
/// or nullptr for a nil reply (BLOCK timed out).
inline const redisReply* xread_entries(const redisReply* r) {
    if (r->type == REDIS_REPLY_NIL) return nullptr;
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 1 || r->element[0]->elements != 2) {
        std::fprintf(stderr, "unexpected XREAD reply (type %d)\n", r->type);
        std::exit(1);
    }
    return r->element[0]->element[1];
}

/// The server's CPU time so far, all its threads (INFO cpu: used_cpu_user +
/// used_cpu_sys, its own getrusage, in µs steps), in ns.
inline double server_cpu_ns(std::uint16_t port) {
    redisContext* c = hiredis_connect(port);
    redisReply* r = hiredis_command(c, "INFO %s", "cpu");
    double seconds = 0;
    int found = 0;
    for (const char* field : {"\nused_cpu_user:", "\nused_cpu_sys:"}) {
        if (const char* at = r->type == REDIS_REPLY_STRING ? std::strstr(r->str, field) : nullptr)
            seconds += std::atof(at + std::strlen(field)), ++found;
    }
    freeReplyObject(r);
    redisFree(c);
    if (found != 2) fail("INFO cpu has no used_cpu_user and used_cpu_sys");
    return seconds * 1e9;
}

/// What one side cost the server, so that a line shows whether the server
/// or the client bounds it: made just before a side's timed window starts,
/// finish() just after it ends.
class ServerMeter {
  public:
    explicit ServerMeter(std::uint16_t port) : port_(port), cpu0_(server_cpu_ns(port)) {}
    /// Sets the server's CPU per message and its busy share over `secs`.
    void finish(Side& side, double messages, double secs) const {
        const double cpu = server_cpu_ns(port_) - cpu0_;
        side.server_ns = cpu / messages;
        side.server_busy = cpu / (secs * 1e9);
    }

  private:
    std::uint16_t port_;
    double cpu0_;
};

}  // namespace bench
