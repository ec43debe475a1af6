// How to reach a server and how the connection behaves. Aggregates: every
// member has a default; build one by hand or from a URL with from_url().
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <redstream/core/url.hpp>
#include <redstream/resp/reader.hpp>

namespace redstream::net {

/// TLS settings for rediss:// connections.
struct TlsOptions {
    /// Verify the server certificate chain and host name (never turn off in production).
    bool verify_peer = true;
    /// PEM file of trusted CAs; empty uses the system's default paths.
    std::string ca_file;
    /// Directory of hashed CA certificates; empty for none.
    std::string ca_dir;
    /// PEM client certificate for mutual TLS; empty for none.
    std::string cert_file;
    /// PEM private key of the client certificate.
    std::string key_file;
    /// Server name sent in SNI and checked against the certificate; empty uses the host.
    std::string server_name;
};

/// Reconnection after a lost connection: exponential backoff with jitter.
struct ReconnectOptions {
    static constexpr std::chrono::milliseconds default_initial_delay{50};
    static constexpr std::chrono::milliseconds default_max_delay{5000};
    static constexpr double default_multiplier = 2.0;
    static constexpr double default_jitter = 0.2;

    /// Reconnect at all; when false the client stays down after a loss.
    bool enabled = true;
    /// Delay before the first retry.
    std::chrono::milliseconds initial_delay = default_initial_delay;
    /// Upper bound of the delay between retries.
    std::chrono::milliseconds max_delay = default_max_delay;
    /// Each failed attempt multiplies the delay by this.
    double multiplier = default_multiplier;
    /// Random spread, as a fraction of the delay (0.2 = +/-20%).
    double jitter = default_jitter;
};

/// Whether a connection's servers are a Redis Cluster.
enum class ClusterMode : std::uint8_t {
    detect,  ///< Ask the server at connect (a Router); a plain connection treats it as no.
    yes,     ///< Redis Cluster nodes: route by slot, refuse cross-slot commands.
    no,      ///< A standalone server (or a proxy that routes for us).
};

struct ConnectionConfig {
    static constexpr std::chrono::milliseconds default_connect_timeout{5000};
    static constexpr std::chrono::milliseconds default_request_timeout{10'000};
    static constexpr std::chrono::milliseconds default_health_check_interval{2000};
    static constexpr std::size_t default_max_write_batch = 1024 * 1024;
    static constexpr std::size_t default_max_pending_requests = 256 * 1024;

    /// tcp, tls or unix.
    Transport transport = Transport::tcp;
    /// Server addresses; the first reachable one is used. Default: localhost.
    std::vector<HostPort> nodes = default_nodes();
    /// Socket file for Transport::unix.
    std::string socket_path;
    /// ACL user name; empty authenticates as `default` when a password is set.
    std::string username;
    /// Password for AUTH / HELLO AUTH; empty sends no AUTH. Never logged.
    std::string password;
    /// Database to SELECT after connecting (0 sends nothing).
    int db = 0;
    /// CLIENT SETNAME value; empty sends nothing.
    std::string client_name;
    /// RESP version to ask for: 3 (HELLO 3, falls back to 2 if refused) or 2.
    int protocol = 3;
    /// Whether the servers are Redis Cluster nodes (`?cluster=yes|no`). A
    /// cluster::Router (and so a Streamer) in detect mode asks the first
    /// server once, at connect (INFO cluster: cluster_enabled). On a
    /// connection with `yes`, a request with a command whose keys span hash
    /// slots fails with errc::crossslot before it is sent.
    ClusterMode cluster = ClusterMode::detect;
    /// Send READONLY after connecting: a Redis Cluster replica then serves
    /// reads of its master's slots instead of answering MOVED (a consumer's
    /// read_from_replicas). Not from a URL. A server that is not a cluster
    /// node refuses it, and the connect fails.
    bool readonly = false;
    /// TLS settings, used when transport is tls.
    TlsOptions tls;
    /// Deadline for resolve + connect + TLS + handshake (including waiting
    /// for a server that is still loading its data).
    std::chrono::milliseconds connect_timeout = default_connect_timeout;
    /// Default per-request deadline, queueing during a reconnect included;
    /// requests may set their own. 0 means none. A request that times out
    /// after it was written closes its connection (the replies behind it can
    /// no longer be matched for sure), which then reconnects.
    std::chrono::milliseconds request_timeout = default_request_timeout;
    /// Liveness of the connection. Idle: a PING after this much silence, which
    /// must answer within the same interval. Busy: when nothing at all arrives
    /// for this long while a reply is due (a blocking read's BLOCK time is not
    /// counted), the connection is declared dead, closed and reconnected. A
    /// command the server takes longer than this to answer (a long script)
    /// reads as a stall too: raise it for such workloads. 0 disables both.
    std::chrono::milliseconds health_check_interval = default_health_check_interval;
    /// Reconnection policy.
    ReconnectOptions reconnect;
    /// Parser limits.
    resp::ReaderLimits reader_limits;
    /// Most bytes gathered into one socket write.
    std::size_t max_write_batch = default_max_write_batch;
    /// Most requests queued or in flight; beyond it a request fails with queue_full.
    std::size_t max_pending_requests = default_max_pending_requests;

    /// `127.0.0.1:6379`. (A function rather than a brace initializer: g++ 12
    /// rejects nested braces here when the config is built from `{}`.)
    static std::vector<HostPort> default_nodes();

    /// Fills transport, nodes, socket path, credentials, db, client name,
    /// protocol, timeouts and cluster mode from a parsed URL; everything else
    /// stays default.
    static ConnectionConfig from_url(const StreamUrl& url);
    /// Parses and applies a URL; throws `redstream::Error` (errc::invalid_url).
    static ConnectionConfig from_url(std::string_view url);
    /// Applies what a URL says (transport, nodes or socket, credentials, db,
    /// client name, protocol, timeouts, cluster mode) over this config; the
    /// rest stays.
    void apply_url(const StreamUrl& url);
};

}  // namespace redstream::net
