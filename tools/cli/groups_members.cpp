// `redstream groups members STREAM GROUP`: the group's members over every
// key that has the group (XINFO CONSUMERS of each): pending entries summed,
// and the most recent activity (the smallest idle time of any key).
#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <redstream/commands/xinfo.hpp>
#include <redstream/core/error.hpp>

#include "admin_util.hpp"
#include "groups.hpp"
#include "router_client.hpp"
#include "table.hpp"

namespace redstream::cli {

namespace {

using std::chrono::milliseconds;

// A member on one key.
struct KeyMember {
    const ShardInfo* key = nullptr;
    std::uint64_t pending = 0;
    milliseconds idle{0};
    std::optional<milliseconds> inactive{};
};

struct Member {
    std::string name;
    std::uint64_t pending = 0;
    milliseconds idle{0};
    std::optional<milliseconds> inactive{};
    std::vector<KeyMember> keys{};
};

void add(std::vector<Member>& members, std::string name, const KeyMember& km) {
    auto at = std::find_if(members.begin(), members.end(),
                           [&](const Member& m) { return m.name == name; });
    if (at == members.end()) {
        at = members.insert(members.end(), Member{.name = std::move(name), .idle = km.idle});
        at->inactive = km.inactive;
    }
    at->pending += km.pending;
    at->idle = std::min(at->idle, km.idle);
    if (km.inactive && (!at->inactive || *km.inactive < *at->inactive)) at->inactive = km.inactive;
    at->keys.push_back(km);
}

std::vector<Member> look_up(RouterClient& link, const std::vector<KeyGroup>& keys,
                            const std::string& group) {
    resp::Request req;
    for (const auto& kg : keys)
        commands::xinfo_consumers(req, kg.key->key, group);
    const auto replies = link.exec(req);
    std::vector<Member> members;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        std::error_code ec;
        const auto list = commands::decode_xinfo_consumers(replies[i].root(), ec);
        if (ec == errc::nogroup) continue;  // deleted meanwhile
        if (ec) throw Error(ec, "XINFO CONSUMERS " + keys[i].key->key);
        for (const auto& c : list)
            add(members, std::string(c.name), {keys[i].key, c.pending, c.idle, c.inactive});
    }
    std::sort(members.begin(), members.end(),
              [](const Member& a, const Member& b) { return a.name < b.name; });
    return members;
}

Json ms_json(const std::optional<milliseconds>& d) {
    return d ? Json(d->count()) : Json(nullptr);
}

void print_json(const std::vector<Member>& members, const GroupArgs& args) {
    for (const auto& m : members) {
        Json j{{"stream", text_value(args.stream)}, {"group", text_value(args.group)},
               {"member", text_value(m.name)},      {"pending", m.pending},
               {"idle_ms", m.idle.count()},         {"inactive_ms", ms_json(m.inactive)}};
        if (args.verbose) {
            j["keys"] = Json::array();
            for (const auto& k : m.keys)
                j["keys"].push_back({{"key", text_value(k.key->key)},
                                     {"shard", k.key->shard.value},
                                     {"pending", k.pending},
                                     {"idle_ms", k.idle.count()},
                                     {"inactive_ms", ms_json(k.inactive)}});
        }
        print_json_line(j);
    }
}

std::string ms_text(const std::optional<milliseconds>& d) {
    return d ? format_duration(*d) : "-";
}

void print_table(const std::vector<Member>& members, bool verbose) {
    Table table({"MEMBER", "PENDING", "IDLE", "INACTIVE"});
    table.align(1, Table::Align::right).align(2, Table::Align::right);
    table.align(3, Table::Align::right);
    for (const auto& m : members) {
        table.add_row({printable(m.name), std::to_string(m.pending), format_duration(m.idle),
                       ms_text(m.inactive)});
        for (std::size_t i = 0; verbose && i < m.keys.size(); ++i)
            table.add_row({"  " + printable(m.keys[i].key->key), std::to_string(m.keys[i].pending),
                           format_duration(m.keys[i].idle), ms_text(m.keys[i].inactive)});
    }
    table.print();
}

}  // namespace

int run_groups_members(Context& ctx, const GroupArgs& args) {
    const auto info = ctx.admin().stream_info(stream_arg(args.stream));
    const auto keys = keys_with_group(info, args.group);
    RouterClient link(ctx);
    const auto members = look_up(link, keys, args.group);
    if (ctx.json_output())
        print_json(members, args);
    else if (members.empty())
        std::printf("group %s has no members\n", printable(args.group).c_str());
    else
        print_table(members, args.verbose);
    return exit_ok;
}

}  // namespace redstream::cli
