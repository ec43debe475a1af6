// hiredis helpers shared by the benchmarks that link it (HIREDIS in
// bench/CMakeLists.txt): connecting, filling a backlog once, and walking an
// XREAD reply the way a plain hiredis loop does.
#pragma once

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

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

}  // namespace bench
