// The router: sends each command of a request to the node that serves its
// hash slot, and follows the cluster's redirections for it. A standalone
// server is a one-node router: everything goes to its one connection, with
// nothing in between. Layers above use a Router and never care which of the
// two they talk to (except blocking reads, which want a connection of their
// own per node: connection_for()).
//
// Cluster mode is ConnectionConfig::cluster: yes, no, or (the default)
// detect, which asks the first server at connect (INFO cluster). In cluster
// mode the URL's hosts are seeds: the
// slot map comes from CLUSTER SLOTS of the first that answers, and is
// refreshed on MOVED, on a lost node connection and every refresh_interval
// (cluster/detail/topology.hpp decides when). A pipelined request is split by
// node and its replies are put back in order. Per command:
// - MOVED: the map is fixed for that slot and the command is sent again to
//   the new owner (it did not run on the old one);
// - ASK: ASKING plus the command go to the target, once; the map stays;
// - TRYAGAIN, CLUSTERDOWN (or a slot without an owner): the command is sent
//   again after retry_delay, backing off to 2 × retry_delay, until the
//   request's deadline (a failover takes seconds); without a deadline, within
//   max_redirects;
// MOVED and ASK within max_redirects, after which the error reply is what the
// caller gets. A command whose outcome is unknown (its connection dropped after it
// was written) is never sent again: the request fails with connection_lost.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>

#include <redstream/cluster/detail/topology.hpp>
#include <redstream/cluster/slot_map.hpp>
#include <redstream/core/detail/completion.hpp>
#include <redstream/net/client.hpp>
#include <redstream/net/config.hpp>
#include <redstream/resp/request.hpp>

namespace redstream::cluster {

struct RouterOptions {
    static constexpr unsigned default_max_redirects = 5;
    static constexpr std::chrono::milliseconds default_retry_delay{100};

    /// Redirections one command may take (MOVED, ASK) before its error reply
    /// is handed over as it is; also the retries (TRYAGAIN, CLUSTERDOWN, no
    /// known owner of its slot) of a request without a deadline, which
    /// otherwise retries until its deadline.
    unsigned max_redirects = default_max_redirects;
    /// Wait before sending again after TRYAGAIN, CLUSTERDOWN or a slot
    /// without an owner (the slot map is refreshed meanwhile); twice this
    /// from the second TRYAGAIN or CLUSTERDOWN of the same request on.
    std::chrono::milliseconds retry_delay = default_retry_delay;
    /// When the slot map is refreshed.
    detail::TopologyOptions topology{};
};

/// Replication a request waits for on each node it writes to: `WAIT
/// replicas timeout` after that node's commands, on the same connection.
struct WaitReplicas {
    /// Replicas to wait for; 0: no WAIT.
    unsigned replicas = 0;
    /// WAIT's timeout; must be > 0 (0 would wait forever).
    std::chrono::milliseconds timeout{0};
    /// Filled per command of the request: the replicas its node's WAIT
    /// counted, -1 if none answered for it (resized by the router).
    std::vector<std::int64_t>* acked = nullptr;
};

namespace detail {
class RouterImpl;
}

class Router {
  public:
    /// `config.cluster` chooses cluster mode (or detect); `config.nodes` are
    /// the server, or the cluster's seeds.
    Router(asio::any_io_executor ex, net::ConnectionConfig config, RouterOptions options = {});
    ~Router();
    Router(const Router&) = delete;
    Router& operator=(const Router&) = delete;

    asio::any_io_executor get_executor() const noexcept;
    const net::ConnectionConfig& config() const noexcept;
    /// Cluster mode (configured, or detected by a completed connect).
    bool is_cluster() const noexcept;

    /// Connects: standalone, the one connection (net::Client::async_connect),
    /// then in detect mode `INFO cluster` on it, one round trip; cluster (so
    /// configured or detected), the first seed that answers CLUSTER SLOTS,
    /// whose map then routes. Call the other operations once it completed. Completion:
    /// `void(std::error_code)`, within connect_timeout per seed tried. Errors: those of
    /// net::Client::async_connect (of the last seed tried), an error reply's code (e.g. "cluster
    /// support disabled": server_error), unexpected_reply, shutting_down.
    template <class Token>
    auto async_connect(Token&& token) {
        return asio::async_initiate<Token, void(std::error_code)>(
            [](auto handler, Router* self) {
                auto ex = self->get_executor();
                self->start_connect(
                    redstream::detail::BasicCompletion<std::error_code>(std::move(handler), ex));
            },
            token, this);
    }

