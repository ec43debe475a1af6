// When to refresh the slot map: a sans-I/O state machine. The driver (the
// cluster router) feeds it events with the current time and does what the
// returned action says: send CLUSTER SLOTS to a node, and re-arm its one
// timer. No clock, no socket and no thread inside, so every decision can be
// stepped through in a unit test.
//
// Refreshes are
// - triggered by a MOVED the map disagrees with, by a lost connection to a
//   node the map names, and by a periodic timer;
// - deduplicated: at most one in flight; events during it are remembered and
//   cause one more refresh afterwards only if the new map still disagrees;
// - rate-limited: two refreshes start at least min_refresh_interval apart,
//   and failures back off (doubling, up to refresh_interval).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include <redstream/cluster/slot_map.hpp>
#include <redstream/core/url.hpp>

namespace redstream::cluster::detail {

using TimePoint = std::chrono::steady_clock::time_point;

struct TopologyOptions {
    static constexpr std::chrono::milliseconds default_refresh_interval{10'000};
    static constexpr std::chrono::milliseconds default_min_refresh_interval{200};
    static constexpr std::size_t default_max_remembered_events = 64;

    /// Periodic refresh: this long after the previous one started, even if
    /// nothing asked for one (catches changes no reply of ours revealed).
    std::chrono::milliseconds refresh_interval = default_refresh_interval;
    /// Least time between the starts of two refreshes, so that a burst of
    /// MOVED replies (a whole pipeline of them) costs one or two refreshes.
    /// Also the first retry delay after a failed refresh.
    std::chrono::milliseconds min_refresh_interval = default_min_refresh_interval;
    /// MOVED and lost-node events remembered during a refresh; beyond this
    /// many, one more refresh follows without checking them.
    std::size_t max_remembered_events = default_max_remembered_events;
};

/// What the driver does after an event.
struct TopologyAction {
    enum class Kind : std::uint8_t {
        none,     ///< Nothing now (none needed, or one is in flight or waits for the rate limit).
        refresh,  ///< Send CLUSTER SLOTS to `target`; report refresh_done() or refresh_failed().
    };
    Kind kind = Kind::none;
    /// With refresh: the node to ask.
    HostPort target{};
    /// When to call timer_due() next. Always set: the driver keeps one timer
    /// and re-arms it with this after every event (TimePoint::max() before
    /// start(): nothing to time yet).
    TimePoint next_timer{};
};

class Topology {
  public:
    /// `seeds` are asked, in turn, until a first map arrives (the URL's hosts).
    explicit Topology(std::vector<HostPort> seeds, TopologyOptions options = {});

    /// The first refresh, against the first seed (or none without seeds).
    TopologyAction start(TimePoint now);
    /// A node answered MOVED: applied to the map at once (SlotMap::apply_moved)
    /// so the next command for the slot goes to the right node, and a refresh
    /// follows unless the map already said so. The caller resolves an empty
    /// host first.
    TopologyAction moved(std::uint16_t slot, const HostPort& endpoint, TimePoint now);
    /// The connection to a node dropped: refresh if the map names it (it may
    /// have failed over). It is not asked for the map until a refresh
    /// succeeds without it, unless no other node is left to ask.
    TopologyAction node_lost(const HostPort& endpoint, TimePoint now);
    /// The map may be out of date although no node is gone: a node answered
    /// CLUSTERDOWN, or a failover UNBLOCKED a read. A refresh follows (rate
    /// limited; after the one in flight, if any), and no node is avoided.
    TopologyAction stale(TimePoint now);
    /// The timer armed with the last action's next_timer fired.
    TopologyAction timer_due(TimePoint now);
    /// The refresh in flight returned a map; it replaces the current one.
    TopologyAction refresh_done(SlotMap map, TimePoint now);
    /// The refresh in flight failed (connect error, timeout, error reply,
    /// malformed reply); the next node is tried after a backoff.
    TopologyAction refresh_failed(std::error_code ec, TimePoint now);

    /// True once a refresh has returned a map.
    bool has_map() const noexcept { return has_map_; }
    /// The current map (empty until has_map()).
    const SlotMap& map() const noexcept { return map_; }
    /// True while a refresh is in flight.
    bool refreshing() const noexcept { return in_flight_; }
    /// Refreshes started so far.
    std::uint64_t refreshes_started() const noexcept { return started_; }
    /// Refreshes failed in a row (0 after a success).
    unsigned consecutive_failures() const noexcept { return failures_; }
    /// Why the last refresh failed (cleared by a success).
    std::error_code last_error() const noexcept { return last_error_; }

  private:
    struct MovedEvent {
        std::uint16_t slot;
        HostPort endpoint;
    };

    TopologyAction request(TimePoint now);
    TopologyAction begin(TimePoint now);
    TopologyAction idle() const;
    TimePoint earliest_start() const;
    std::vector<HostPort> candidates() const;
    bool is_lost(const HostPort& endpoint) const;
    bool remember();

    std::vector<HostPort> seeds_;
    TopologyOptions options_;
    SlotMap map_;
    bool has_map_ = false;

    bool in_flight_ = false;
    bool wanted_ = false;  // a refresh is owed once the rate limit allows
    bool started_once_ = false;
    TimePoint last_start_{};
    TimePoint next_periodic_{};
    std::uint64_t started_ = 0;
    std::size_t cursor_ = 0;  // next candidate to ask
    HostPort target_{};       // the node the refresh in flight asks
    unsigned failures_ = 0;
    std::error_code last_error_;

    // Events during the refresh in flight, checked against its map.
    std::vector<MovedEvent> moved_during_;
    std::vector<std::string> lost_during_;  // endpoint names
    bool stale_during_ = false;
    bool overflowed_ = false;
    // Nodes whose connection dropped or whose refresh failed: not asked
    // while another node can be, until one answers a refresh again.
    std::vector<std::string> lost_;
};

}  // namespace redstream::cluster::detail
