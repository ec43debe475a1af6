#include "bench_runs.hpp"

#include <unistd.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "cli.hpp"
#include "pacer.hpp"
#include "send_tally.hpp"

namespace redstream::cli {

namespace {

using Clock = std::chrono::steady_clock;
// A run whose messages stop coming for this long is over (the rest are missing).
constexpr auto quiet_limit = std::chrono::seconds(3);

std::int64_t ns_since(Clock::time_point t0, Clock::time_point t1) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
}

std::string filler(std::size_t size) {
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        s[i] = static_cast<char>('a' + i % 26);
    return s;
}

// What the send handlers of bench produce record (on the I/O thread).
struct ProduceProbe {
    std::vector<std::int64_t> latency_ns;  // per send; -1 until confirmed
    SendTally tally;
    Clock::time_point start;
    std::atomic<std::int64_t> last_ns{0};  // the last confirmation, since start
};

void note_last(std::atomic<std::int64_t>& last, std::int64_t ns) {
    auto seen = last.load();
    while (ns > seen && !last.compare_exchange_weak(seen, ns)) {
    }
}

std::vector<std::int64_t> confirmed_latencies(const std::vector<std::int64_t>& all) {
    std::vector<std::int64_t> out;
    out.reserve(all.size());
    for (const auto v : all)
        if (v >= 0) out.push_back(v);
    return out;
}

}  // namespace

ProduceBenchResult bench_produce(Streamer& streamer, const BenchSettings& s) {
    ProduceBenchResult r;
    const auto admin = streamer.admin();
    const auto before = admin.stream_info(s.stream).length();
    ProducerOptions options;
    options.shards = s.shards;
    auto producer = streamer.create_producer(s.stream, options);
    auto probe = std::make_shared<ProduceProbe>();
    probe->latency_ns.assign(s.count, -1);
    const auto payload = filler(s.size);
    std::optional<Pacer> pacer;
    if (s.rate) pacer.emplace(*s.rate);
    probe->start = Clock::now();
    for (std::uint64_t i = 0; i < s.count; ++i) {
        // Paced, a send is timed from when it was due: a late send counts its delay.
        const auto t0 = pacer ? pacer->due() : Clock::now();
        if ((pacer && !pacer->wait()) || stop_requested()) {
            r.interrupted = true;
            break;
        }
        producer.send(payload).then([probe, i, t0](std::error_code ec, const Receipt&) {
            const auto now = Clock::now();
            if (!ec) probe->latency_ns[i] = ns_since(t0, now);
            note_last(probe->last_ns, ns_since(probe->start, now));
            probe->tally.record(ec);
        });
        ++r.sent;
    }
    producer.flush();
    probe->tally.wait_for_all(r.sent, Clock::now() + std::chrono::seconds(5));
    r.confirmed = probe->tally.confirmed();
    r.failed = probe->tally.failed();
    r.first_error = probe->tally.first_error();
    r.seconds = static_cast<double>(probe->last_ns.load()) / 1e9;
    auto latencies = confirmed_latencies(probe->latency_ns);
    r.latency = summarize(latencies);
    r.stored = admin.stream_info(s.stream).length() - before;
    return r;
}

namespace {

// The first bytes of each bench consume payload.
struct Header {
    std::uint64_t run = 0;          // tells this run's messages from others
    std::uint64_t seq = 0;          // 0 .. count-1
    std::int64_t scheduled_ns = 0;  // steady clock, when the send was due
};
static_assert(sizeof(Header) == consume_header_size);

std::optional<Header> header_of(std::string_view payload, std::uint64_t run) {
    Header h;
    if (payload.size() < sizeof h) return std::nullopt;
    std::memcpy(&h, payload.data(), sizeof h);
    if (h.run != run) return std::nullopt;
    return h;
}

// Sends `count` messages at the rate, each stamped with when it was due.
struct PacedSender {
    std::atomic<bool> done{false};
    std::atomic<bool> abort{false};
    std::atomic<std::uint64_t> sent{0};
    std::shared_ptr<SendTally> tally = std::make_shared<SendTally>();
    std::string error;  // why the sender stopped early, if it did

    void run(Streamer& streamer, const BenchSettings& s, std::uint64_t run_id) {
        try {
            send_all(streamer, s, run_id);
        } catch (const std::exception& e) {
            error = e.what();
        }
        done = true;
    }

