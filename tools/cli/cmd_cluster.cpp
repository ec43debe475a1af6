// `redstream cluster slots`: the slot map the tool routes by (refreshed as
// the library does) and its nodes: each master with its slot ranges and
// replicas. On a standalone server there is none, which it says (exit 0).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "admin_util.hpp"
#include "cli.hpp"
#include "table.hpp"

namespace redstream::cli {

namespace {

constexpr unsigned slot_count = 16384;

// A master and what it serves, in slot order of its first range.
struct MasterSlots {
    NodeAddress node;
    std::vector<const SlotRangeInfo*> ranges;
    std::vector<NodeAddress> replicas;
    unsigned slots = 0;
};

std::vector<MasterSlots> by_master(const SlotMapInfo& map) {
    std::vector<MasterSlots> out;
    for (const auto& r : map.ranges) {
        auto at = std::find_if(out.begin(), out.end(),
                               [&](const MasterSlots& m) { return m.node.name == r.master.name; });
        if (at == out.end()) at = out.insert(out.end(), MasterSlots{r.master, {}, r.replicas, 0});
        at->ranges.push_back(&r);
        at->slots += static_cast<unsigned>(r.last - r.first) + 1;
        for (const auto& rep : r.replicas)
            if (std::none_of(at->replicas.begin(), at->replicas.end(),
                             [&](const NodeAddress& n) { return n.name == rep.name; }))
                at->replicas.push_back(rep);
    }
    return out;
}

Json node_json(const NodeAddress& n) {
    return {{"node", n.name},
            {"host", n.host},
            {"port", n.port},
            {"id", n.id.empty() ? Json(nullptr) : Json(n.id)}};
}

void print_json(const std::vector<MasterSlots>& masters) {
    for (const auto& m : masters) {
        Json j = node_json(m.node);
        j["role"] = "master";
        j["slots"] = Json::array();
        for (const auto* r : m.ranges)
            j["slots"].push_back({r->first, r->last});
        j["slot_count"] = m.slots;
        j["replicas"] = Json::array();
        for (const auto& rep : m.replicas)
            j["replicas"].push_back(node_json(rep));
        print_json_line(j);
    }
}

std::string names(const std::vector<NodeAddress>& nodes) {
    std::string out;
    for (const auto& n : nodes)
        out += (out.empty() ? "" : ", ") + n.name;
    return out.empty() ? "-" : out;
}

void print_tables(const SlotMapInfo& map, const std::vector<MasterSlots>& masters) {
    Table ranges({"SLOTS", "COUNT", "MASTER", "REPLICAS"});
    ranges.align(1, Table::Align::right);
    for (const auto& r : map.ranges)
        ranges.add_row({std::to_string(r.first) + "-" + std::to_string(r.last),
                        std::to_string(static_cast<unsigned>(r.last - r.first) + 1), r.master.name,
                        names(r.replicas)});
    ranges.print();
    std::printf("\n");
    Table nodes({"NODE", "ROLE", "SLOTS", "ID"});
    nodes.align(2, Table::Align::right);
    std::size_t replicas = 0;
    unsigned served = 0;
    for (const auto& m : masters) {
        nodes.add_row({m.node.name, "master", std::to_string(m.slots), m.node.id});
        for (const auto& rep : m.replicas)
            nodes.add_row({rep.name, "replica of " + m.node.name, "", rep.id});
        replicas += m.replicas.size();
        served += m.slots;
    }
    nodes.print();
    std::printf("%zu master(s), %zu replica(s); %u of %u slots served\n", masters.size(), replicas,
                served, slot_count);
}

int run_slots(Context& ctx) {
    const auto admin = ctx.admin();
    if (!admin.is_cluster()) {
        if (ctx.json_output())
            print_json_line({{"cluster", false}});
        else
            std::printf("not a cluster: the server is standalone, so it has no slot map\n");
        return exit_ok;
    }
    const auto map = admin.slot_map();
    const auto masters = by_master(map);
    if (ctx.json_output())
        print_json(masters);
    else
        print_tables(map, masters);
    return exit_ok;
}

}  // namespace

void add_cluster(CLI::App& app, Context& ctx) {
    auto* sub = app.add_subcommand("cluster", "The Redis Cluster: cluster slots");
    sub->require_subcommand(1);
    auto* slots = sub->add_subcommand(
        "slots", "The slot map: each range of slots with its master and replicas, and the nodes");
    slots->callback([&ctx] { ctx.run = [&ctx] { return run_slots(ctx); }; });
}

}  // namespace redstream::cli
