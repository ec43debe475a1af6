// Where the shared checks run (support/admin_checks.hpp,
// support/stream_checks.hpp): one throwaway redis-server or the 3+3 cluster,
// and the connection to the master serving a key, so that a check verifies
// what redstream did on the node that holds the data, never only through
// redstream's own router.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <redstream/core/message_id.hpp>
#include <redstream/net/client.hpp>
#include <redstream/net/config.hpp>
#include <redstream/resp/value.hpp>

namespace redstream::test {

class RedisServer;
class RedisCluster;

/// Where the checks run.
struct Target {
    /// What Streamer::connect() gets.
    std::string url;
    /// A Redis Cluster (keys are spread over masters, and ShardInfo::node
    /// names them).
    bool cluster = false;
    /// A connection to the master serving `key` now (one node, no routing).
    std::function<net::ConnectionConfig(std::string_view key)> master_of;
    /// Its name as the slot map has it ("127.0.0.1:port"); "" standalone.
    std::function<std::string(std::string_view key)> master_name;
};

/// The server itself serves every key.
Target standalone_target(const RedisServer& server);
/// Each key's master from one CLUSTER NODES, asked now: for checks that do
/// not change the topology.
Target cluster_target(const RedisCluster& cluster);

/// How many masters serve `keys` (1 standalone).
std::size_t masters_serving(const Target& t, const std::vector<std::string>& keys);

/// An entry as XRANGE returns it, owned.
struct Entry {
    MessageId id{};
    std::vector<std::pair<std::string, std::string>> fields;

    /// The value of the first field called `name`; "" if there is none.
    std::string field(std::string_view name) const;
};

/// A pending entry as XPENDING's extended form returns it, owned.
struct Pending {
    MessageId id{};
    std::string consumer;
    std::uint64_t deliveries = 0;
};

/// A group of a key as XINFO GROUPS describes it.
struct GroupInfo {
    std::uint64_t consumers = 0;
    std::uint64_t pending = 0;
    MessageId last_delivered{};
    std::optional<std::int64_t> lag{};
};

/// Commands sent straight to the master of a key, one connection per master.
class Direct {
  public:
    explicit Direct(Target t) : t_(std::move(t)) {}

    /// `args` on the master of `key`; a server error is returned, not thrown.
    resp::Reply run(std::string_view key, const std::vector<std::string>& args);
    std::uint64_t xlen(const std::string& key);
    bool exists(const std::string& key);
    /// XADD of `msg` = `payload` and `extra`, with id `*`.
    MessageId xadd(const std::string& key, std::string_view payload,
                   const std::vector<std::pair<std::string, std::string>>& extra = {});
    /// XADDs of `prefix + i` for i in [0, n), in one pipeline.
    void xadd_many(const std::string& key, int n, const std::string& prefix);
    /// XRANGE key - + (every entry).
    std::vector<Entry> xrange(const std::string& key);
    /// XINFO GROUPS of `key`: {name: last delivered id}.
    std::map<std::string, MessageId> groups(const std::string& key);
    /// XINFO GROUPS of `key`: `group`, or nullopt if the key has no such group.
    std::optional<GroupInfo> group(const std::string& key, const std::string& group);
    /// XINFO CONSUMERS: how many consumers `group` has on `key`.
    std::size_t consumers(const std::string& key, const std::string& group);
    /// XPENDING's count of `group` on `key`; -1 when the server refuses
    /// (NOGROUP, a missing key).
    long long pending(const std::string& key, const std::string& group);
    /// XPENDING key group - + 1000: every pending entry, oldest first.
    std::vector<Pending> pending_entries(const std::string& key, const std::string& group);

  private:
    net::SyncClient& client(std::string_view key);

    Target t_;
    std::map<std::string, std::unique_ptr<net::SyncClient>> clients_;
};

}  // namespace redstream::test
