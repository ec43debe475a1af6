// A throwaway Redis Cluster for tests: N masters with R replicas each, as
// redis-server processes on free loopback ports (each a RedisServer in its own
// temporary directory), joined with `redis-cli --cluster create`. The
// constructor returns once every node reports cluster_state:ok and all of
// them agree on the slots, the masters and their replicas; every process is
// stopped when the object goes away, also when bring-up fails half-way.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <redstream/core/url.hpp>
#include <redstream/net/config.hpp>

#include "support/redis_server.hpp"

namespace redstream::test {

// Members have default initializers so that designated initializers pass
// g++'s -Wmissing-field-initializers.
struct ClusterOptions {
    static constexpr std::size_t default_masters = 3;
    static constexpr std::size_t default_replicas_per_master = 1;
    static constexpr std::chrono::milliseconds default_node_timeout{2000};
    static constexpr std::chrono::milliseconds default_ready_timeout{30'000};

    /// Masters; redis-cli --cluster create needs at least 3.
    std::size_t masters = default_masters;
    /// Replicas of each master.
    std::size_t replicas_per_master = default_replicas_per_master;
    /// `cluster-node-timeout`: how long a node may be unreachable before it
    /// counts as failed (and a replica takes over). Short, so failover tests
    /// are quick.
    std::chrono::milliseconds node_timeout = default_node_timeout;
    /// How long the whole bring-up (start, create, wait for agreement) may
    /// take before the constructor throws.
    std::chrono::milliseconds ready_timeout = default_ready_timeout;
};

class RedisCluster {
  public:
    /// Starts the nodes, creates the cluster and waits until it is ready;
    /// throws std::runtime_error (saying what was not ready, with the nodes'
    /// log tails) if it is not within options.ready_timeout.
    explicit RedisCluster(ClusterOptions options = {});
    ~RedisCluster();
    RedisCluster(const RedisCluster&) = delete;
    RedisCluster& operator=(const RedisCluster&) = delete;

    /// Number of nodes (masters and replicas).
    std::size_t size() const noexcept;
    /// Node `i` (0 <= i < size()), in the order they were started; which of
    /// them are masters is up to redis-cli: ask masters() or master_of().
    RedisServer& node(std::size_t i) const;
    /// The nodes' client ports, in node order.
    std::vector<std::uint16_t> ports() const;
    /// Every node as a seed address ("127.0.0.1", port).
    std::vector<HostPort> seeds() const;
    /// A Streamer URL with every node as a seed and `?cluster=yes`, plus
    /// `&name=client_name` when one is given (to find its connections).
    std::string url(const std::string& client_name = {}) const;
    /// A config that reaches node `i` (one node; no routing).
    net::ConnectionConfig config(std::size_t i, int protocol = 3) const;
    /// Runs redis-cli against node `i`; its stdout without the final newline.
    std::string cli(std::size_t i, const std::vector<std::string>& args) const;

    /// The index of the node that masters `slot` now, as node 0's
    /// CLUSTER NODES says (independent of redstream's own slot map);
    /// throws std::runtime_error if no node does.
    std::size_t master_of(std::uint16_t slot) const;
    /// The indexes of the masters that serve slots now, in node order.
    std::vector<std::size_t> masters() const;
    /// The index of the master of every slot (16384 entries), from one
    /// CLUSTER NODES of node 0: master_of() for many keys at one redis-cli
    /// run. A slot no node serves has `size()`.
    std::vector<std::size_t> slot_owners() const;
    /// Moves `slot` to the next master (in masters() order) by hand, as
    /// `redis-cli --cluster reshard` does: SETSLOT IMPORTING / MIGRATING,
    /// MIGRATE of `keys`, then SETSLOT NODE on every master (the new owner
    /// first, then the old one, as the cluster specification says). `before_node`
    /// runs between MIGRATE and NODE, the window in which the old owner
    /// answers ASK. Returns the new owner's index; throws
    /// std::runtime_error, naming the step, if one is refused.
    std::size_t move_slot(std::uint16_t slot, const std::vector<std::string>& keys,
                          const std::function<void()>& before_node = {});
    /// Freezes node `i` with `DEBUG SLEEP seconds` (it answers nothing
    /// meanwhile) and returns once it no longer answers a PING within
    /// 300 ms; throws std::runtime_error if that is not so within 2 s. The
    /// future is ready when the sleep ends, with how long DEBUG SLEEP took.
    std::future<std::chrono::steady_clock::duration> freeze(std::size_t i, int seconds) const;
    /// The node index with this client port; throws if there is none.
    std::size_t index_of_port(std::uint16_t port) const;

    /// How long the constructor took, from the first server start to ready.
    std::chrono::milliseconds bring_up_time() const noexcept;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace redstream::test
