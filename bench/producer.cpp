// producer: N XADDs through one Producer at default options, against a
// hiredis loop that keeps the same number of commands in flight, at 64 B,
// 1 KiB and 64 KiB payloads; at 64 B also against redis-benchmark at the
// same -P. Every side is verified: each send's result (ours) or reply (the
// peer), then XLEN and a checksum of every payload read back. See
// bench/README.md. Usage: producer PORT [COUNT_64B [COUNT_1KiB [COUNT_64KiB]]]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>

#include <redstream/redis/streamer.hpp>

#include "hiredis_util.hpp"
#include "peers.hpp"

namespace rs = redstream;
using Clock = std::chrono::steady_clock;

namespace {

// src/redis/producer_impl.hpp ProducerImpl::max_batches_in_flight: the
// producer keeps this many batches of max_batch XADDs on the wire.
constexpr std::size_t batches_in_flight = 2;

// What ProducerImpl::held_bytes counts for one send besides the key, field
// and payload (8 arguments × 16 bytes of framing).
constexpr std::size_t held_overhead = 8 * 16;

/// Commands our producer keeps in flight at default options for this
/// payload: two full batches, unless the unconfirmed bounds stop it first.
std::size_t default_depth(std::size_t key_size, std::size_t payload_size) {
    using O = rs::ProducerOptions;
    const std::size_t held =
        key_size + rs::ConnectOptions::default_payload_field.size() + payload_size + held_overhead;
    return std::max<std::size_t>(
        1, std::min({O::default_max_batch * batches_in_flight, O::default_max_unconfirmed,
                     O::default_max_unconfirmed_bytes / held}));
}

/// Payload i: its index in the first 8 bytes (so that every payload differs
/// and the checksum sees loss, duplication and reordering), then a fixed
/// pattern. One buffer, rewritten per message, as a user would reuse one.
class Payloads {
  public:
    explicit Payloads(std::size_t size) : buf_(std::max<std::size_t>(size, 8), '\0') {
        for (std::size_t k = 8; k < buf_.size(); ++k)
            buf_[k] = static_cast<char>('a' + k % 26);
    }
    std::string_view at(std::uint64_t i) {
        std::memcpy(buf_.data(), &i, sizeof i);
        return buf_;
    }

  private:
    std::string buf_;
};

/// An order-sensitive checksum over a sequence of payloads.
class Checksum {
  public:
    void add(std::string_view p) {
        std::uint64_t h = p.size() * 0x9E3779B97F4A7C15ULL;
        std::size_t k = 0;
        for (; k + 8 <= p.size(); k += 8) {
            std::uint64_t w;
            std::memcpy(&w, p.data() + k, 8);
            h = mix(h ^ w);
        }
        for (; k < p.size(); ++k)
            h = mix(h ^ static_cast<unsigned char>(p[k]));
        sum_ = mix(sum_ ^ h);
        ++count_;
    }
    std::uint64_t value() const { return sum_; }
    std::uint64_t count() const { return count_; }

