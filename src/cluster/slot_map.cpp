#include <redstream/cluster/slot_map.hpp>

#include <algorithm>

#include <redstream/cluster/endpoint.hpp>
#include <redstream/core/error.hpp>

namespace redstream::cluster {

namespace {

using resp::Type;
using resp::Value;

bool is_array(const Value& v) noexcept {
    return v.valid() && v.type() == Type::array;
}

std::optional<std::uint16_t> to_slot(const Value& v) noexcept {
    if (v.type() != Type::integer) return std::nullopt;
    const auto n = v.to_int();
    if (!n || *n < 0 || *n >= slot_count) return std::nullopt;
    return static_cast<std::uint16_t>(*n);
}

// One `[host, port, id, metadata]` entry, read but not yet added.
struct NodeEntry {
    HostPort endpoint;
    std::string_view id;
    std::string_view hostname;
    std::string_view ip;
};

bool read_metadata(const Value& v, NodeEntry& out) {
    // RESP3 sends a map; RESP2 a flat array of key, value.
    if (!v.valid() || (v.type() != Type::map && v.type() != Type::array) || v.size() % 2 != 0) {
        return false;
    }
    for (auto it = v.begin(); it != v.end();) {
        const Value key = *it++;
        const Value value = *it++;
        if (!key.is_string()) return false;
        if (!value.is_string()) continue;  // a kind of metadata we do not read
        if (key.str() == "hostname") out.hostname = value.str();
        if (key.str() == "ip") out.ip = value.str();
    }
    return true;
}

bool read_node(const Value& v, std::string_view reply_host, NodeEntry& out) {
    if (!is_array(v) || v.size() < 2) return false;
    auto it = v.begin();
    const Value host = *it++;
    const Value port = *it++;
    if (host.is_null()) {
        out.endpoint.host = std::string(reply_host);
    } else if (host.is_string()) {
        const auto text = host.str();
        out.endpoint.host = std::string(text.empty() || text == "?" ? reply_host : text);
    } else {
        return false;
    }
    if (port.type() != Type::integer) return false;
    const auto number = port.to_int();
    if (!number || *number < 1 || *number > 65535) return false;
    out.endpoint.port = static_cast<std::uint16_t>(*number);
    if (v.size() >= 3) {
        const Value id = *it++;
        if (!id.is_string()) return false;
        out.id = id.str();
    }
    if (v.size() >= 4 && !read_metadata(*it, out)) return false;
    return true;
}

}  // namespace

SlotMap::SlotMap() : slot_shard_(slot_count, no_shard) {}

std::size_t SlotMap::add_node(HostPort endpoint, std::string_view id) {
    auto name = endpoint_name(endpoint);
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        if (nodes_[i].name == name) {
            if (nodes_[i].id.empty()) nodes_[i].id = std::string(id);
            return i;
        }
    }
    nodes_.push_back(NodeInfo{std::move(endpoint), std::move(name), std::string(id), {}, {}});
    return nodes_.size() - 1;
}

std::size_t SlotMap::shard_for_master(std::size_t node) {
    for (std::size_t i = 0; i < shards_.size(); ++i) {
        if (shards_[i].master == node) return i;
    }
    shards_.push_back(Shard{node, {}});
    shard_slots_.push_back(0);
    return shards_.size() - 1;
}

