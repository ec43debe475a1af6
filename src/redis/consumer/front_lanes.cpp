// Which read lane reads which hash slot, on a Redis Cluster. A multi-key
// XREAD or XREADGROUP must not span slots, and a blocking read holds its
// connection, so each slot that keys are read in gets a lane (a connection
// of the consumer's own) on the master that serves it (or, with
// read_from_replicas, one of its replicas), up to max_connections_per_node
// per node; past that, slots share the lane with the fewest, and take turns
// (ReadLane::reads()). The plan follows the slot map: a slot whose node
// changed moves to a lane on the new one, and its
// keys carry on from where they were. (A group's keys re-read their pending
// entries only where a reply may have been lost: after a dropped connection,
// as standalone. A MOVED or UNBLOCKED reply delivered nothing, and every
// reply before it was read, so re-reading would only deliver again what the
// user still holds.) Lanes left without slots are closed.
#include <algorithm>

#include <asio/post.hpp>

#include <redstream/cluster/redirect.hpp>
#include <redstream/core/error.hpp>

#include "front.hpp"

namespace redstream::detail {
namespace {

bool is_unblocked(const resp::Value& v) {
    return v.is_error() && v.str().starts_with("UNBLOCKED");
}

}  // namespace

void ConsumerImpl::follow_map() {
    if (const auto version = router->map_version(); version != map_version_) {
        map_version_ = version;
        map_ = router->slot_map();
        replan_ = true;
        discovery_.topology_changed();
    }
    if (replan_) replan();
}

void ConsumerImpl::replan() {
    replan_ = false;
    std::set<std::uint16_t> used;
    if (realtime_)
        for (const auto& c : realtime_->state().cursors())
            used.insert(c.slot);
    else
        for (const auto& c : group_->state().cursors())
            used.insert(c.slot);
    // Slots no longer read, or read on another node now, leave their lane.
    std::set<std::uint16_t> placed;
    for (auto& lane : lanes_) {
        std::erase_if(lane->slots, [&](std::uint16_t slot) {
            const auto* reader = reader_of(slot);
            return !(used.count(slot) && reader && reader->endpoint == lane->node);
        });
        placed.insert(lane->slots.begin(), lane->slots.end());
    }
    // A slot without a master (the map lacks it for now) waits for the next.
    for (const auto slot : used) {
        if (placed.count(slot)) continue;
        if (const auto* reader = reader_of(slot)) {
            auto& lane = lane_for(*reader);
            lane.slots.insert(std::upper_bound(lane.slots.begin(), lane.slots.end(), slot), slot);
        }
    }
    // Lanes without slots go; a busy one is closed, which ends its request,
    // and goes at a later replan.
    for (auto& lane : lanes_)
        if (lane->slots.empty()) {
            lane->retry.cancel();
            lane->client->close();
        }
    std::erase_if(lanes_, [](const auto& lane) { return lane->slots.empty() && !lane->busy; });
    if (std::any_of(lanes_.begin(), lanes_.end(), [](const auto& l) { return l->slots.empty(); }))
        replan_ = true;
    lane_share = std::max<std::size_t>(
        1, options.prefetch_or_default() / std::max<std::size_t>(1, lanes_.size()));
    inbox.set_readers(lanes_.size());
    publish_lanes();
}

void ConsumerImpl::publish_lanes() {
    std::vector<std::shared_ptr<net::Client>> clients;
    for (const auto& lane : lanes_)
        clients.push_back(lane->client);
    const std::lock_guard lock(lane_clients_mutex_);
    lane_clients_.swap(clients);
}

// Where `slot` is read: its master, or with read_from_replicas one of its
// replicas (always the same one for a slot, so that its keys share a lane;
// different ones for different slots, so that the reads spread).
const cluster::NodeInfo* ConsumerImpl::reader_of(std::uint16_t slot) const {
    if (options.read_from_replicas) {
        const auto replicas = map_.replicas_of(slot);
        if (!replicas.empty()) return replicas[slot % replicas.size()];
    }
    return map_.master_of(slot);
}

// A lane on `node` for one more slot: a new one while the node has fewer
// than the cap, else the one of the node's with the fewest slots.
ReadLane& ConsumerImpl::lane_for(const cluster::NodeInfo& node) {
    ReadLane* fewest = nullptr;
    std::size_t on_node = 0;
    for (auto& lane : lanes_) {
        if (!(lane->node == node.endpoint) || lane->slots.empty())
            continue;  // closing ones excluded
        ++on_node;
        if (!fewest || lane->slots.size() < fewest->slots.size()) fewest = lane.get();
    }
    if (fewest && on_node >= options.max_connections_per_node) return *fewest;
    auto config = router->node_config(node.endpoint);
    // A replica reads only after READONLY (a master takes it too, so a
    // replica promoted later needs nothing new).
    config.readonly = options.read_from_replicas;
    auto client = std::make_shared<net::Client>(strand.get_inner_executor(), std::move(config));
    auto& lane =
        *lanes_.emplace_back(std::make_unique<ReadLane>(std::move(client), strand, node.endpoint));
    lane.all_slots = false;
    if (connected_) connect(lane);
    return lane;
}

// Cluster replies that say where (or when) to read instead; what a reader
// gets from a server that is not a cluster is its own business.
bool ConsumerImpl::rerouted(ReadLane& lane, const resp::Value& reply) {
    if (!reply.is_error() || !router->is_cluster()) return false;
    const auto code = resp::error_of(reply);
    if (code == errc::moved) {
        auto redirect = cluster::parse_redirect(reply.str());
        if (!redirect) return false;
        if (redirect->target.host.empty()) redirect->target.host = lane.node.host;
        map_.apply_moved(redirect->slot, redirect->target);
        router->report_moved(redirect->slot, redirect->target);
        replan_ = true;
        // Not at once: the caller is still on its way out of the reply.
        asio::post(strand, [self = shared_from_this()] { self->step(); });
        return true;
    }
    const bool unblocked = is_unblocked(reply);
    if (code != errc::ask && code != errc::tryagain && code != errc::clusterdown && !unblocked)
        return false;
    // A slot being migrated (ASK, TRYAGAIN) ends with a MOVED; a failover
    // (CLUSTERDOWN, UNBLOCKED of a master turned replica) with a new map.
    // The node answered, so it is not lost: every node says CLUSTERDOWN
    // while one master is down, and avoiding them all for refreshes would
    // leave the dead one to ask.
    if (code == errc::clusterdown || unblocked) router->report_stale_map();
    retry_later(lane, cluster::RouterOptions::default_retry_delay);
    return true;
}

}  // namespace redstream::detail