  private:
    static std::uint64_t mix(std::uint64_t h) {
        h *= 0xBF58476D1CE4E5B9ULL;
        return h ^ (h >> 31);
    }
    std::uint64_t sum_ = 0;
    std::uint64_t count_ = 0;
};

std::uint64_t expected_checksum(std::size_t size, std::uint64_t count) {
    Payloads payloads(size);
    Checksum sum;
    for (std::uint64_t i = 0; i < count; ++i)
        sum.add(payloads.at(i));
    return sum.value();
}

redisContext* connect_peer(std::uint16_t port) {
    redisContext* c = bench::hiredis_connect(port);
    c->reader->maxbuf = 0;  // as hiredis documents for large replies: keep the buffer
    return c;
}

/// Checks that `key` holds exactly `count` entries `msg <payload i>` in
/// order (or, with `any_payload`, any payloads: redis-benchmark's are all
/// alike), then deletes it. Fails the run otherwise.
void verify_and_delete(std::uint16_t port, const std::string& key, std::uint64_t count,
                       std::size_t payload_size, std::uint64_t expected, bool any_payload = false) {
    redisContext* c = connect_peer(port);
    const long long len = bench::hiredis_xlen(c, key);
    if (len != static_cast<long long>(count))
        bench::fail(key + ": XLEN " + std::to_string(len) + ", expected " + std::to_string(count));
    if (!any_payload) {
        // Pages of about 4 MiB: whole-stream replies would be GBs at 64 KiB.
        const std::size_t page =
            std::clamp<std::size_t>((4u << 20) / (payload_size + 64), 10, 1000);
        const std::string page_arg = std::to_string(page);
        Checksum sum;
        std::string from = "-";
        for (;;) {
            auto* r = static_cast<redisReply*>(redisCommand(
                c, "XRANGE %s %s + COUNT %s", key.c_str(), from.c_str(), page_arg.c_str()));
            if (!r || r->type != REDIS_REPLY_ARRAY) bench::fail(key + ": XRANGE failed");
            for (std::size_t e = 0; e < r->elements; ++e) {
                const redisReply* entry = r->element[e];
                const redisReply* fields = entry->element[1];
                if (fields->elements != 2 ||
                    std::string_view(fields->element[0]->str, fields->element[0]->len) != "msg")
                    bench::fail(key + ": an entry is not `msg <payload>`");
                sum.add({fields->element[1]->str, fields->element[1]->len});
            }
            const bool last = r->elements < page;
            if (r->elements > 0) {
                const redisReply* id = r->element[r->elements - 1]->element[0];
                from = "(" + std::string(id->str, id->len);
            }
            freeReplyObject(r);
            if (last) break;
        }
        if (sum.count() != count)
            bench::fail(key + ": read back " + std::to_string(sum.count()) + " entries");
        if (sum.value() != expected) bench::fail(key + ": payload checksum differs");
    }
    bench::hiredis_del(c, key);
    redisFree(c);
}

/// Our side: send() each payload as fast as the producer takes them,
/// keeping each SendFuture until it resolves and checking every one (a
/// receipt with an id above the previous one, since receipts of one stream
/// come in send order). The clock stops when the last send is confirmed.
bench::Side run_ours(std::uint16_t port, const std::string& key, std::uint64_t count,
                     std::size_t size, bool hand_over = false) {
    auto streamer = rs::Streamer::connect("redis://127.0.0.1:" + std::to_string(port));
    auto producer = streamer.create_producer(key);
    Payloads payloads(size);
    std::deque<rs::SendFuture> pending;
    rs::MessageId last = rs::MessageId::min();
    std::uint64_t confirmed = 0;
    const auto check = [&](const rs::SendFuture& f) {
        std::error_code ec;
        const rs::Receipt r = f.get(ec);
        if (ec)
            bench::fail(key + ": send " + std::to_string(confirmed) + " failed: " + ec.message());
        if (!(r.id > last)) bench::fail(key + ": receipt ids out of order");
        last = r.id;
        ++confirmed;
    };
    const bench::ServerMeter server(port);
    const double cpu0 = bench::process_cpu_ns();
    const auto t0 = Clock::now();
    for (std::uint64_t i = 0; i < count; ++i) {
        if (hand_over)  // a fresh string per message, handed over: not copied again
            pending.push_back(producer.send(std::string(payloads.at(i))));
        else
            pending.push_back(producer.send(payloads.at(i)));
        while (!pending.empty() && pending.front().ready()) {
            check(pending.front());
            pending.pop_front();
        }
    }
    for (const auto& f : pending)
        check(f);
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = bench::process_cpu_ns() - cpu0;
    bench::Side side{static_cast<double>(count) / secs, cpu / static_cast<double>(count)};
    server.finish(side, static_cast<double>(count), secs);
    pending.clear();
    streamer.disconnect();
    if (confirmed != count) bench::fail(key + ": not every send was confirmed");
    return side;
}

/// The peer: one hiredis connection keeping `depth` XADDs in flight
/// continuously. Each reply read lets the next command be appended;
/// redisGetReply writes everything appended whenever it must wait for the
/// socket, so the server always has the next commands queued. Every reply
/// must be an id.
bench::Side run_hiredis(std::uint16_t port, const std::string& key, std::uint64_t count,
                        std::size_t size, std::size_t depth) {
    redisContext* c = connect_peer(port);
    Payloads payloads(size);
    const char* argv[5] = {"XADD", key.c_str(), "*", "msg", nullptr};
    std::size_t lens[5] = {4, key.size(), 1, 3, 0};
    std::uint64_t sent = 0, done = 0;
    const auto append = [&] {
        const std::string_view p = payloads.at(sent++);
        argv[4] = p.data();
        lens[4] = p.size();
        if (redisAppendCommandArgv(c, 5, argv, lens) != REDIS_OK)
            bench::fail(key + ": hiredis append failed");
    };
    const bench::ServerMeter server(port);
    const double cpu0 = bench::process_cpu_ns();
    const auto t0 = Clock::now();
    while (sent < count && sent < depth)
        append();
    while (done < count) {
        void* reply = nullptr;
        if (redisGetReply(c, &reply) != REDIS_OK) bench::fail(key + ": hiredis: " + c->errstr);
        const auto* r = static_cast<redisReply*>(reply);
        if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS)
            bench::fail(key + ": XADD reply " + std::to_string(done) + " is not an id" +
                        (r->type == REDIS_REPLY_ERROR ? std::string(": ") + r->str : ""));
        freeReplyObject(reply);
        ++done;
        if (sent < count) append();
    }
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = bench::process_cpu_ns() - cpu0;
    bench::Side side{static_cast<double>(count) / secs, cpu / static_cast<double>(count)};
    server.finish(side, static_cast<double>(count), secs);
    redisFree(c);
    return side;
}

