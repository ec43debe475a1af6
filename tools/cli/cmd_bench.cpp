// `redstream bench produce|consume`: throughput and latency percentiles on
// the user's own server, on a fresh temporary stream (deleted at the end
// unless --keep) or one given with --stream. Reports what it measured and
// fails (exit 1) when a count does not add up.
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include <CLI/CLI.hpp>

#include "bench_runs.hpp"
#include "cli.hpp"
#include "json_text.hpp"
#include "rate_check.hpp"

namespace redstream::cli {

namespace {

struct BenchArgs {
    std::size_t size = 100;
    std::optional<std::uint64_t> count;
    std::optional<std::string> stream;
    bool keep = false;
    std::uint64_t shards = 1;
    std::optional<double> rate;
};

constexpr std::uint64_t default_produce_count = 100'000;
constexpr std::uint64_t default_consume_count = 20'000;
constexpr double default_consume_rate = 10'000;
// Every sample is kept for exact percentiles: 8 bytes a message.
constexpr std::uint64_t max_count = 50'000'000;
constexpr std::size_t max_size = std::size_t{64} << 20;

// The stream benched: a fresh one is deleted at the end (also after an
// error), unless --keep; one the user named is never deleted.
class BenchStream {
  public:
    BenchStream(Context& ctx, const BenchArgs& a) : ctx_(ctx) {
        if (a.stream) {
            name_ = *a.stream;
            return;
        }
        std::random_device rd;
        char suffix[20];
        std::snprintf(suffix, sizeof suffix, "%08x%08x", rd(), rd());
        name_ = std::string("redstream-bench:") + suffix;
        remove_ = !a.keep;
    }
    ~BenchStream() {
        if (!remove_) return;
        try {
            ctx_.admin().delete_stream(StreamKey(name_));
        } catch (const std::exception& e) {
            std::fprintf(stderr, "redstream bench: could not delete %s: %s\n", name_.c_str(),
                         e.what());
        }
    }
    BenchStream(const BenchStream&) = delete;
    BenchStream& operator=(const BenchStream&) = delete;
    const std::string& name() const noexcept { return name_; }
    bool temporary() const noexcept { return remove_; }

