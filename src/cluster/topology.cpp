#include <redstream/cluster/detail/topology.hpp>

#include <algorithm>

#include <redstream/cluster/endpoint.hpp>

namespace redstream::cluster::detail {

namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

Topology::Topology(std::vector<HostPort> seeds, TopologyOptions options)
    : seeds_(std::move(seeds)), options_(options) {}

TopologyAction Topology::start(TimePoint now) {
    if (started_once_ || in_flight_) return idle();
    return begin(now);
}

TimePoint Topology::earliest_start() const {
    if (!started_once_) return TimePoint::min();
    // Failures in a row double the gap, up to the periodic interval: a
    // cluster that is down is not asked five times a second forever.
    const auto cap = std::max(options_.refresh_interval, options_.min_refresh_interval);
    auto gap = options_.min_refresh_interval;
    for (unsigned i = 1; i < failures_ && gap < cap; ++i)
        gap *= 2;
    return last_start_ + std::min(gap, cap);
}

TopologyAction Topology::idle() const {
    TopologyAction action;
    if (!started_once_) {
        action.next_timer = TimePoint::max();  // nothing to time before start()
    } else if (wanted_ && !in_flight_) {
        action.next_timer = std::min(earliest_start(), next_periodic_);
    } else {
        action.next_timer = next_periodic_;
    }
    return action;
}

TopologyAction Topology::request(TimePoint now) {
    if (in_flight_) return idle();
    if (now >= earliest_start()) return begin(now);
    wanted_ = true;
    return idle();
}

std::vector<HostPort> Topology::candidates() const {
    std::vector<HostPort> out;
    std::vector<std::string> names;
    const auto add = [&](const HostPort& endpoint) {
        auto name = endpoint_name(endpoint);
        if (contains(names, name)) return;
        names.push_back(std::move(name));
        out.push_back(endpoint);
    };
    // The nodes the map knows (any of them can answer CLUSTER SLOTS), then
    // the seeds: a map whose every node is gone can still be found again
    // through them.
    if (has_map_) {
        for (const auto& node : map_.nodes())
            add(node.endpoint);
    }
    for (const auto& seed : seeds_)
        add(seed);
    return out;
}

bool Topology::is_lost(const HostPort& endpoint) const {
    return contains(lost_, endpoint_name(endpoint));
}

TopologyAction Topology::begin(TimePoint now) {
    const auto nodes = candidates();
    if (nodes.empty()) {
        wanted_ = false;
        return idle();
    }
    // The next node in turn that is not known to be lost; if every one is,
    // the next in turn anyway (one of them may be back).
    std::size_t pick = cursor_ % nodes.size();
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const auto index = (cursor_ + i) % nodes.size();
        if (!is_lost(nodes[index])) {
            pick = index;
            break;
        }
    }
    cursor_ = pick + 1;
    target_ = nodes[pick];
    in_flight_ = true;
    wanted_ = false;
    started_once_ = true;
    last_start_ = now;
    next_periodic_ = now + options_.refresh_interval;
    ++started_;
    TopologyAction action;
    action.kind = TopologyAction::Kind::refresh;
    action.target = nodes[pick];
    action.next_timer = next_periodic_;
    return action;
}

// Room for one more event of the refresh in flight; false (and one more
// refresh owed) when the list is full.
bool Topology::remember() {
    if (overflowed_) return false;
    if (moved_during_.size() + lost_during_.size() >= options_.max_remembered_events) {
        overflowed_ = true;
        return false;
    }
    return true;
}

TopologyAction Topology::moved(std::uint16_t slot, const HostPort& endpoint, TimePoint now) {
    if (has_map_) {
        // Already so: a reply to a command sent before the map was fixed.
        if (!map_.apply_moved(slot, endpoint) && !in_flight_) return idle();
    }
    if (in_flight_) {
        // The refresh in flight may or may not have seen this move yet.
        if (remember()) moved_during_.push_back(MovedEvent{slot, endpoint});
        return idle();
    }
    return request(now);
}

TopologyAction Topology::node_lost(const HostPort& endpoint, TimePoint now) {
    auto name = endpoint_name(endpoint);
    const bool known = has_map_ && map_.find(name) != nullptr;
    if (!contains(lost_, name)) lost_.push_back(name);
    if (in_flight_) {
        if (remember()) lost_during_.push_back(std::move(name));
        return idle();
    }
    if (!known) return idle();
    return request(now);
}

TopologyAction Topology::stale(TimePoint now) {
    if (in_flight_) {
        stale_during_ = true;  // the refresh in flight may have asked before the change
        return idle();
    }
    return request(now);
}

TopologyAction Topology::timer_due(TimePoint now) {
    if (in_flight_) return idle();
    if (wanted_ && now >= earliest_start()) return begin(now);
    if (started_once_ && now >= next_periodic_) return begin(now);
    return idle();
}

TopologyAction Topology::refresh_done(SlotMap map, TimePoint now) {
    if (!in_flight_) return idle();
    in_flight_ = false;
    failures_ = 0;
    last_error_.clear();

    bool again = overflowed_ || stale_during_;
    for (const auto& event : moved_during_) {
        if (!map.is_owner(event.slot, event.endpoint)) again = true;
    }
    for (const auto& name : lost_during_) {
        // Still named as a node: its failover may not have shown yet.
        if (map.find(name) != nullptr) again = true;
    }
    moved_during_.clear();
    lost_during_.clear();
    stale_during_ = false;
    overflowed_ = false;
    // A lost node the new map no longer names is forgotten; one it still
    // names stays avoided as a target until it is gone from the map.
    std::erase_if(lost_, [&map](const std::string& name) { return map.find(name) == nullptr; });
    // The node that answered is not lost (whatever made it look so).
    std::erase(lost_, endpoint_name(target_));

    map_ = std::move(map);
    has_map_ = true;
    if (again) return request(now);
    return idle();
}

TopologyAction Topology::refresh_failed(std::error_code ec, TimePoint now) {
    if (!in_flight_) return idle();
    in_flight_ = false;
    ++failures_;
    last_error_ = ec;
    // The node that failed to answer is asked again only after the others.
    auto name = endpoint_name(target_);
    if (!contains(lost_, name)) lost_.push_back(std::move(name));
    return request(now);
}

}  // namespace redstream::cluster::detail
