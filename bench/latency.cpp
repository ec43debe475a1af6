// latency: produce → consume latency, open loop. Message i is due at
// start + i / RATE and carries that scheduled time; the receiver records now
// minus the scheduled time, so a sender that falls behind shows up in the
// figures (no coordinated omission). Ours: one Streamer, a real-time
// Consumer (latest, defaults otherwise) made first, then a Producer on the
// same stream, a sender thread on the schedule. Peer: a hiredis sender on
// the same schedule (it pipelines whatever is due, then reads the replies)
// and an XREAD BLOCK reader thread on a second connection. Every message
// must arrive once and in order, else the run fails. Prints `latency_10k`
// and `latency_50k` (µs; value = our p99). See bench/README.md.
// Usage: latency PORT [SECONDS]
#include <sys/prctl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include <redstream/redis/streamer.hpp>

#include "hiredis_util.hpp"
#include "peers.hpp"

namespace rs = redstream;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t payload_size = 64;

std::int64_t ns_of(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

/// When message i is due.
struct Schedule {
    Clock::time_point start;
    std::chrono::nanoseconds interval;
    Clock::time_point at(std::uint64_t i) const {
        return start + std::chrono::nanoseconds(static_cast<std::int64_t>(i) * interval.count());
    }
};

/// A 64 B payload: the message's index, then its scheduled time (ns of
/// steady_clock), then filler.
class Payload {
  public:
    Payload() : buf_(payload_size, 'x') {}
    std::string_view make(std::uint64_t i, Clock::time_point scheduled) {
        const std::int64_t t = ns_of(scheduled);
        std::memcpy(buf_.data(), &i, 8);
        std::memcpy(buf_.data() + 8, &t, 8);
        return buf_;
    }

  private:
    std::string buf_;
};

/// What the receiver records: every message, in order, once.
class Recorder {
  public:
    explicit Recorder(std::uint64_t count) { latency_us_.reserve(count); }

    /// False (and `error` set) if the payload is not the next one expected.
    bool record(const char* data, std::size_t size, Clock::time_point received) {
        if (size != payload_size) return fault("a payload of " + std::to_string(size) + " B");
        std::uint64_t i;
        std::int64_t scheduled;
        std::memcpy(&i, data, 8);
        std::memcpy(&scheduled, data + 8, 8);
        if (i != latency_us_.size())
            return fault("message " + std::to_string(i) + " arrived when " +
                         std::to_string(latency_us_.size()) + " was due");
        latency_us_.push_back(static_cast<double>(ns_of(received) - scheduled) / 1000.0);
        return true;
    }
    std::uint64_t received() const { return latency_us_.size(); }
    std::vector<double>& latencies() { return latency_us_; }
    bool fault(std::string what) {
        if (error.empty()) error = std::move(what);
        return false;
    }
    std::string error;

  private:
    std::vector<double> latency_us_;
};

struct Result {
    double p50 = 0, p99 = 0, p999 = 0, max = 0;
    double cpu_ns = 0;  // client CPU per message
};

Result summarize(std::vector<double>& v, double cpu_ns_per_msg) {
    std::sort(v.begin(), v.end());
    // Nearest rank: the smallest value with at least q of the samples at or below it.
    const auto at = [&](double q) {
        const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
        return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
    };
    return {at(0.50), at(0.99), at(0.999), v.back(), cpu_ns_per_msg};
}

// How long a receiver waits for the next message before the run fails.
constexpr std::chrono::seconds stall_limit{5};

Result run_ours(std::uint16_t port, const std::string& key, std::uint64_t count,
                std::chrono::nanoseconds interval) {
    auto streamer = rs::Streamer::connect("redis://127.0.0.1:" + std::to_string(port));
    auto consumer = streamer.create_consumer({key});  // defaults: real-time, latest
    auto producer = streamer.create_producer(key);
    Recorder rec(count);
    std::string send_error;

    const double cpu0 = bench::process_cpu_ns();
    const Schedule schedule{Clock::now(), interval};
    std::thread sender([&] {
        Payload payload;
        std::deque<rs::SendFuture> pending;
        const auto check = [&](const rs::SendFuture& f) {
            std::error_code ec;
            f.get(ec);
            if (ec && send_error.empty()) send_error = ec.message();
        };
        for (std::uint64_t i = 0; i < count; ++i) {
            const auto due = schedule.at(i);
            std::this_thread::sleep_until(due);  // returns at once when behind
            pending.push_back(producer.send(payload.make(i, due)));
            while (!pending.empty() && pending.front().ready()) {
                check(pending.front());
                pending.pop_front();
            }
        }
        for (const auto& f : pending)
            check(f);
    });
    while (rec.received() < count) {
        const auto m = consumer.next_for(stall_limit);
        const auto now = Clock::now();
        if (!m) {
            rec.fault("nothing arrived for " + std::to_string(stall_limit.count()) + " s");
            break;
        }
        if (!rec.record(m->payload().data(), m->payload().size(), now)) break;
    }
    sender.join();
    const double cpu = bench::process_cpu_ns() - cpu0;
    consumer.end();
    producer.end();
    streamer.disconnect();
    if (!send_error.empty()) bench::fail(key + ": a send failed: " + send_error);
    if (!rec.error.empty())
        bench::fail(key + ": " + rec.error + " (" + std::to_string(rec.received()) + " of " +
                    std::to_string(count) + " received)");
    return summarize(rec.latencies(), cpu / static_cast<double>(count));
}

Result run_hiredis(std::uint16_t port, const std::string& key, std::uint64_t count,
                   std::chrono::nanoseconds interval) {
    redisContext* writer = bench::hiredis_connect(port);
    redisContext* reader = bench::hiredis_connect(port);
    writer->reader->maxbuf = 0;
    reader->reader->maxbuf = 0;
    Recorder rec(count);
    std::atomic<bool> writer_failed{false};
    const std::string count_arg = std::to_string(rs::ConsumerOptions::default_batch_size);

    const double cpu0 = bench::process_cpu_ns();
    // The reader starts at 0-0 on the new stream: all of it is this run's.
    std::thread receiver([&] {
        std::string last = "0-0";
        auto quiet_since = Clock::now();
        while (rec.received() < count && !writer_failed.load()) {
            auto* r = static_cast<redisReply*>(
                redisCommand(reader, "XREAD BLOCK 1000 COUNT %s STREAMS %s %s", count_arg.c_str(),
                             key.c_str(), last.c_str()));
            const auto now = Clock::now();
            if (!r) {
                rec.fault(std::string("XREAD: ") + reader->errstr);
                break;
            }
            const redisReply* entries = bench::xread_entries(r);
            if (!entries || entries->elements == 0) {
                freeReplyObject(r);
                if (now - quiet_since > stall_limit) {
                    rec.fault("nothing arrived for " + std::to_string(stall_limit.count()) + " s");
                    break;
                }
                continue;
            }
            quiet_since = now;
            bool ok = true;
            for (std::size_t e = 0; ok && e < entries->elements; ++e) {
                const redisReply* fields = entries->element[e]->element[1];
                if (fields->elements != 2) {
                    ok = rec.fault("an entry is not `msg <payload>`");
                    break;
                }
                // Each entry's own receive time, as our consumer's next() returns one by one.
                ok = rec.record(fields->element[1]->str, fields->element[1]->len,
                                e == 0 ? now : Clock::now());
            }
            const redisReply* back = entries->element[entries->elements - 1]->element[0];
            last.assign(back->str, back->len);
            freeReplyObject(r);
            if (!ok) break;
        }
    });

    // The sender: everything due is appended and written in one go, then its
    // replies are read; a sender that fell behind catches up in one batch.
    const Schedule schedule{Clock::now(), interval};
    Payload payload;
    const char* argv[5] = {"XADD", key.c_str(), "*", "msg", nullptr};
    std::size_t lens[5] = {4, key.size(), 1, 3, 0};
    std::string send_error;
    for (std::uint64_t sent = 0; sent < count && send_error.empty();) {
        std::this_thread::sleep_until(schedule.at(sent));
        const auto now = Clock::now();
        std::uint64_t due = sent;
        while (due < count && schedule.at(due) <= now) {
            const auto p = payload.make(due, schedule.at(due));
            argv[4] = p.data();
            lens[4] = p.size();
            redisAppendCommandArgv(writer, 5, argv, lens);
            ++due;
        }
        for (; sent < due; ++sent) {
            void* reply = nullptr;
            if (redisGetReply(writer, &reply) != REDIS_OK) {
                send_error = writer->errstr;
                break;
            }
            const auto* r = static_cast<redisReply*>(reply);
            if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS)
                send_error = r->type == REDIS_REPLY_ERROR ? r->str : "a reply that is not an id";
            freeReplyObject(reply);
            if (!send_error.empty()) break;
        }
    }
    if (!send_error.empty()) writer_failed = true;
    receiver.join();
    const double cpu = bench::process_cpu_ns() - cpu0;
    redisFree(reader);
    redisFree(writer);
    if (!send_error.empty()) bench::fail(key + ": hiredis XADD failed: " + send_error);
    if (!rec.error.empty())
        bench::fail(key + ": " + rec.error + " (" + std::to_string(rec.received()) + " of " +
                    std::to_string(count) + " received)");
    return summarize(rec.latencies(), cpu / static_cast<double>(count));
}