  private:
    Context& ctx_;
    std::string name_;
    bool remove_ = false;
};

BenchSettings settings_of(const BenchArgs& a, bool consume) {
    BenchSettings s;
    if (a.stream) {
        std::error_code ec;
        std::string why;
        StreamKey::make(*a.stream, ec, &why);
        if (ec) throw UsageError("--stream: " + why);
    }
    s.size = a.size;
    s.count = a.count.value_or(consume ? default_consume_count : default_produce_count);
    s.shards = a.shards;
    s.rate = a.rate;
    if (consume && !s.rate) s.rate = default_consume_rate;
    if (consume && s.size < consume_header_size)
        throw UsageError("--size: bench consume needs at least " +
                         std::to_string(consume_header_size) + " bytes (its header)");
    return s;
}

Json latency_json(const LatencySummary& l) {
    return Json{{"samples", l.samples}, {"p50", l.p50_ms}, {"p99", l.p99_ms},
                {"p99.9", l.p999_ms},   {"max", l.max_ms}, {"mean", l.mean_ms}};
}

void print_latency(const char* what, const LatencySummary& l) {
    std::printf(
        "  %s latency: p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms  (%llu samples)\n",
        what, l.p50_ms, l.p99_ms, l.p999_ms, l.max_ms, static_cast<unsigned long long>(l.samples));
}

double per_second(std::uint64_t n, double seconds) {
    return seconds > 0 ? static_cast<double>(n) / seconds : 0;
}

}  // namespace

namespace {

std::string describe(const BenchSettings& s, const BenchStream& stream) {
    return std::to_string(s.count) + " messages of " + std::to_string(s.size) + " B" +
           (s.rate ? " at " + std::to_string(static_cast<std::uint64_t>(*s.rate)) + "/s"
                   : " as fast as they go") +
           ", " + stream.name() + " (" + std::to_string(s.shards) +
           (s.shards == 1 ? " shard" : " shards") + (stream.temporary() ? ", temporary)" : ")");
}

bool report_produce(const Context& ctx, const BenchSettings& s, const BenchStream& stream,
                    const ProduceBenchResult& r) {
    const bool ok =
        !r.interrupted && r.sent == s.count && r.confirmed == r.sent && r.stored == r.confirmed;
    const auto rate = per_second(r.confirmed, r.seconds);
    if (ctx.json_output()) {
        Json j{{"bench", "produce"},
               {"stream", stream.name()},
               {"size", s.size},
               {"count", s.count},
               {"shards", s.shards},
               {"sent", r.sent},
               {"confirmed", r.confirmed},
               {"failed", r.failed},
               {"stored", r.stored},
               {"seconds", r.seconds},
               {"msgs_per_sec", rate},
               {"mb_per_sec", rate * static_cast<double>(s.size) / 1e6},
               {"latency_ms", latency_json(r.latency)},
               {"verified", ok}};
        if (s.rate) j["rate"] = *s.rate;
        std::printf("%s\n", j.dump().c_str());
        return ok;
    }
    std::printf("bench produce: %s\n", describe(s, stream).c_str());
    std::printf(
        "  sent %llu, confirmed %llu, failed %llu; the stream gained %llu\n",
        static_cast<unsigned long long>(r.sent), static_cast<unsigned long long>(r.confirmed),
        static_cast<unsigned long long>(r.failed), static_cast<unsigned long long>(r.stored));
    std::printf(
        "  throughput %.0f msg/s, %.1f MB/s of payload over %.3f s (first send to last "
        "confirmation)\n",
        rate, rate * static_cast<double>(s.size) / 1e6, r.seconds);
    print_latency("send -> confirm", r.latency);
    return ok;
}

bool report_consume(const Context& ctx, const BenchSettings& s, const BenchStream& stream,
                    const ConsumeBenchResult& r) {
    const bool ok = !r.interrupted && r.sent == s.count && r.failed_sends == 0 &&
                    r.received == r.sent && r.duplicates == 0 && r.read_back == r.sent;
    const auto rate = per_second(r.read_back, r.read_back_seconds);
    const auto missing = r.sent - std::min(r.sent, r.received);
    if (ctx.json_output()) {
        Json j{{"bench", "consume"},
               {"stream", stream.name()},
               {"size", s.size},
               {"count", s.count},
               {"shards", s.shards},
               {"rate", *s.rate},
               {"sent", r.sent},
               {"failed_sends", r.failed_sends},
               {"received", r.received},
               {"missing", missing},
               {"duplicates", r.duplicates},
               {"latency_ms", latency_json(r.latency)},
               {"read_back", Json{{"messages", r.read_back},
                                  {"seconds", r.read_back_seconds},
                                  {"msgs_per_sec", rate},
                                  {"mb_per_sec", rate * static_cast<double>(s.size) / 1e6}}},
               {"verified", ok}};
        std::printf("%s\n", j.dump().c_str());
        return ok;
    }
    std::printf("bench consume: %s\n", describe(s, stream).c_str());
    std::printf(
        "  sent %llu (%llu failed), received %llu live (%llu missing, %llu duplicates)\n",
        static_cast<unsigned long long>(r.sent), static_cast<unsigned long long>(r.failed_sends),
        static_cast<unsigned long long>(r.received), static_cast<unsigned long long>(missing),
        static_cast<unsigned long long>(r.duplicates));
    print_latency("produce -> consume (from when each send was due)", r.latency);
    std::printf("  read back %llu from the beginning in %.3f s: %.0f msg/s, %.1f MB/s of payload\n",
                static_cast<unsigned long long>(r.read_back), r.read_back_seconds, rate,
                rate * static_cast<double>(s.size) / 1e6);
    return ok;
}

int finish(bool ok, bool interrupted, const char* what) {
    if (interrupted) return exit_interrupted;
    if (ok) return exit_ok;
    std::fprintf(stderr, "redstream bench %s: error: the counts do not add up (see above)\n", what);
    return exit_failure;
}

int run_bench(Context& ctx, const BenchArgs& a, bool consume) {
    auto s = settings_of(a, consume);
    auto& streamer = ctx.streamer();
    const BenchStream stream(ctx, a);
    s.stream = StreamKey(stream.name());
    if (consume) {
        const auto r = bench_consume(streamer, s);
        return finish(report_consume(ctx, s, stream, r), r.interrupted, "consume");
    }
    const auto r = bench_produce(streamer, s);
    if (r.failed > 0)
        std::fprintf(stderr, "redstream bench produce: %llu sends failed; first: %s\n",
                     static_cast<unsigned long long>(r.failed), r.first_error.c_str());
    return finish(report_produce(ctx, s, stream, r), r.interrupted, "produce");
}

void add_bench_options(CLI::App* sub, BenchArgs& a) {
    sub->add_option("--size", a.size, "Payload bytes of each message")
        ->check(CLI::Range(std::size_t{0}, max_size))
        ->capture_default_str();
    sub->add_option("--count", a.count, "Messages to send")
        ->check(CLI::Range(std::uint64_t{1}, max_count));
    sub->add_option("--stream", a.stream,
                    "Stream to use (default: a fresh redstream-bench:RANDOM, deleted at the end)");
    sub->add_flag("--keep", a.keep, "Keep the temporary stream");
    sub->add_option("--shards", a.shards, "Shards of the stream")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000}))
        ->capture_default_str();
    sub->add_option("--rate", a.rate, "Messages per second")->check(positive_rate());
}

}  // namespace

void add_bench(CLI::App& app, Context& ctx) {
    auto* bench = app.add_subcommand(
        "bench", "Throughput and latency on your server: bench produce | bench consume");
    bench->require_subcommand(1, 1);
    bench->footer(
        "Latency percentiles are exact (every sample kept). Counts are verified: a run that\n"
        "lost, duplicated or failed messages exits 1. JSON with -J or when piped.");
    auto produce_args = std::make_shared<BenchArgs>();
    auto* produce = bench->add_subcommand(
        "produce",
        "Send --count messages (default 100000) with a Producer at its default options: "
        "throughput, and each send's latency until the server confirmed it. Without --rate "
        "the sends are queued as fast as the producer takes them, so a latency includes the "
        "wait behind the sends before it; --rate measures it at that steady load");
    add_bench_options(produce, *produce_args);
    produce->callback([&ctx, produce_args] {
        ctx.run = [&ctx, produce_args] { return run_bench(ctx, *produce_args, false); };
    });
    auto consume_args = std::make_shared<BenchArgs>();
    auto* consume = bench->add_subcommand(
        "consume",
        "Send --count messages (default 20000) at --rate (default 10000/s) to a real-time "
        "consumer: the latency from when each send was due until it was consumed; then read "
        "them back from the beginning: consume throughput");
    add_bench_options(consume, *consume_args);
    consume->callback([&ctx, consume_args] {
        ctx.run = [&ctx, consume_args] { return run_bench(ctx, *consume_args, true); };
    });
}

}  // namespace redstream::cli