    void send_all(Streamer& streamer, const BenchSettings& s, std::uint64_t run_id) {
        ProducerOptions options;
        options.shards = s.shards;
        auto producer = streamer.create_producer(s.stream, options);
        auto payload = filler(s.size);
        Pacer pacer(*s.rate);
        for (std::uint64_t i = 0; i < s.count && !abort; ++i) {
            const Header h{run_id, i, ns_since(Clock::time_point{}, pacer.due())};
            if (!pacer.wait()) break;
            std::memcpy(payload.data(), &h, sizeof h);
            producer.send(payload).then(
                [t = tally](std::error_code ec, const Receipt&) { t->record(ec); });
            sent.fetch_add(1);
        }
        producer.flush();
    }
};

// Delivers this run's messages to `on` until `want` arrived, the sender is
// done and nothing came for quiet_limit, or Ctrl-C.
template <class On>
bool receive(Consumer& consumer, std::uint64_t run, std::uint64_t want,
             const std::atomic<bool>& sender_done, On on) {
    std::uint64_t got = 0;
    auto last = Clock::now();
    while (got < want) {
        if (stop_requested()) return false;
        auto m = consumer.next_for(std::chrono::milliseconds(100));
        const auto now = Clock::now();
        if (!m) {
            if (sender_done && now - last > quiet_limit) break;
            continue;
        }
        last = now;
        if (const auto h = header_of(m->payload(), run)) got += on(*h, now) ? 1 : 0;
    }
    return true;
}

}  // namespace

namespace {

// A shard key that appears after a consumer started is found by its next
// scan (ConsumerOptions::discovery_interval, seconds), which would be
// measured as latency: one message of another run per shard (round-robin)
// makes them all before the consumer starts. Both phases skip it.
void make_shard_keys(Streamer& streamer, const BenchSettings& s, std::uint64_t run) {
    if (s.shards < 2) return;
    ProducerOptions options;
    options.shards = s.shards;
    auto producer = streamer.create_producer(s.stream, options);
    auto payload = filler(s.size);
    const Header h{~run, 0, 0};
    std::memcpy(payload.data(), &h, sizeof h);
    std::vector<SendFuture> sends;
    for (std::uint64_t i = 0; i < s.shards; ++i)
        sends.push_back(producer.send(payload));
    for (const auto& f : sends)
        f.get();  // throws what the server said
}

// Messages sent at the rate while a consumer reads them: the latency of each
// from when its send was due to when next() returned it.
void live_phase(Streamer& streamer, const BenchSettings& s, std::uint64_t run,
                ConsumeBenchResult& r) {
    make_shard_keys(streamer, s, run);
    auto live = streamer.create_consumer({s.stream});
    live.rewind(SeqPos::end());  // looked up before it returns: every send below is read
    PacedSender sender;
    std::thread sending([&sender, &streamer, &s, run] { sender.run(streamer, s, run); });
    std::vector<bool> seen(s.count);
    std::vector<std::int64_t> latencies;
    latencies.reserve(s.count);
    const auto on = [&](const Header& h, Clock::time_point now) {
        if (h.seq >= s.count || seen[h.seq]) {
            ++r.duplicates;
            return false;
        }
        seen[h.seq] = true;
        latencies.push_back(ns_since(Clock::time_point{}, now) - h.scheduled_ns);
        return true;
    };
    r.interrupted = !receive(live, run, s.count, sender.done, on);
    sender.abort = true;
    sending.join();
    live.end();
    if (!sender.error.empty()) throw std::runtime_error("the sender failed: " + sender.error);
    r.sent = sender.sent;
    sender.tally->wait_for_all(r.sent, Clock::now() + std::chrono::seconds(5));
    r.failed_sends = sender.tally->failed();
    r.received = latencies.size();
    r.latency = summarize(latencies);
}

// The same messages read back from the beginning, as fast as a consumer
// goes (its start, which finds the stream's shards, included).
void read_back_phase(Streamer& streamer, const BenchSettings& s, std::uint64_t run,
                     ConsumeBenchResult& r) {
    ConsumerOptions options;
    options.auto_stream_reset = AutoStreamReset::earliest;
    const auto t0 = Clock::now();
    auto back = streamer.create_consumer({s.stream}, options);
    auto t1 = t0;
    const std::atomic<bool> sent_all{true};
    const auto on = [&r, &t1](const Header&, Clock::time_point now) {
        ++r.read_back;
        t1 = now;
        return true;
    };
    r.interrupted = !receive(back, run, r.sent, sent_all, on);
    r.read_back_seconds = std::chrono::duration<double>(t1 - t0).count();
    back.end();
}

}  // namespace

ConsumeBenchResult bench_consume(Streamer& streamer, const BenchSettings& s) {
    ConsumeBenchResult r;
    const auto run =
        std::random_device{}() * 0x100000001ULL + static_cast<std::uint64_t>(::getpid());
    live_phase(streamer, s, run, r);
    if (!r.interrupted) read_back_phase(streamer, s, run, r);
    return r;
}

}  // namespace redstream::cli