SlotMap SlotMap::from_cluster_slots(const resp::Value& reply, std::error_code& ec,
                                    std::string_view reply_host) {
    SlotMap map;
    const auto fail = [&ec](errc code) {
        ec = make_error_code(code);
        return SlotMap();
    };
    if (!reply.valid()) return fail(errc::unexpected_reply);
    if (reply.is_error()) {
        ec = resp::error_of(reply);
        return SlotMap();
    }
    if (!is_array(reply)) return fail(errc::unexpected_reply);

    for (const Value range : reply) {
        if (!is_array(range) || range.size() < 3) return fail(errc::unexpected_reply);
        auto it = range.begin();
        const auto first = to_slot(*it++);
        const auto last = to_slot(*it++);
        if (!first || !last || *first > *last) return fail(errc::unexpected_reply);

        std::size_t shard = 0;
        for (std::size_t i = 2; i < range.size(); ++i, ++it) {
            NodeEntry entry;
            if (!read_node(*it, reply_host, entry)) return fail(errc::unexpected_reply);
            const auto node = map.add_node(std::move(entry.endpoint), entry.id);
            if (map.nodes_[node].hostname.empty()) map.nodes_[node].hostname = entry.hostname;
            if (map.nodes_[node].ip.empty()) map.nodes_[node].ip = entry.ip;
            if (i == 2) {
                shard = map.shard_for_master(node);
                continue;
            }
            // A master with several ranges is listed once per range; its
            // replicas are the union of what the ranges say.
            auto& replicas = map.shards_[shard].replicas;
            if (node != map.shards_[shard].master &&
                std::find(replicas.begin(), replicas.end(), node) == replicas.end()) {
                replicas.push_back(node);
            }
        }
        if (map.shards_.size() > no_shard) return fail(errc::unexpected_reply);
        for (unsigned slot = *first; slot <= *last; ++slot) {
            // Two ranges claiming one slot: no answer for that slot is right.
            if (map.slot_shard_[slot] != no_shard) return fail(errc::unexpected_reply);
            map.slot_shard_[slot] = static_cast<std::uint16_t>(shard);
        }
        map.shard_slots_[shard] += *last - *first + 1u;
        map.covered_ += *last - *first + 1u;
    }
    ec.clear();
    return map;
}

const Shard* SlotMap::shard_of(std::uint16_t slot) const noexcept {
    if (slot >= slot_count || slot_shard_[slot] == no_shard) return nullptr;
    return &shards_[slot_shard_[slot]];
}

const NodeInfo* SlotMap::master_of(std::uint16_t slot) const noexcept {
    const auto* shard = shard_of(slot);
    return shard ? &nodes_[shard->master] : nullptr;
}

std::vector<const NodeInfo*> SlotMap::replicas_of(std::uint16_t slot) const {
    std::vector<const NodeInfo*> out;
    if (const auto* shard = shard_of(slot)) {
        out.reserve(shard->replicas.size());
        for (const auto index : shard->replicas)
            out.push_back(&nodes_[index]);
    }
    return out;
}

bool SlotMap::is_owner(std::uint16_t slot, const HostPort& endpoint) const {
    const auto* master = master_of(slot);
    return master != nullptr && master->name == endpoint_name(endpoint);
}

std::vector<const NodeInfo*> SlotMap::masters() const {
    std::vector<const NodeInfo*> out;
    for (std::size_t i = 0; i < shards_.size(); ++i) {
        if (shard_slots_[i] > 0) out.push_back(&nodes_[shards_[i].master]);
    }
    return out;
}

const NodeInfo* SlotMap::find(std::string_view name) const noexcept {
    for (const auto& node : nodes_) {
        if (node.name == name) return &node;
    }
    return nullptr;
}

std::vector<SlotRange> SlotMap::ranges() const {
    std::vector<SlotRange> out;
    for (unsigned slot = 0; slot < slot_count; ++slot) {
        const auto shard = slot_shard_[slot];
        if (shard == no_shard) continue;
        if (!out.empty() && out.back().shard == shard && out.back().last + 1u == slot) {
            out.back().last = static_cast<std::uint16_t>(slot);
        } else {
            out.push_back(SlotRange{static_cast<std::uint16_t>(slot),
                                    static_cast<std::uint16_t>(slot), shard});
        }
    }
    return out;
}

bool SlotMap::apply_moved(std::uint16_t slot, const HostPort& endpoint) {
    if (slot >= slot_count || is_owner(slot, endpoint)) return false;
    // A node listed only as a replica becomes a master of its own shard here
    // (a failover): its replicas are unknown until the next refresh.
    const auto shard = shard_for_master(add_node(endpoint, {}));
    if (shard >= no_shard) return false;
    auto& current = slot_shard_[slot];
    if (current == no_shard) {
        ++covered_;
    } else {
        --shard_slots_[current];
    }
    current = static_cast<std::uint16_t>(shard);
    ++shard_slots_[shard];
    return true;
}

}  // namespace redstream::cluster