/// `redis-benchmark -c 1 -P depth -n count XADD key * msg <payload>`: its
/// requests/s, and its CPU per request (it is a waited-for child).
bench::Side run_redis_benchmark(std::uint16_t port, const std::string& key, std::uint64_t count,
                                std::size_t depth, const std::string& payload) {
    const std::string cmd = "redis-benchmark -h 127.0.0.1 -p " + std::to_string(port) +
                            " -c 1 -P " + std::to_string(depth) + " -n " + std::to_string(count) +
                            " --csv XADD " + key + " '*' msg " + payload + " 2>/dev/null";
    const bench::ServerMeter server(port);
    const double cpu0 = bench::children_cpu_ns();
    const auto t0 = Clock::now();
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) bench::fail("popen redis-benchmark");
    char line[1024];
    double rps = 0;
    while (std::fgets(line, sizeof line, p)) {
        // CSV: "test","rps",...; the header line has no number there.
        const std::string s(line);
        const auto comma = s.find("\",\"");
        if (comma == std::string::npos) continue;
        const double v = std::atof(s.c_str() + comma + 3);
        if (v > 0) rps = v;
    }
    if (pclose(p) != 0) bench::fail("redis-benchmark failed");
    // Its whole run (start-up included): the server's busy share is a little low.
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    if (rps <= 0) bench::fail("redis-benchmark gave no figure");
    bench::Side side{rps, (bench::children_cpu_ns() - cpu0) / static_cast<double>(count)};
    server.finish(side, static_cast<double>(count), secs);
    return side;
}

/// Peak RSS (KiB) of a child process that runs only `run`: forked before
/// this process made any thread or connection, so the child starts small.
template <class Run>
long peak_rss_kib(Run run) {
    const pid_t pid = fork();
    if (pid < 0) bench::fail("fork");
    if (pid == 0) {
        run();
        std::fflush(nullptr);
        _exit(0);
    }
    int status = 0;
    rusage ru{};
    if (wait4(pid, &status, 0, &ru) != pid) bench::fail("wait4");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) bench::fail("the RSS child failed");
    return ru.ru_maxrss;
}

struct Size {
    const char* name;
    std::size_t bytes;
    std::uint64_t count;
};