void verify_and_delete(std::uint16_t port, const std::string& key, std::uint64_t count) {
    redisContext* c = bench::hiredis_connect(port);
    const long long len = bench::hiredis_xlen(c, key);
    if (len != static_cast<long long>(count))
        bench::fail(key + ": XLEN " + std::to_string(len) + ", expected " + std::to_string(count));
    bench::hiredis_del(c, key);
    redisFree(c);
}

std::string us(const char* name, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, ",\"%s\":%.1f", name, v);
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return std::fprintf(stderr, "usage: %s PORT [SECONDS]\n", argv[0]), 2;
    const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
    const double seconds = argc > 2 ? std::atof(argv[2]) : 3.0;
    // A schedule of 20–100 µs steps needs sleeps that end on time: the
    // default 50 µs timer slack would make every sender late by up to that.
    // Threads made later (the Streamer's too) inherit it.
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

    struct Rate {
        const char* name;
        std::uint64_t per_second;
    };
    int serial = 0;
    for (const Rate rate : {Rate{"latency_10k", 10'000}, Rate{"latency_50k", 50'000}}) {
        const auto count =
            static_cast<std::uint64_t>(static_cast<double>(rate.per_second) * seconds);
        const std::chrono::nanoseconds interval(1'000'000'000LL /
                                                static_cast<std::int64_t>(rate.per_second));
        Result ours, peer;
        ours.p99 = peer.p99 = 1e18;
        for (int round = 0; round < 2;
             ++round) {  // alternating; per side the round with the lower p99
            const std::string k1 = "bench:latency:ours:" + std::to_string(serial++);
            const Result o = run_ours(port, k1, count, interval);
            verify_and_delete(port, k1, count);
            if (o.p99 < ours.p99) ours = o;
            const std::string k2 = "bench:latency:hiredis:" + std::to_string(serial++);
            const Result p = run_hiredis(port, k2, count, interval);
            verify_and_delete(port, k2, count);
            if (p.p99 < peer.p99) peer = p;
        }
        const std::string extra = us("p50", ours.p50) + us("p999", ours.p999) +
                                  us("max", ours.max) + us("peer_p50", peer.p50) +
                                  us("peer_p99", peer.p99) + us("peer_p999", peer.p999) +
                                  us("peer_max", peer.max) + ",\"count\":" + std::to_string(count);
        bench::print_line_lower(
            rate.name, {ours.p99, ours.cpu_ns}, "us",
            "hiredis XADD on schedule (due ones pipelined) + XREAD BLOCK thread",
            {peer.p99, peer.cpu_ns}, extra);
    }
}
