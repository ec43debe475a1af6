// Admin::slot_map(): the router's SlotMap in the user-facing form.
#include "ops.hpp"

namespace redstream::detail {
namespace {

NodeAddress address_of(const cluster::NodeInfo& n) {
    return {n.endpoint.host, n.endpoint.port, n.name, n.id};
}

}  // namespace

SlotMapInfo slot_map_info(const cluster::SlotMap& map) {
    SlotMapInfo out;
    const auto& nodes = map.nodes();
    for (const auto& r : map.ranges()) {
        const auto& shard = map.shards().at(r.shard);
        SlotRangeInfo range{r.first, r.last, address_of(nodes.at(shard.master)), {}};
        for (const auto replica : shard.replicas)
            range.replicas.push_back(address_of(nodes.at(replica)));
        out.ranges.push_back(std::move(range));
    }
    return out;
}

}  // namespace redstream::detail
