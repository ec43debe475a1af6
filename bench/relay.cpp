// relay: read one stream, write each message to another (relay_64B). Ours:
// one Streamer, a real-time Consumer (earliest, defaults otherwise) on the
// 1M × 64 B backlog and a Producer (defaults) on the output stream; each
// message from next() is send() on; every send's result is checked (ready
// ones as it goes, the rest after the one flush() at the end, inside the
// timing). Peer: a hiredis relay that reads ahead: as soon as a page arrives
// it sends the XREAD of the next one (COUNT = our batch_size), then the
// page's XADDs, pipelined, and reads the previous page's XADD replies while
// the server works on those; every XADD reply is checked.
// Both sides: the output stream's XLEN and payload checksum equal the
// input's; it is deleted after each run. Best of two alternating rounds per
// side; a run over BUDGET seconds (default 60) fails the program.
// Usage: relay PORT [COUNT] [BUDGET]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>

#include <redstream/redis/streamer.hpp>

#include "consume.hpp"

namespace rs = redstream;

namespace {

const std::string in_key = "bench:consumer:64B";
const std::string out_key = "bench:relay:out";
constexpr std::size_t payload_size = 64;

struct Params {
    std::uint16_t port;
    long long count;
    std::uint64_t expected;
    double budget;
};

void check_output(const char* who, const Params& p) {
    const auto [n, sum] = bench::stream_checksum(p.port, out_key);
    bench::verify_drain(std::string("relay_64B (") + who + ") output", n, p.count, sum, p.expected);
    redisContext* c = bench::hiredis_connect(p.port);
    bench::hiredis_del(c, out_key);
    redisFree(c);
}

// Fails on a send that failed.
void check_send(const rs::SendFuture& f) {
    std::error_code ec;
    f.get(ec);
    if (ec) bench::fail("relay_64B (ours): a send failed: " + ec.message());
}

bench::Side ours(const Params& p) {
    const auto side = bench::measure("relay_64B (ours)", p.port, p.count, p.budget, [&] {
        auto streamer = rs::Streamer::connect(bench::url(p.port));
        auto producer = streamer.create_producer(rs::StreamKey(out_key));
        auto consumer = streamer.create_consumer(
            {rs::StreamKey(in_key)},
            rs::ConsumerOptions{.auto_stream_reset = rs::AutoStreamReset::earliest});
        // Sends not yet known to have succeeded, oldest first.
        std::deque<rs::SendFuture> unconfirmed;
        for (long long done = 0; done < p.count; ++done) {
            const rs::Message m = consumer.next();
            unconfirmed.push_back(producer.send(m.payload()));
            while (!unconfirmed.empty() && unconfirmed.front().ready()) {
                check_send(unconfirmed.front());
                unconfirmed.pop_front();
            }
        }
        producer.flush();
        for (const auto& f : unconfirmed)
            check_send(f);
        consumer.end();
        producer.end();
        streamer.disconnect();
    });
    check_output("ours", p);
    return side;
}

bench::Side peer(const Params& p, int count) {
    const auto side = bench::measure("relay_64B (peer)", p.port, p.count, p.budget, [&] {
        redisContext* c = bench::peer_connect(p.port);
        std::string last = "0-0";
        const auto read_page = [&] {
            redisAppendCommand(c, "XREAD COUNT %d STREAMS %s %s", count, in_key.c_str(),
                               last.c_str());
        };
        // Sends what is buffered now, so that the server starts on it while
        // the XADDs are being built.
        const auto write_out = [&] {
            for (int done = 0; !done;)
                if (redisBufferWrite(c, &done) != REDIS_OK)
                    bench::fail(std::string("relay_64B (peer): ") + c->errstr);
        };
        long long seen = 0, owed = 0;  // owed: XADD replies of the previous page
        read_page();
        while (seen < p.count) {
            redisReply* r = bench::get_reply(c);
            const redisReply* entries = bench::xread_entries(r);
            if (!entries || entries->elements == 0)
                bench::fail("relay_64B (peer): the backlog ended after " + std::to_string(seen));
            const auto n = static_cast<long long>(entries->elements);
            seen += n;
            const redisReply* back = entries->element[entries->elements - 1]->element[0];
            last.assign(back->str, back->len);
            if (seen < p.count) {
                read_page();
                write_out();
            }
            for (std::size_t i = 0; i < entries->elements; ++i) {
                const redisReply* value = entries->element[i]->element[1]->element[1];
                redisAppendCommand(c, "XADD %s * msg %b", out_key.c_str(), value->str, value->len);
            }
            write_out();
            freeReplyObject(r);
            // The previous page's XADDs were sent before this page's read:
            // their replies come first.
            for (; owed > 0; --owed) {
                redisReply* a = bench::get_reply(c);
                if (a->type != REDIS_REPLY_STRING) bench::fail("relay_64B (peer): bad XADD reply");
                freeReplyObject(a);
            }
            owed = n;
        }
        for (; owed > 0; --owed) {
            redisReply* a = bench::get_reply(c);
            if (a->type != REDIS_REPLY_STRING) bench::fail("relay_64B (peer): bad XADD reply");
            freeReplyObject(a);
        }
        redisFree(c);
    });
    check_output("peer", p);
    return side;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return std::fprintf(stderr, "usage: %s PORT [COUNT] [BUDGET]\n", argv[0]), 2;
    Params p{static_cast<std::uint16_t>(std::atoi(argv[1])),
             argc > 2 ? std::atoll(argv[2]) : 1'000'000, 0, argc > 3 ? std::atof(argv[3]) : 60.0};
    p.expected = bench::fill_indexed(p.port, in_key, p.count, payload_size);
    {
        redisContext* c = bench::hiredis_connect(p.port);
        bench::hiredis_del(c, out_key);
        redisFree(c);
    }
    const int count = static_cast<int>(rs::ConsumerOptions{}.batch_size);
    bench::Side best_ours, best_peer;
    for (int round = 0; round < 2; ++round) {  // best of two, alternating
        best_peer = bench::best(best_peer, peer(p, count));
        best_ours = bench::best(best_ours, ours(p));
    }
    const std::string peer_name = "hiredis relay reading ahead: XREAD COUNT " +
                                  std::to_string(count) + " in flight + pipelined XADD (maxbuf 0)";
    bench::print_line("relay_64B", best_ours, "msg/s", peer_name.c_str(), best_peer,
                      bench::field("messages", p.count) + bench::field("batch_size", count));
}
