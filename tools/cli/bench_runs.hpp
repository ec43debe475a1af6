// What `redstream bench` measures, on the user's server: produce (send ->
// confirm latency and throughput, with the pipelining a Producer does by
// default) and consume (produce -> consume latency of messages sent at a
// steady rate, then how fast they read back). Every count is verified: a
// bench that lost or duplicated messages says so and fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <redstream/redis/streamer.hpp>

#include "latency_stats.hpp"

namespace redstream::cli {

struct BenchSettings {
    StreamKey stream;
    std::size_t size = 100;      ///< Payload bytes.
    std::uint64_t count = 0;     ///< Messages.
    std::uint64_t shards = 1;    ///< ProducerOptions::shards.
    std::optional<double> rate;  ///< Messages per second; none: as fast as it goes.
};

struct ProduceBenchResult {
    std::uint64_t sent = 0;
    std::uint64_t confirmed = 0;
    std::uint64_t failed = 0;
    std::string first_error;
    /// Entries the stream gained (XINFO over every key), which must equal confirmed.
    std::uint64_t stored = 0;
    double seconds = 0;      ///< First send to last confirmation.
    LatencySummary latency;  ///< send -> confirm
    bool interrupted = false;
};

struct ConsumeBenchResult {
    std::uint64_t sent = 0;
    std::uint64_t failed_sends = 0;
    std::uint64_t received = 0;    ///< Distinct messages of this run delivered live.
    std::uint64_t duplicates = 0;  ///< Deliveries of a message already received.
    LatencySummary latency;        ///< scheduled send -> consumed
    std::uint64_t read_back = 0;   ///< Messages of this run read back from the beginning.
    double read_back_seconds = 0;
    bool interrupted = false;
};

/// Minimum payload size of bench consume (the header each message carries).
inline constexpr std::size_t consume_header_size = 24;

ProduceBenchResult bench_produce(Streamer& streamer, const BenchSettings& s);
ConsumeBenchResult bench_consume(Streamer& streamer, const BenchSettings& s);

}  // namespace redstream::cli
