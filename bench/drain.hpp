// What the consumer benchmarks share: the shape of one drain of the shared
// backlog, the command line, how a message is "used", and our real-time
// consumer's drain (measured itself in consumer_xread, and the reference a
// group drain is compared with in group_consumer).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <redstream/redis/streamer.hpp>

namespace bench {

// The backlog consumer_xread, group_consumer and relay drain (rss reads it
// too): filled once per server by ensure_backlog, 64 B payloads.
inline const std::string backlog_key = "bench:backlog";
inline const std::string backlog_payload(64, 'x');

// One drain of ours: read `count` messages, or stop once `budget` is spent.
struct Drain {
    long long count;
    std::size_t batch;     // ConsumerOptions::batch_size
    std::size_t prefetch;  // ConsumerOptions::prefetch
    std::chrono::duration<double> budget;
};

struct DrainArgs {
    std::uint16_t port;
    Drain drain;
};

// `PROGRAM PORT [COUNT] [BATCH_SIZE] [PREFETCH] [BUDGET]`; without a PORT,
// prints that and exits with 2.
inline DrainArgs parse_drain_args(int argc, char** argv, double default_budget) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s PORT [COUNT] [BATCH_SIZE] [PREFETCH] [BUDGET]\n", argv[0]);
        std::exit(2);
    }
    return {static_cast<std::uint16_t>(std::atoi(argv[1])),
            {argc > 2 ? std::atoll(argv[2]) : 1'000'000,
             argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 1000,
             argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 2000,
             std::chrono::duration<double>(argc > 5 ? std::atof(argv[5]) : default_budget)}};
}

// Reads the id and the payload, so that a drain pays for looking at them.
inline std::uint64_t touch(const redstream::Message& m) {
    return m.id().ms + m.id().seq + m.payload().size() + std::uint8_t(m.payload()[0]);
}

struct DrainResult {
    long long read = 0;  // below Drain::count if the budget ran out
    double seconds = 0;  // from before create_consumer to the last next()
    std::uint64_t touched = 0;
};

// Our real-time consumer (earliest) drains `key` with next().
inline DrainResult real_time_drain(std::uint16_t port, const std::string& key, const Drain& d) {
    using Clock = std::chrono::steady_clock;
    auto streamer = redstream::Streamer::connect("redis://127.0.0.1:" + std::to_string(port));
    const auto start = Clock::now();
    auto consumer = streamer.create_consumer(
        {redstream::StreamKey(key)},
        redstream::ConsumerOptions{.auto_stream_reset = redstream::AutoStreamReset::earliest,
                                   .batch_size = d.batch,
                                   .prefetch = d.prefetch});
    DrainResult r;
    while (r.read < d.count) {
        r.touched += touch(consumer.next());
        if (++r.read % 1024 == 0 && Clock::now() - start > d.budget) break;
    }
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    consumer.end();
    streamer.disconnect();
    return r;
}

}  // namespace bench