    /// Runs every command of `req` on the node serving its slot (commands
    /// without keys: any master) and stores the replies in `resp`, in order.
    /// `req` and `resp` must live until completion (a request that all
    /// goes to one node and has `fail_if_not_connected` set is written from
    /// `req` itself, without a copy). Completion:
    /// `void(std::error_code)`. Errors: those of net::Client::async_exec
    /// (from any node the request went to; the replies of the other nodes
    /// are kept), timeout (opts.timeout, else the config's request_timeout,
    /// bounds the whole request, its redirections and retries included),
    /// crossslot (a command whose keys span slots: refused before sending),
    /// shutting_down. Server error replies, and redirections past
    /// max_redirects, arrive in `resp`. Not cancellable (the deadline bounds
    /// it).
    template <class Token>
    auto async_exec(const resp::Request& req, net::Response& resp, net::ExecOptions opts,
                    Token&& token) {
        return asio::async_initiate<Token, void(std::error_code)>(
            [](auto handler, Router* self, const resp::Request* r, net::Response* out,
               net::ExecOptions o) {
                auto ex = self->get_executor();
                self->start_exec(
                    *r, *out, o,
                    redstream::detail::BasicCompletion<std::error_code>(std::move(handler), ex));
            },
            token, this, &req, &resp, opts);
    }
    template <class Token>
    auto async_exec(const resp::Request& req, net::Response& resp, Token&& token) {
        return async_exec(req, resp, net::ExecOptions{}, std::forward<Token>(token));
    }
    /// As above, and after the commands each node runs, WAIT on it as
    /// `wait` says (*wait.acked gets each command's count; it must live
    /// until completion). Cluster mode only (standalone: invalid_argument).
    template <class Token>
    auto async_exec(const resp::Request& req, net::Response& resp, net::ExecOptions opts,
                    WaitReplicas wait, Token&& token) {
        return asio::async_initiate<Token, void(std::error_code)>(
            [](auto handler, Router* self, const resp::Request* r, net::Response* out,
               net::ExecOptions o, WaitReplicas w) {
                auto ex = self->get_executor();
                self->start_exec(
                    *r, *out, o,
                    redstream::detail::BasicCompletion<std::error_code>(std::move(handler), ex), w);
            },
            token, this, &req, &resp, opts, wait);
    }

    /// The slot map as last refreshed (empty standalone or before connect).
    SlotMap slot_map() const;
    /// Slot map refreshes started so far (0 standalone).
    std::uint64_t refreshes() const noexcept;
    /// Changes whenever the slot map does (0 standalone): a caller that keeps
    /// its own copy of slot_map() compares it to know when to copy again.
    std::uint64_t map_version() const noexcept;
    /// The connection of the master that serves `slot` now, made on demand
    /// (standalone: the one connection); null if no node serves it.
    std::shared_ptr<net::Client> connection_for(std::uint16_t slot);
    /// Where a command that must run on every master goes (SCAN): the
    /// masters of the slot map now, or one default HostPort standalone (the
    /// one server, as connection_to() takes it). Empty on a cluster whose
    /// map has no master yet.
    std::vector<HostPort> masters() const;
    /// The shared connection of the node at `endpoint`, made on demand
    /// (standalone: the one connection, whatever `endpoint` says).
    std::shared_ptr<net::Client> connection_to(const HostPort& endpoint);
    /// The configuration of a connection of one's own to the node at
    /// `endpoint` (for blocking reads, which must not hold a shared one):
    /// the router's, with that one node (standalone: the router's as is).
    net::ConnectionConfig node_config(const HostPort& endpoint) const;

    /// A MOVED that a connection of the caller's own got (one not the
    /// router's): the map is fixed for `slot` as the router does for its
    /// own, and a refresh may follow. Nothing standalone.
    void report_moved(std::uint16_t slot, const HostPort& endpoint);
    /// A node looks gone or demoted to the caller (its connection closed, a
    /// blocked read was UNBLOCKED by a failover, CLUSTERDOWN): the map is
    /// asked again, rate limited. Nothing standalone.
    void report_node_lost(const HostPort& endpoint);
    /// The map may be out of date although the caller's node answers (it
    /// said CLUSTERDOWN, or a failover UNBLOCKED a read on it): the map is
    /// asked again, rate limited. Nothing standalone.
    void report_stale_map();
    /// Cluster: the nodes it holds a shared connection to ("host:port"); a
    /// node the slot map no longer names loses its connection once that is
    /// down (it would reconnect forever). Empty standalone.
    std::vector<std::string> connections() const;
    /// Each shared connection it holds (standalone: the one; cluster: one
    /// per node) with its counters: the node's name ("host:port") or, when
    /// standalone, net::Client::endpoint().
    std::vector<std::pair<std::string, net::ClientStats>> connection_stats() const;

    /// Text of the last connection failure (standalone: the connection's;
    /// cluster: of the last node a refresh failed on), for messages; never
    /// contains the password.
    std::string last_error() const;

    /// Closes every connection; requests in flight fail with shutting_down.
    void close();

  private:
    void start_connect(redstream::detail::BasicCompletion<std::error_code> done);
    void start_exec(const resp::Request& req, net::Response& resp, net::ExecOptions opts,
                    redstream::detail::BasicCompletion<std::error_code> done,
                    WaitReplicas wait = {});

    std::shared_ptr<detail::RouterImpl> impl_;
};

}  // namespace redstream::cluster
