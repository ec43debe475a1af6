// `redstream groups seek STREAM GROUP --to POS [--dry-run]`: moves a group on
// every key of the stream (XGROUP SETID through Admin::set_group_id). It
// first shows, per key, where the group is and where it goes, and how many
// entries that re-delivers (moving back) or skips (moving forward): from
// the group's lag when the move goes to an end of the key, else counted on
// the server up to count_cap. --dry-run stops there.
#include <optional>
#include <string>
#include <vector>

#include <redstream/commands/types.hpp>
#include <redstream/core/error.hpp>

#include "admin_util.hpp"
#include "groups.hpp"
#include "router_client.hpp"
#include "table.hpp"

namespace redstream::cli {

namespace {

// Most entries counted per key; past it the count reads "at least".
constexpr std::uint64_t count_cap = 100'000;

// KEYS[1]; ARGV: lower bound (exclusive, `(id`), upper bound (inclusive),
// cap. Counts in pages so that no reply is built; its time on the server is
// bounded by the cap.
constexpr std::string_view count_script = R"lua(
local n, from, cap = 0, ARGV[1], tonumber(ARGV[3])
while n < cap do
  local want = math.min(1000, cap - n)
  local page = redis.call('XRANGE', KEYS[1], from, ARGV[2], 'COUNT', want)
  n = n + #page
  if #page < want then break end
  from = '(' .. page[#page][1]
end
return n
)lua";

struct Count {
    std::uint64_t n = 0;
    bool at_least = false;  // the cap was reached
};

struct KeyMove {
    const ShardInfo* key = nullptr;
    MessageId current{};
    MessageId next{};  // the new last delivered id
    std::optional<Count> redelivers{};
    std::optional<Count> skips{};
    bool counted = false;  // needs count_script
};

// What the lag tells without counting: moving to the key's end skips the
// lag; moving before its first entry re-delivers every entry up to here.
KeyMove plan(const KeyGroup& kg, const commands::StreamStart& start) {
    const auto& k = *kg.key;
    KeyMove m{&k, kg.group->last_delivered_id, {}, {}, {}, false};
    m.next =
        start.kind() == commands::StreamStart::Kind::new_entries ? k.last_generated_id : start.id();
    const auto lag = kg.group->lag;
    if (m.next > m.current) {
        m.redelivers = Count{};
        if (lag && (!k.last_id || m.next >= *k.last_id))
            m.skips = Count{*lag, false};
        else
            m.counted = true;
    } else if (m.next < m.current) {
        m.skips = Count{};
        if (lag && (!k.first_id || m.next < *k.first_id) && *lag <= k.length)
            m.redelivers = Count{k.length - *lag, false};
        else
            m.counted = true;
    } else {
        m.redelivers = m.skips = Count{};
    }
    return m;
}

// Counts the entries between the two positions of each move that needs it,
// in one request. A server that refuses scripts leaves them unknown.
void count(RouterClient& link, std::vector<KeyMove>& moves) {
    resp::Request req;
    std::vector<KeyMove*> asked;
    for (auto& m : moves) {
        if (!m.counted) continue;
        const auto lo = std::min(m.current, m.next);
        const auto hi = std::max(m.current, m.next);
        req.command("EVAL")
            .arg(count_script)
            .arg(1)
            .key(m.key->key)
            .arg("(" + lo.to_string())
            .arg(hi)
            .arg(count_cap);
        asked.push_back(&m);
    }
    const auto replies = link.exec(req);
    for (std::size_t i = 0; i < asked.size(); ++i) {
        std::error_code ec;
        const auto n = commands::decode_count(replies[i].root(), ec);
        if (ec) continue;
        auto& m = *asked[i];
        (m.next > m.current ? m.skips : m.redelivers) = Count{n, n >= count_cap};
    }
}

Json count_json(const std::optional<Count>& c) {
    return c ? Json(c->n) : Json(nullptr);
}

std::string count_text(const std::optional<Count>& c) {
    if (!c) return "?";
    return std::to_string(c->n) + (c->at_least ? "+" : "");
}

void print_json(const std::vector<KeyMove>& moves, const SeekArgs& args, std::uint64_t changed) {
    for (const auto& m : moves) {
        Json j{{"key", text_value(m.key->key)},          {"shard", m.key->shard.value},
               {"current", m.current.to_string()},       {"new", m.next.to_string()},
               {"redelivers", count_json(m.redelivers)}, {"skips", count_json(m.skips)}};
        if ((m.redelivers && m.redelivers->at_least) || (m.skips && m.skips->at_least))
            j["at_least"] = true;
        print_json_line(j);
    }
    print_json_line({{"stream", text_value(args.stream)},
                     {"group", text_value(args.group)},
                     {"to", text_value(args.to)},
                     {"dry_run", args.dry_run},
                     {"keys", moves.size()},
                     {"changed", changed}});
}

void print_table(const std::vector<KeyMove>& moves, const SeekArgs& args, std::uint64_t changed) {
    Table table({"KEY", "CURRENT", "NEW", "REDELIVERS", "SKIPS"});
    table.align(3, Table::Align::right).align(4, Table::Align::right);
    for (const auto& m : moves)
        table.add_row({printable(m.key->key), m.current.to_string(), m.next.to_string(),
                       count_text(m.redelivers), count_text(m.skips)});
    table.print();
    if (args.dry_run)
        std::printf("dry run: group %s not moved\n", printable(args.group).c_str());
    else
        std::printf("moved group %s on %llu key(s)\n", printable(args.group).c_str(),
                    static_cast<unsigned long long>(changed));
}

}  // namespace

int run_groups_seek(Context& ctx, const SeekArgs& args) {
    const auto stream = stream_arg(args.stream);
    const auto start = group_start_arg(args.to, "--to");
    auto admin = ctx.admin();
    const auto info = admin.stream_info(stream);
    std::vector<KeyMove> moves;
    for (const auto& kg : keys_with_group(info, args.group))
        moves.push_back(plan(kg, start));
    {
        RouterClient link(ctx);
        count(link, moves);
    }
    std::uint64_t changed = 0;
    if (!args.dry_run) changed = admin.set_group_id(stream, args.group, start);
    if (ctx.json_output())
        print_json(moves, args, changed);
    else
        print_table(moves, args, changed);
    return exit_ok;
}

}  // namespace redstream::cli
