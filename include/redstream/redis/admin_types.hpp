// What the administration API (redstream/redis/admin.hpp) takes and returns:
// its options, and owning, plain values (no views into replies), so results
// may be kept, copied and moved freely.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <redstream/commands/types.hpp>
#include <redstream/core/message_id.hpp>
#include <redstream/core/stream.hpp>

namespace redstream {

struct AdminOptions {
    static constexpr std::size_t default_max_keys = 10'000;
    static constexpr std::uint64_t default_scan_count = 1000;

    /// Deadline of each request an operation sends (a SCAN page of one
    /// master, or the batch of per-key commands); 0: the connection's
    /// request_timeout (10 s by default).
    std::chrono::milliseconds request_timeout{0};
    /// Most keys an operation on one stream works on: a stream with more
    /// shard keys than this fails with invalid_argument rather than growing
    /// a list without bound. (Admin::streams() has a limit of its own.)
    std::size_t max_keys = default_max_keys;
    /// SCAN's COUNT: keys a master looks at per round trip.
    std::uint64_t scan_count = default_scan_count;
};

/// A consumer group of one key (XINFO GROUPS).
struct GroupInfo {
    std::string name;               ///< The group's name.
    std::uint64_t consumers = 0;    ///< Its consumers.
    std::uint64_t pending = 0;      ///< Entries delivered and not yet acked.
    MessageId last_delivered_id{};  ///< The last id delivered to the group.
    /// Entries not yet delivered to the group; nullopt when the server
    /// cannot tell (after deletions or XGROUP SETID).
    std::optional<std::uint64_t> lag{};
};

/// One Redis key of a stream: the plain key `name` (shard 0) or `name:N`.
struct ShardInfo {
    std::string key;  ///< The Redis key.
    ShardId shard;    ///< Its shard (0 for the plain key).
    /// The master serving the key's slot ("host:port") when it was looked
    /// up; empty on a standalone server.
    std::string node;
    std::uint64_t length = 0;             ///< Entries in the key (XINFO STREAM).
    std::optional<MessageId> first_id{};  ///< Its oldest entry; empty when it has none.
    std::optional<MessageId> last_id{};   ///< Its newest entry; empty when it has none.
    MessageId last_generated_id{};        ///< The last id ever added (deleted or not).
    std::vector<GroupInfo> groups;        ///< Its consumer groups, in server order.
};

/// A stream and its keys.
struct StreamInfo {
    StreamKey stream;               ///< The stream's name.
    std::vector<ShardInfo> shards;  ///< By shard id; the plain key before `name:0`.

    /// False when no key of the stream exists.
    bool exists() const noexcept { return !shards.empty(); }
    /// Entries over every key.
    std::uint64_t length() const noexcept {
        std::uint64_t n = 0;
        for (const auto& s : shards)
            n += s.length;
        return n;
    }
};

/// What Admin::streams() found.
struct StreamList {
    std::vector<StreamInfo> streams;  ///< By name.
    /// Keys listed (over every stream).
    std::size_t keys = 0;
    /// The scan stopped at the limit: more keys match than were listed (and
    /// the last streams may lack some of their shards).
    bool truncated = false;
};

/// Pending entries of one consumer.
struct PendingConsumer {
    std::string name;           ///< The consumer's name.
    std::uint64_t pending = 0;  ///< Its pending entries.
};

/// XPENDING's summary for one key of the stream.
struct ShardPending {
    std::string key;                         ///< The Redis key.
    ShardId shard;                           ///< Its shard.
    std::uint64_t count = 0;                 ///< Pending entries of the group there.
    std::optional<MessageId> smallest{};     ///< Smallest pending id (if any).
    std::optional<MessageId> largest{};      ///< Largest pending id (if any).
    std::vector<PendingConsumer> consumers;  ///< Consumers with pending entries there.
};

/// A group's pending entries over every key of a stream.
struct PendingSummary {
    std::uint64_t count = 0;                 ///< Pending entries in total.
    std::vector<PendingConsumer> consumers;  ///< Summed over the keys, by name.
    std::vector<ShardPending> shards;        ///< Each key that has the group.
};

/// Which pending entries Admin::pending() lists (XPENDING's extended form,
/// sent to every key of the stream).
struct PendingOptions {
    static constexpr std::uint64_t default_count = 100;

    /// Only entries idle at least this long (IDLE, Redis 6.2+); not sent when empty.
    std::optional<std::chrono::milliseconds> min_idle{};
    /// The id range, applied to every key (`-`, `+`, an id, or `(id`).
    commands::RangeBound start = commands::RangeBound::min();
    commands::RangeBound end = commands::RangeBound::max();
    /// Most entries returned in all: each key is asked for this many, and
    /// the smallest ids over all keys are kept.
    std::uint64_t count = default_count;
    /// Only this consumer's entries; empty for all.
    std::string consumer{};
};

/// One pending entry of a group, with the key it is pending in.
struct PendingEntryInfo {
    std::string key;                    ///< The Redis key.
    ShardId shard;                      ///< Its shard.
    MessageId id{};                     ///< The entry's id.
    std::string consumer;               ///< Its owner.
    std::chrono::milliseconds idle{0};  ///< Since it was last delivered.
    std::uint64_t deliveries = 0;       ///< Times delivered.
};

/// An entry of a stream: the key it is in, and its id there. The same id may
/// exist in several shards, so an id alone does not name an entry.
struct EntryRef {
    std::string key;  ///< The Redis key (the stream's `name` or `name:N`).
    MessageId id{};   ///< The id in that key.

    friend bool operator==(const EntryRef&, const EntryRef&) = default;
};

/// A cluster node as the slot map names it.
struct NodeAddress {
    std::string host;        ///< Host or address (IPv6 without brackets).
    std::uint16_t port = 0;  ///< Client port.
    std::string name;        ///< "host:port" ("[host]:port" for IPv6).
    std::string id;          ///< The node id; empty when unknown.
};

/// Consecutive slots served by one master.
struct SlotRangeInfo {
    std::uint16_t first = 0;            ///< First slot.
    std::uint16_t last = 0;             ///< Last slot (inclusive).
    NodeAddress master;                 ///< The master serving them.
    std::vector<NodeAddress> replicas;  ///< Its replicas.
};

/// A cluster's slot map as the Streamer routes by it; empty on a standalone
/// server.
struct SlotMapInfo {
    std::vector<SlotRangeInfo> ranges;  ///< In slot order; unserved slots are in none.

    bool empty() const noexcept { return ranges.empty(); }
};

}  // namespace redstream
