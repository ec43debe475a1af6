// The router's driver: a connection per node, made on demand, the topology
// state machine fed from replies and a timer, and the requests being routed
// (router_exec.cpp). Everything runs on strand_, except the standalone fast
// path, which hands requests straight to the one connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <redstream/cluster/redirect.hpp>
#include <redstream/cluster/router.hpp>

namespace redstream::cluster::detail {

using Completion = redstream::detail::BasicCompletion<std::error_code>;
using Clock = std::chrono::steady_clock;

class RouterImpl : public std::enable_shared_from_this<RouterImpl> {
  public:
    /// Rounds of a request that nodes answered "not now" wait retry_delay,
    /// then twice that: a cluster down for seconds is asked 5 times a
    /// second, and a recovered one is used again within 200 ms.
    static constexpr unsigned max_backoff_doublings = 1;

    RouterImpl(asio::any_io_executor ex, net::ConnectionConfig config, RouterOptions options);

    asio::any_io_executor executor() const { return executor_; }
    const net::ConnectionConfig& config() const noexcept { return config_; }
    bool is_cluster() const noexcept { return cluster_.load(std::memory_order_acquire); }

    void connect(Completion done);
    void exec(const resp::Request& req, net::Response& resp, net::ExecOptions opts, Completion done,
              WaitReplicas wait = {});
    SlotMap slot_map() const;
    std::uint64_t refreshes() const noexcept { return refreshes_.load(std::memory_order_relaxed); }
    std::uint64_t map_version() const noexcept {
        return map_version_.load(std::memory_order_acquire);
    }
    std::shared_ptr<net::Client> connection_for(std::uint16_t slot);
    std::shared_ptr<net::Client> connection_to(const HostPort& endpoint);
    net::ConnectionConfig node_config(const HostPort& endpoint) const;
    void report_moved(std::uint16_t slot, const HostPort& endpoint);
    void report_node_lost(const HostPort& endpoint);
    void report_stale_map();
    std::vector<std::string> connections() const;
    std::vector<std::pair<std::string, net::ClientStats>> connection_stats() const;
    std::string last_error() const;
    void close();

  private:
    struct Node {
        std::shared_ptr<net::Client> client;
        bool connecting = false;  // an async_connect is out
        bool was_up = false;      // a connect succeeded once
        // What waits for it to complete (on the strand).
        std::vector<std::function<void(std::error_code)>> waiting;
    };
    struct Job;   // one request being routed (router_exec.cpp)
    struct Part;  // its commands that go to one node, once

    // Connect (router.cpp).
    void connect_cluster(Completion done);
    void detect(Completion done);  // standalone connected: is it a cluster node?

    // Topology (router.cpp).
    void act(const TopologyAction& action);
    void refresh(const HostPort& target);
    void on_refreshed(const HostPort& target, std::error_code ec, const net::Response& resp);
    void refresh_failed(const HostPort& target, std::error_code ec, std::string why);
    void publish_map();
    void finish_connects(std::error_code ec);
    /// The node's connection, made (and connecting) on demand. Any thread.
    /// `connecting`, if given: whether its first connect is still out
    /// (not a reconnect: a node that was up and is down fails requests).
    std::shared_ptr<net::Client> node(const HostPort& endpoint, bool* connecting = nullptr);
    /// Calls `f(ec)` on the strand once the node's connection is up (or its
    /// first connect failed, with why), making it on demand.
    void when_connected(const HostPort& endpoint, std::function<void(std::error_code)> f);

    // Routing (router_exec.cpp).
    void route(const std::shared_ptr<Job>& job, std::vector<std::size_t> commands);
    std::optional<HostPort> owner(int slot) const;
    void send(const std::shared_ptr<Job>& job, const HostPort& target,
              std::vector<std::size_t> commands, bool asking);
    static bool whole_request(const Job& job, const std::vector<std::size_t>& commands,
                              bool asking);
    void on_part(const std::shared_ptr<Part>& part, std::error_code ec);
    bool follow(Job& job, std::size_t index, const resp::Reply& reply, const HostPort& from);
    bool out_of_tries(const Job& job, std::size_t index) const;
    void settle(const std::shared_ptr<Job>& job);

    asio::any_io_executor executor_;
    asio::strand<asio::any_io_executor> strand_;
    net::ConnectionConfig config_;
    RouterOptions options_;
    std::shared_ptr<net::Client> standalone_;  // until a cluster is detected
    // Cluster mode: set at construction (ClusterMode::yes) or by detect(),
    // before connect completes; read anywhere after.
    std::atomic<bool> cluster_{false};
    Topology topology_;
    asio::steady_timer timer_;
    std::vector<Completion> connects_;  // waiting for the first map
    std::size_t failed_seeds_ = 0;      // refreshes failed before the first map
    bool started_ = false;
    std::atomic<bool> closed_{false};  // close() was called
    std::atomic<std::uint64_t> refreshes_{0};
    std::atomic<std::uint64_t> map_version_{0};  // publish_map() calls
    // Fails at once on a node that is down, so that the next node is asked
    // rather than the refresh waiting out a reconnect that may never come.
    resp::Request refresh_req_{resp::Request::Config{.fail_if_not_connected = true}};
    // Shared with other threads (connection_for(), slot_map()).
    mutable std::mutex mutex_;
    std::map<std::string, Node, std::less<>> nodes_;
    std::shared_ptr<const SlotMap> map_;
    std::string last_error_;  // of the last refresh that failed
};

}  // namespace redstream::cluster::detail
