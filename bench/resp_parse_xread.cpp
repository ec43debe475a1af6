// resp_parse_xread: parse the bytes of an XREAD reply (1000 entries of a
// 64 B payload, RESP2 shape) with our Reader and with hiredis's redisReader
// (maxbuf 0, as hiredis documents for large replies: it keeps its buffer
// instead of freeing it after each reply), fed in 64 KiB chunks as from a
// socket, touching every id and payload. cpu_ns is the CPU per reply parsed.
// Usage: resp_parse_xread [SECONDS_PER_SIDE]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <redstream/resp/reader.hpp>

#include "peers.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace resp = redstream::resp;

constexpr std::size_t entries = 1000;
constexpr std::size_t payload_size = 64;
constexpr std::size_t chunk_size = 64 * 1024;

void append_bulk(std::string& out, std::string_view s) {
    out += '$' + std::to_string(s.size()) + "\r\n";
    out.append(s);
    out += "\r\n";
}

std::string xread_reply() {
    std::string out = "*1\r\n*2\r\n";
    append_bulk(out, "bench:stream");
    out += "*" + std::to_string(entries) + "\r\n";
    for (std::size_t i = 0; i < entries; ++i) {
        out += "*2\r\n";
        append_bulk(out, "1700000000000-" + std::to_string(i));
        out += "*2\r\n";
        append_bulk(out, "msg");
        append_bulk(out, std::string(payload_size, static_cast<char>('a' + i % 26)));
    }
    return out;
}

// Sum of sizes and first bytes: every payload is read, and the compiler
// cannot drop the work.
std::size_t touch_ours(const resp::Reply& reply) {
    std::size_t sum = 0;
    for (const resp::Value entry : reply.root()[0][1]) {
        const auto payload = entry[1][1].str();
        sum += entry[0].str().size() + payload.size() + static_cast<unsigned char>(payload[0]);
    }
    return sum;
}

std::size_t touch_hiredis(const redisReply* reply) {
    std::size_t sum = 0;
    const redisReply* list = reply->element[0]->element[1];
    for (std::size_t i = 0; i < list->elements; ++i) {
        const redisReply* entry = list->element[i];
        const redisReply* payload = entry->element[1]->element[1];
        sum += entry->element[0]->len + payload->len + static_cast<unsigned char>(payload->str[0]);
    }
    return sum;
}

std::size_t run_ours(resp::Reader& reader, std::string_view wire, std::size_t& replies) {
    std::size_t sum = 0;
    resp::Reply reply;
    std::error_code ec;
    for (std::size_t pos = 0; pos < wire.size(); pos += chunk_size) {
        reader.feed(wire.substr(pos, chunk_size));
        while (reader.next(reply, ec)) {
            sum += touch_ours(reply);
            ++replies;
        }
        if (ec) bench::fail("resp_parse_xread: parse error: " + ec.message());
    }
    return sum;
}

std::size_t run_hiredis(redisReader* reader, std::string_view wire, std::size_t& replies) {
    std::size_t sum = 0;
    for (std::size_t pos = 0; pos < wire.size(); pos += chunk_size) {
        const auto chunk = wire.substr(pos, chunk_size);
        redisReaderFeed(reader, chunk.data(), chunk.size());
        void* reply = nullptr;
        while (redisReaderGetReply(reader, &reply) == REDIS_OK && reply != nullptr) {
            sum += touch_hiredis(static_cast<redisReply*>(reply));
            freeReplyObject(reply);
            ++replies;
        }
    }
    return sum;
}

// Runs `one` (one reply's worth of bytes) for about `seconds`: replies/s and
// CPU per reply.
template <class F>
bench::Side measure(double seconds, F one) {
    std::size_t replies = 0;
    std::size_t check = one(replies);  // warm-up
    const double cpu0 = bench::process_cpu_ns();
    const auto start = Clock::now();
    replies = 0;
    std::size_t rounds = 0;
    double elapsed = 0;
    while (elapsed < seconds) {
        for (int i = 0; i < 16; ++i, ++rounds)
            check += one(replies);
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    }
    const double cpu = bench::process_cpu_ns() - cpu0;
    if (replies != rounds || check == 0) bench::fail("resp_parse_xread: lost replies");
    return {static_cast<double>(replies) / elapsed, cpu / static_cast<double>(replies)};
}

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
    const std::string wire = xread_reply();

    resp::Reader ours;
    const bench::Side ours_side =
        measure(seconds, [&](std::size_t& n) { return run_ours(ours, wire, n); });

    redisReader* peer = redisReaderCreate();
    peer->maxbuf = 0;
    const bench::Side peer_side =
        measure(seconds, [&](std::size_t& n) { return run_hiredis(peer, wire, n); });
    redisReaderFree(peer);

    bench::print_line("resp_parse_xread", ours_side, "replies/s", "hiredis redisReader (maxbuf 0)",
                      peer_side, ",\"reply_bytes\":" + std::to_string(wire.size()));
    return 0;
}
