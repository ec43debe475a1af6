// A TCP proxy that tests put between a client and a redis-server to break the
// network on demand: stall, drip, inject garbage, reset, or drop new connects
// (SYN blackhole), each direction on its own. It runs on its own thread with
// plain sockets and poll(), independent of the library under test, and is
// steered from the test thread at any time.
//
// Memory is bounded: a direction holds at most max_buffered bytes read and
// not yet written (plus injected bytes); beyond that it stops reading, so the
// sender's kernel buffers fill as they would behind a real slow link.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace redstream::test {

namespace detail {
struct ProxyCommands;
class ProxyLoop;
}  // namespace detail

/// One way of a proxied connection.
enum class Direction {
    upstream,    ///< client -> server (requests)
    downstream,  ///< server -> client (replies)
};

/// What the proxy does with one direction's bytes.
struct ProxyMode {
    enum class Kind { pass, stall, drip };
    Kind kind = Kind::pass;
    /// drip: most bytes written per interval.
    std::size_t drip_bytes = 0;
    /// drip: the interval.
    std::chrono::milliseconds drip_interval{0};

    /// Forward everything at once (the default).
    static ProxyMode pass() { return {}; }
    /// Forward nothing and read nothing, keeping both connections open.
    static ProxyMode stall() { return {Kind::stall, 0, {}}; }
    /// Forward at most `bytes` every `interval`.
    static ProxyMode drip(std::size_t bytes, std::chrono::milliseconds interval) {
        return {Kind::drip, bytes, interval};
    }
};

/// Who ended a proxied connection.
enum class Closer { none, client, server, proxy };

/// What the proxy has seen, for asserts. Connections are numbered in the
/// order they were accepted.
struct ProxyStats {
    std::uint64_t accepted = 0;          ///< Connections accepted so far.
    std::uint64_t live = 0;              ///< Connections open now.
    std::uint64_t closed_by_client = 0;  ///< Ended by the client (FIN or RST).
    std::uint64_t closed_by_server = 0;  ///< Ended by the server (or it refused the proxy).
    std::uint64_t closed_by_proxy = 0;   ///< Ended by reset().
    std::uint64_t upstream_bytes = 0;    ///< Written to servers, injected bytes included.
    std::uint64_t downstream_bytes = 0;  ///< Written to clients, injected bytes included.
    /// Per accepted connection: who closed it (Closer::none while open).
    std::vector<Closer> closed_by{};
};

class FaultProxy {
  public:
    static constexpr std::size_t max_buffered = 64 * 1024;

    /// Listens on a free loopback port and forwards every connection to
    /// 127.0.0.1:`target_port`. Throws std::system_error.
    explicit FaultProxy(std::uint16_t target_port);
    /// Stops the thread and closes every socket (also after a failed test).
    ~FaultProxy();
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    /// The port clients connect to.
    std::uint16_t port() const noexcept { return port_; }
    /// "<scheme>://127.0.0.1:<port>".
    std::string url(std::string_view scheme = "redis") const;

    // Every control call returns once the proxy thread has applied it: after
    // set_mode(stall) returns, not one more byte is forwarded. They apply to
    // current and later connections. Throws std::runtime_error if the proxy
    // thread failed.

    /// Sets one direction's mode.
    void set_mode(Direction d, ProxyMode mode);
    /// Sets both directions' mode.
    void set_mode(ProxyMode mode);
    /// Appends `bytes` once to direction `d` of every live connection: they
    /// go out after what it already holds, as soon as its mode lets it write.
    void inject(Direction d, std::string bytes);
    /// Closes every live connection with an RST to both client and server.
    void reset();
    /// On: new connects to port() never complete (SYNs dropped; see
    /// SynBlackhole); live connections carry on. Off: accepts again.
    void set_blackhole(bool on);

    /// The counters, including everything the proxy did before the call.
    ProxyStats stats() const;
    /// Waits until `pred(stats)` holds; false if `timeout` passed first.
    bool wait_until(const std::function<bool(const ProxyStats&)>& pred,
                    std::chrono::milliseconds timeout) const;
    /// Waits until at least `n` connections have been closed by their client.
    bool wait_client_closed(std::uint64_t n, std::chrono::milliseconds timeout) const;

  private:
    void control(const std::function<void(detail::ProxyCommands&)>& change);
    void await_round(std::unique_lock<std::mutex>& lock) const;
    void run() noexcept;

    std::unique_ptr<detail::ProxyLoop> loop_;  // used by the thread only, once started
    std::uint16_t port_ = 0;
    int wake_fd_ = -1;  // the loop's
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::unique_ptr<detail::ProxyCommands> commands_;  // guarded by mutex_
    ProxyStats stats_;                                 // guarded by mutex_
    std::string failure_;                              // guarded by mutex_: why the thread stopped
    std::thread thread_;
};

}  // namespace redstream::test