std::string fmt_depth(std::size_t depth) {
    return ",\"depth\":" + std::to_string(depth);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2)
        return std::fprintf(stderr, "usage: %s PORT [COUNT_64B [COUNT_1KiB [COUNT_64KiB]]]\n",
                            argv[0]),
               2;
    const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
    const auto arg = [&](int i, std::uint64_t fallback) {
        return argc > i ? std::strtoull(argv[i], nullptr, 10) : fallback;
    };
    const Size sizes[] = {{"producer_64B", 64, arg(2, 1'000'000)},
                          {"producer_1KiB", 1024, arg(3, 500'000)},
                          {"producer_64KiB", 64 * 1024, arg(4, 20'000)}};

    // Fresh keys of one length, so that the depth (which depends on the held
    // bytes per send, key included) is the same for every round of a size.
    int serial = 0;
    const auto fresh_key = [&](const char* side) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "bench:producer:%s:%04d", side, serial++);
        return std::string(buf);
    };
    const std::size_t key_size = fresh_key("ours").size();

    // Before anything else: the peak RSS of one 64 B run at defaults, ours
    // and the peer's, each alone in a child.
    const Size& small = sizes[0];
    const std::uint64_t small_sum = expected_checksum(small.bytes, small.count);
    const std::size_t small_depth = default_depth(key_size, small.bytes);
    const std::string rss_key = fresh_key("ours"), peer_rss_key = fresh_key("hrds");
    const long rss = peak_rss_kib([&] { run_ours(port, rss_key, small.count, small.bytes); });
    verify_and_delete(port, rss_key, small.count, small.bytes, small_sum);
    const long peer_rss = peak_rss_kib(
        [&] { run_hiredis(port, peer_rss_key, small.count, small.bytes, small_depth); });
    verify_and_delete(port, peer_rss_key, small.count, small.bytes, small_sum);

    for (const Size& s : sizes) {
        const bool with_redis_benchmark = &s == &small;
        const std::uint64_t expected = expected_checksum(s.bytes, s.count);
        const std::size_t depth = default_depth(key_size, s.bytes);
        // redis-benchmark sends whole pipelines: a count that is a multiple
        // of the depth makes it send exactly that many.
        const std::uint64_t bench_count = (s.count + depth - 1) / depth * depth;
        bench::Side ours, peer, bench_side;
        for (int round = 0; round < 2; ++round) {  // alternating; the better of two per side
            const std::string k1 = fresh_key("ours");
            const bench::Side o = run_ours(port, k1, s.count, s.bytes);
            verify_and_delete(port, k1, s.count, s.bytes, expected);
            if (o.value > ours.value) ours = o;
            const std::string k2 = fresh_key("hrds");
            const bench::Side p = run_hiredis(port, k2, s.count, s.bytes, depth);
            verify_and_delete(port, k2, s.count, s.bytes, expected);
            if (p.value > peer.value) peer = p;
            if (with_redis_benchmark) {
                const std::string k3 = fresh_key("rbnc");
                const bench::Side b =
                    run_redis_benchmark(port, k3, bench_count, depth, std::string(s.bytes, 'x'));
                verify_and_delete(port, k3, bench_count, s.bytes, 0, true);
                if (b.value > bench_side.value) bench_side = b;
            }
        }
        const std::string peer_name =
            "hiredis, " + std::to_string(depth) + " XADDs in flight continuously";
        std::string extra = fmt_depth(depth) + ",\"count\":" + std::to_string(s.count);
        if (with_redis_benchmark)
            extra += ",\"peak_rss_kib\":" + std::to_string(rss) +
                     ",\"peer_peak_rss_kib\":" + std::to_string(peer_rss);
        bench::print_line(s.name, ours, "msg/s", peer_name.c_str(), peer, extra);
        if (s.bytes >= rs::ProducerOptions::default_zero_copy_threshold) {
            // Extra line: each payload a fresh std::string handed over with
            // send(std::move(s)), written from where it is (the string's
            // construction, the user's copy, is on our side of the CPU).
            bench::Side owned;
            for (int round = 0; round < 2; ++round) {
                const std::string k = fresh_key("ownd");
                const bench::Side o = run_ours(port, k, s.count, s.bytes, true);
                verify_and_delete(port, k, s.count, s.bytes, expected);
                if (o.value > owned.value) owned = o;
            }
            bench::print_line((std::string(s.name) + "_owned").c_str(), owned, "msg/s",
                              peer_name.c_str(), peer, extra);
        }
        if (with_redis_benchmark) {
            const std::string name = "redis-benchmark -P " + std::to_string(depth);
            bench::print_line(s.name, ours, "msg/s", name.c_str(), bench_side,
                              fmt_depth(depth) + ",\"peer_count\":" + std::to_string(bench_count));
        }
    }
}
