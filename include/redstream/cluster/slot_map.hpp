// Which node serves which hash slot: the map a cluster router routes by,
// decoded from a CLUSTER SLOTS reply (RESP2 or RESP3, with or without the
// networking metadata of Redis 7). Sans-I/O: a reply in, lookups out.
//
// CLUSTER SLOTS rather than CLUSTER SHARDS: it works on every Redis since 3.0
// and on Valkey, which undeprecated it (../shared/notes/cluster-research.md §1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <redstream/cluster/slot.hpp>
#include <redstream/core/url.hpp>
#include <redstream/resp/value.hpp>

namespace redstream::cluster {

/// A node of the cluster.
struct NodeInfo {
    /// Where to connect. The host is never "?" or empty unless the map was
    /// decoded without a `reply_host` (see SlotMap::from_cluster_slots).
    HostPort endpoint{};
    /// endpoint_name(endpoint), "host:port": the node's identity in the map.
    std::string name{};
    /// The 40-character node id; empty when the server sent none or the node
    /// is known only from a MOVED.
    std::string id{};
    /// The Redis 7 metadata "hostname" and "ip", when the server sent them.
    std::string hostname{};
    std::string ip{};
};

/// A master and its replicas, as indexes into SlotMap::nodes().
struct Shard {
    std::size_t master = 0;
    std::vector<std::size_t> replicas{};
};

/// A run of consecutive slots served by one shard.
struct SlotRange {
    std::uint16_t first = 0;  ///< First slot of the run.
    std::uint16_t last = 0;   ///< Last slot of the run (inclusive).
    std::size_t shard = 0;    ///< Index into SlotMap::shards().

    friend bool operator==(const SlotRange&, const SlotRange&) = default;
};

class SlotMap {
  public:
    /// An empty map: no slot has an owner.
    SlotMap();

    /// Decodes a CLUSTER SLOTS reply: an array of `[first, last, master,
    /// replica...]`, each node `[host, port, id, metadata]` (the id since
    /// Redis 4, the metadata map or flat array since Redis 7; keys other than
    /// "hostname" and "ip" are ignored, as are elements a later server may
    /// add). A node whose host is null, "" or "?" (the server does not know
    /// it: `cluster-preferred-endpoint-type unknown-endpoint`, or `hostname`
    /// with none announced) gets `reply_host`, the host of the connection the
    /// reply came from, as the cluster specification says to. Slots no range
    /// names have no owner (a cluster being set up or losing a shard).
    /// Errors: the server's error code when the reply is an error (e.g.
    /// server_error for "ERR This instance has cluster support disabled");
    /// unexpected_reply for any other shape, a slot outside 0..16383, a range
    /// whose first slot is after its last, overlapping ranges, a port outside
    /// 1..65535. On error the returned map is empty.
    static SlotMap from_cluster_slots(const resp::Value& reply, std::error_code& ec,
                                      std::string_view reply_host = {});

    /// The master that serves `slot`, or nullptr when no node does (or the
    /// slot is out of range).
    const NodeInfo* master_of(std::uint16_t slot) const noexcept;
    /// The replicas of the master that serves `slot` (empty when none or
    /// when the slot has no owner).
    std::vector<const NodeInfo*> replicas_of(std::uint16_t slot) const;
    /// The shard that serves `slot`, or nullptr.
    const Shard* shard_of(std::uint16_t slot) const noexcept;
    /// True when `endpoint` is the master of `slot` (compared by name).
    bool is_owner(std::uint16_t slot, const HostPort& endpoint) const;

    /// The distinct masters that serve at least one slot, in the order the
    /// reply first listed them (masters added by apply_moved() come last).
    std::vector<const NodeInfo*> masters() const;
    /// Every node the map knows: masters, replicas, and masters learnt from
    /// MOVED; each once.
    const std::vector<NodeInfo>& nodes() const noexcept { return nodes_; }
    /// The node named `name` ("host:port"), or nullptr.
    const NodeInfo* find(std::string_view name) const noexcept;
    /// Every shard, including ones apply_moved() has left without slots.
    const std::vector<Shard>& shards() const noexcept { return shards_; }
    /// The runs of consecutive slots with the same shard, in slot order;
    /// slots without an owner are in none.
    std::vector<SlotRange> ranges() const;

    /// How many of the 16384 slots have an owner.
    std::size_t covered_slots() const noexcept { return covered_; }
    /// True when every slot has an owner.
    bool covers_all() const noexcept { return covered_ == slot_count; }
    bool empty() const noexcept { return covered_ == 0; }

    /// Records a MOVED: `slot` is now served by the master at `endpoint`, so
    /// a router can send that slot's commands to the right node before a full
    /// refresh returns. A master not in the map yet is added (no id, no
    /// replicas: a refresh fills them in). The caller resolves an empty host
    /// first (see Redirect::target). Returns false when the map already said
    /// so (nothing changed) or the slot is out of range.
    bool apply_moved(std::uint16_t slot, const HostPort& endpoint);

  private:
    static constexpr std::uint16_t no_shard = 0xFFFF;

    std::size_t add_node(HostPort endpoint, std::string_view id);
    std::size_t shard_for_master(std::size_t node);

    std::vector<NodeInfo> nodes_;
    std::vector<Shard> shards_;
    // Slots each shard serves, kept with slot_shard_ so masters() needs no scan.
    std::vector<std::uint32_t> shard_slots_;
    // Shard index per slot (no_shard: no owner). A vector, not an array, so
    // that moving a map (once per refresh) does not copy 32 KiB.
    std::vector<std::uint16_t> slot_shard_;
    std::size_t covered_ = 0;
};

}  // namespace redstream::cluster
