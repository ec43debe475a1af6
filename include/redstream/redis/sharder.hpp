// Sharders: which shard of a sharded stream a producer writes each message
// to (ProducerOptions::sharder), from the send's SendOptions::partition_key.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>

#include <redstream/core/stream.hpp>

namespace redstream {

/// Picks the shard of each message of a stream with several shards.
class Sharder {
  public:
    /// (stream, partition key, shard count) -> shard in [0, shard count).
    using Function = std::function<std::uint64_t(const StreamKey&, std::string_view partition_key,
                                                 std::uint64_t shards)>;

    /// Shards in turn (per producer).
    static Sharder round_robin();
    /// A pseudo-random shard per message.
    static Sharder random();
    /// Same partition key, same shard: per-key order holds. Messages without a
    /// partition key go round-robin.
    static Sharder key_hash();
    /// Your own choice; results are taken modulo the shard count.
    static Sharder custom(Function f);

    std::uint64_t operator()(const StreamKey& s, std::string_view partition_key,
                             std::uint64_t n) const {
        return f_(s, partition_key, n) % n;
    }

  private:
    explicit Sharder(Function f) : f_(std::move(f)) {}
    Function f_;
};

}  // namespace redstream
