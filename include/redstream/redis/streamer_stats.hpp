// What Streamer::stats() reports: every live producer, consumer and
// connection of a Streamer with its counters, and to_prometheus(), which
// renders that in the Prometheus text exposition format.
#pragma once

#include <string>
#include <vector>

#include <redstream/net/client.hpp>
#include <redstream/redis/consumer.hpp>
#include <redstream/redis/producer.hpp>

namespace redstream {

/// A producer of the Streamer and its counters.
struct ProducerReport {
    std::string stream;   ///< The stream it is anchored to; empty for a generic producer.
    ProducerStats stats;  ///< As Producer::stats().
};

/// A consumer of the Streamer and its counters.
struct ConsumerReport {
    std::vector<std::string> streams;  ///< The streams it reads (not their shards).
    std::string group;                 ///< Its group; empty for a real-time consumer.
    std::string member;                ///< Its member name in the group; empty likewise.
    ConsumerStats stats;               ///< As Consumer::stats().
};

/// A connection of the Streamer and its counters.
struct ConnectionReport {
    /// The server: "host:port" (several, comma-separated, for a standalone
    /// connection configured with more than one), or the unix socket's path.
    std::string endpoint;
    /// "streamer": the shared connection (one per node on a cluster) that
    /// producers, the administration API and the consumers' acks and
    /// lookups use; "consumer N": a read connection of `consumers[N]`.
    std::string owner;
    net::ClientStats stats;  ///< As net::Client::stats().
};

/// A snapshot of a Streamer's live objects; each counter is read on its own
/// (relaxed), so two of them may be a moment apart.
struct StreamerStats {
    std::vector<ProducerReport> producers;      ///< In the order they were made.
    std::vector<ConsumerReport> consumers;      ///< In the order they were made.
    std::vector<ConnectionReport> connections;  ///< The shared ones first.
};

struct PrometheusOptions {
    static constexpr const char* default_prefix = "redstream";

    /// The start of every metric name (`redstream_producer_sent_total`):
    /// [a-zA-Z_][a-zA-Z0-9_]* (no colons: they are for recording rules).
    std::string prefix = default_prefix;
};

/// `stats` in the Prometheus text exposition format (version 0.0.4): one
/// family per counter (HELP, TYPE, then a sample per object), the objects
/// told apart by labels — producers by `producer` (their index) and
/// `stream`, consumers by `consumer`, `streams`, `group` and `member`,
/// connections by `endpoint` and `owner`. Counters end in `_total`; what an
/// object holds now (queued, in flight, pending) is a gauge. Label values
/// are escaped as the format requires. Throws redstream::Error
/// (invalid_argument) for a prefix that is not a metric name.
std::string to_prometheus(const StreamerStats& stats, const PrometheusOptions& options = {});

}  // namespace redstream
