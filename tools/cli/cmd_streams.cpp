// `redstream streams [PATTERN]`: every stream whose name matches, its shards
// added up — length, first and last ids and their times, groups, and the
// memory its keys take (MEMORY USAGE of each key, summed). -v shows each key.
#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <redstream/commands/types.hpp>

#include "admin_util.hpp"
#include "cli.hpp"
#include "router_client.hpp"
#include "table.hpp"

namespace redstream::cli {

namespace {

struct StreamsArgs {
    std::string pattern = "*";
    std::size_t limit = Admin::default_limit;
    bool verbose = false;
};

// MEMORY USAGE per request: enough to save round trips, small enough that a
// slow master does not hold up a large reply.
constexpr std::size_t memory_batch = 512;

// MEMORY USAGE of each key (0 for a key gone meanwhile), in order.
std::vector<std::uint64_t> memory_usage(RouterClient& link, const std::vector<std::string>& keys) {
    std::vector<std::uint64_t> out;
    out.reserve(keys.size());
    for (std::size_t from = 0; from < keys.size(); from += memory_batch) {
        resp::Request req;
        const auto to = std::min(keys.size(), from + memory_batch);
        for (std::size_t i = from; i < to; ++i)
            req.command("MEMORY").arg("USAGE").key(keys[i]);
        const auto replies = link.exec(req);
        for (std::size_t i = 0; i < replies.size(); ++i) {
            const auto v = replies[i].root();
            std::error_code ec;
            const auto n = v.is_null() ? 0 : commands::decode_count(v, ec);
            if (ec) throw Error(ec, "MEMORY USAGE " + keys[from + i]);
            out.push_back(n);
        }
    }
    return out;
}

// One stream's keys added up.
struct StreamTotals {
    std::uint64_t length = 0;
    std::optional<MessageId> first{};
    std::optional<MessageId> last{};
    std::set<std::string> groups;
    std::uint64_t memory = 0;
};

StreamTotals totals(const StreamInfo& s, const std::vector<std::uint64_t>& memory, std::size_t at) {
    StreamTotals t;
    for (std::size_t i = 0; i < s.shards.size(); ++i) {
        const auto& k = s.shards[i];
        t.length += k.length;
        if (k.first_id && (!t.first || *k.first_id < *t.first)) t.first = k.first_id;
        if (k.last_id && (!t.last || *k.last_id > *t.last)) t.last = k.last_id;
        for (const auto& g : k.groups)
            t.groups.insert(g.name);
        t.memory += memory[at + i];
    }
    return t;
}

Json groups_json(const std::set<std::string>& names) {
    Json out = Json::array();
    for (const auto& n : names)
        out.push_back(text_value(n));
    return out;
}

Json key_json(const ShardInfo& k, std::uint64_t memory) {
    std::set<std::string> names;
    for (const auto& g : k.groups)
        names.insert(g.name);
    Json j;
    j["key"] = text_value(k.key);
    j["shard"] = k.shard.value;
    j["node"] = k.node.empty() ? Json(nullptr) : Json(k.node);
    j["length"] = k.length;
    j["first_id"] = id_json(k.first_id);
    j["first_time"] = id_time_json(k.first_id);
    j["last_id"] = id_json(k.last_id);
    j["last_time"] = id_time_json(k.last_id);
    j["groups"] = groups_json(names);
    j["memory"] = memory;
    return j;
}

void print_json(const StreamList& list, const std::vector<std::uint64_t>& memory, bool verbose) {
    std::size_t at = 0;
    for (const auto& s : list.streams) {
        const auto t = totals(s, memory, at);
        Json j;
        j["stream"] = text_value(s.stream.name());
        j["shards"] = s.shards.size();
        j["length"] = t.length;
        j["first_id"] = id_json(t.first);
        j["first_time"] = id_time_json(t.first);
        j["last_id"] = id_json(t.last);
        j["last_time"] = id_time_json(t.last);
        j["groups"] = groups_json(t.groups);
        j["memory"] = t.memory;
        if (verbose) {
            j["keys"] = Json::array();
            for (std::size_t i = 0; i < s.shards.size(); ++i)
                j["keys"].push_back(key_json(s.shards[i], memory[at + i]));
        }
        print_json_line(j);
        at += s.shards.size();
    }
}

void print_table(const StreamList& list, const std::vector<std::uint64_t>& memory, bool verbose) {
    Table table({"STREAM", "SHARDS", "LENGTH", "FIRST ID", "FIRST TIME", "LAST ID", "LAST TIME",
                 "GROUPS", "MEMORY"});
    for (const auto c : {1, 2, 7, 8})
        table.align(static_cast<std::size_t>(c), Table::Align::right);
    std::size_t at = 0;
    for (const auto& s : list.streams) {
        const auto t = totals(s, memory, at);
        table.add_row({printable(s.stream.name()), std::to_string(s.shards.size()),
                       std::to_string(t.length), id_text(t.first), id_time_text(t.first),
                       id_text(t.last), id_time_text(t.last), std::to_string(t.groups.size()),
                       format_bytes(t.memory)});
        for (std::size_t i = 0; verbose && i < s.shards.size(); ++i) {
            const auto& k = s.shards[i];
            const auto where = k.node.empty() ? "" : " @" + k.node;
            table.add_row({"  " + printable(k.key) + where, "#" + std::to_string(k.shard.value),
                           std::to_string(k.length), id_text(k.first_id), id_time_text(k.first_id),
                           id_text(k.last_id), id_time_text(k.last_id),
                           std::to_string(k.groups.size()), format_bytes(memory[at + i])});
        }
        at += s.shards.size();
    }
    table.print();
}

int run_streams(Context& ctx, const StreamsArgs& args) {
    if (args.limit == 0) throw UsageError("--limit must be at least 1");
    const auto list = ctx.admin().streams(args.pattern, args.limit);
    std::vector<std::string> keys;
    for (const auto& s : list.streams)
        for (const auto& k : s.shards)
            keys.push_back(k.key);
    std::vector<std::uint64_t> memory;
    if (!keys.empty()) {
        RouterClient link(ctx);
        memory = memory_usage(link, keys);
    }
    if (ctx.json_output()) {
        print_json(list, memory, args.verbose);
    } else if (list.streams.empty()) {
        std::printf("no stream matches %s\n", printable(args.pattern).c_str());
    } else {
        print_table(list, memory, args.verbose);
    }
    if (list.truncated)
        std::fprintf(stderr, "redstream streams: stopped at --limit %zu keys; more streams match\n",
                     args.limit);
    return exit_ok;
}

}  // namespace

void add_streams(CLI::App& app, Context& ctx) {
    auto* sub = app.add_subcommand(
        "streams",
        "List streams (all their shards added up): length, first and last ids and times, "
        "groups, memory");
    auto args = std::make_shared<StreamsArgs>();
    sub->add_option("PATTERN", args->pattern,
                    "Only streams whose name matches this glob (*, ?, [a-z], \\ escapes)")
        ->capture_default_str();
    sub->add_option("--limit", args->limit, "Most keys to list (over every stream)")
        ->capture_default_str();
    sub->add_flag("-v,--verbose", args->verbose, "Show each shard (key) and its master too");
    sub->callback([&ctx, args] { ctx.run = [&ctx, args] { return run_streams(ctx, *args); }; });
}

}  // namespace redstream::cli
