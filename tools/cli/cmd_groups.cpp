// `redstream groups STREAM`: a lag table, one row per consumer group (one
// per key too with -v): lag, pending, consumers, how long the oldest pending
// entry has been idle, and the last delivered id. Its subcommands seek,
// members, create and delete are registered here too.
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <redstream/commands/xinfo.hpp>
#include <redstream/commands/xpending.hpp>
#include <redstream/core/error.hpp>

#include "admin_util.hpp"
#include "groups.hpp"
#include "router_client.hpp"
#include "table.hpp"

namespace redstream::cli {

std::vector<KeyGroup> keys_with_group(const StreamInfo& info, const std::string& group) {
    if (!info.exists())
        throw Error(make_error_code(errc::nogroup),
                    "stream " + std::string(info.stream.name()) + " does not exist");
    std::vector<KeyGroup> out;
    for (const auto& k : info.shards)
        for (const auto& g : k.groups)
            if (g.name == group) out.push_back({&k, &g});
    if (out.empty())
        throw Error(make_error_code(errc::nogroup),
                    "no key of stream " + std::string(info.stream.name()) + " has group " + group);
    return out;
}

namespace {

// One group on one key, with what XINFO GROUPS does not say.
struct KeyLag {
    const ShardInfo* key = nullptr;
    const GroupInfo* group = nullptr;
    std::vector<std::string> consumers;
    std::optional<std::chrono::milliseconds> oldest_idle{};
};

// XINFO CONSUMERS and the oldest pending entry (XPENDING ... - + 1) of
// every group of every key, in one request. A group deleted meanwhile
// (NOGROUP) just has neither.
std::vector<KeyLag> look_up(RouterClient& link, const StreamInfo& info) {
    std::vector<KeyLag> out;
    resp::Request req;
    for (const auto& k : info.shards)
        for (const auto& g : k.groups) {
            out.push_back({&k, &g, {}, {}});
            commands::xinfo_consumers(req, k.key, g.name);
            commands::xpending(req, k.key, g.name, {.count = 1});
        }
    const auto replies = link.exec(req);
    for (std::size_t i = 0; i < out.size(); ++i) {
        std::error_code ec;
        for (const auto& c : commands::decode_xinfo_consumers(replies[2 * i].root(), ec))
            out[i].consumers.emplace_back(c.name);
        if (ec && ec != errc::nogroup) throw Error(ec, "XINFO CONSUMERS " + out[i].key->key);
        ec.clear();
        const auto oldest = commands::decode_xpending(replies[2 * i + 1].root(), ec);
        if (ec && ec != errc::nogroup) throw Error(ec, "XPENDING " + out[i].key->key);
        if (!oldest.empty()) out[i].oldest_idle = oldest.front().idle;
    }
    return out;
}

// A group over every key that has it.
struct GroupTotals {
    std::string name;
    std::optional<std::uint64_t> lag = 0;  // empty when a key cannot tell
    std::uint64_t pending = 0;
    std::set<std::string> consumers{};
    std::optional<std::chrono::milliseconds> oldest_idle{};
    MessageId delivered{};
    std::vector<const KeyLag*> keys{};
};

std::vector<GroupTotals> add_up(const std::vector<KeyLag>& lags) {
    std::vector<GroupTotals> out;
    for (const auto& l : lags) {
        auto at = std::find_if(out.begin(), out.end(),
                               [&](const GroupTotals& t) { return t.name == l.group->name; });
        if (at == out.end()) at = out.insert(out.end(), GroupTotals{.name = l.group->name});
        if (at->lag && l.group->lag)
            *at->lag += *l.group->lag;
        else
            at->lag.reset();
        at->pending += l.group->pending;
        at->consumers.insert(l.consumers.begin(), l.consumers.end());
        if (l.oldest_idle && (!at->oldest_idle || *l.oldest_idle > *at->oldest_idle))
            at->oldest_idle = l.oldest_idle;
        at->delivered = std::max(at->delivered, l.group->last_delivered_id);
        at->keys.push_back(&l);
    }
    return out;
}

// 0-0 is "nothing delivered yet", not a time.
std::optional<MessageId> delivered(MessageId id) {
    if (id == MessageId{}) return std::nullopt;
    return id;
}

Json lag_json(const std::optional<std::uint64_t>& lag) {
    return lag ? Json(*lag) : Json(nullptr);
}

Json idle_json(const std::optional<std::chrono::milliseconds>& idle) {
    return idle ? Json(idle->count()) : Json(nullptr);
}

void print_json(const StreamInfo& info, const std::vector<GroupTotals>& groups, bool verbose) {
    for (const auto& g : groups) {
        Json j;
        j["stream"] = text_value(info.stream.name());
        j["group"] = text_value(g.name);
        j["lag"] = lag_json(g.lag);
        j["pending"] = g.pending;
        j["consumers"] = g.consumers.size();
        j["oldest_pending_idle_ms"] = idle_json(g.oldest_idle);
        j["last_delivered_id"] = g.delivered.to_string();
        j["last_delivered_time"] = id_time_json(delivered(g.delivered));
        if (verbose) {
            j["keys"] = Json::array();
            for (const auto* k : g.keys)
                j["keys"].push_back(
                    {{"key", text_value(k->key->key)},
                     {"shard", k->key->shard.value},
                     {"lag", lag_json(k->group->lag)},
                     {"pending", k->group->pending},
                     {"consumers", k->group->consumers},
                     {"oldest_pending_idle_ms", idle_json(k->oldest_idle)},
                     {"last_delivered_id", k->group->last_delivered_id.to_string()}});
        }
        print_json_line(j);
    }
}

std::string lag_text(const std::optional<std::uint64_t>& lag) {
    return lag ? std::to_string(*lag) : "?";
}

std::string idle_text(const std::optional<std::chrono::milliseconds>& idle) {
    return idle ? format_duration(*idle) : "-";
}

void print_table(const std::vector<GroupTotals>& groups, bool verbose) {
    Table table({"GROUP", "LAG", "PENDING", "CONSUMERS", "OLDEST PENDING IDLE", "LAST DELIVERED",
                 "DELIVERED TIME"});
    for (const auto c : {1, 2, 3, 4})
        table.align(static_cast<std::size_t>(c), Table::Align::right);
    for (const auto& g : groups) {
        table.add_row({printable(g.name), lag_text(g.lag), std::to_string(g.pending),
                       std::to_string(g.consumers.size()), idle_text(g.oldest_idle),
                       g.delivered.to_string(), id_time_text(delivered(g.delivered))});
        for (std::size_t i = 0; verbose && i < g.keys.size(); ++i) {
            const auto& k = *g.keys[i];
            table.add_row({"  " + printable(k.key->key), lag_text(k.group->lag),
                           std::to_string(k.group->pending), std::to_string(k.group->consumers),
                           idle_text(k.oldest_idle), k.group->last_delivered_id.to_string(),
                           id_time_text(delivered(k.group->last_delivered_id))});
        }
    }
    table.print();
}

int run_groups_table(Context& ctx, const GroupArgs& args) {
    if (args.stream.empty()) throw UsageError("STREAM is required");
    const auto info = ctx.admin().stream_info(stream_arg(args.stream));
    if (!info.exists())
        throw Error(make_error_code(errc::nogroup), "stream " + args.stream + " does not exist");
    RouterClient link(ctx);
    const auto lags = look_up(link, info);
    const auto groups = add_up(lags);  // points into lags
    if (ctx.json_output())
        print_json(info, groups, args.verbose);
    else if (groups.empty())
        std::printf("stream %s has no consumer groups\n", printable(args.stream).c_str());
    else
        print_table(groups, args.verbose);
    return exit_ok;
}

struct CreateArgs {
    std::string stream;
    std::string group;
    std::string from = "end";
    bool mkstream = false;
};

int run_groups_create(Context& ctx, const CreateArgs& args) {
    const auto stream = stream_arg(args.stream);
    const auto start = group_start_arg(args.from, "--from");
    const auto n = ctx.admin().create_group(stream, args.group, start, args.mkstream);
    if (ctx.json_output())
        print_json_line({{"stream", text_value(args.stream)},
                         {"group", text_value(args.group)},
                         {"created_on_keys", n}});
    else
        std::printf("created group %s on %llu key(s) of %s\n", printable(args.group).c_str(),
                    static_cast<unsigned long long>(n), printable(args.stream).c_str());
    return exit_ok;
}

int run_groups_delete(Context& ctx, const GroupArgs& args) {
    const auto n = ctx.admin().destroy_group(stream_arg(args.stream), args.group);
    if (n == 0)
        throw Error(make_error_code(errc::nogroup),
                    "no key of stream " + args.stream + " has group " + args.group);
    if (ctx.json_output())
        print_json_line({{"stream", text_value(args.stream)},
                         {"group", text_value(args.group)},
                         {"deleted_on_keys", n}});
    else
        std::printf("deleted group %s from %llu key(s) of %s\n", printable(args.group).c_str(),
                    static_cast<unsigned long long>(n), printable(args.stream).c_str());
    return exit_ok;
}

// STREAM GROUP, both required.
void add_stream_group(CLI::App* sub, std::string& stream, std::string& group) {
    sub->add_option("STREAM", stream, "The stream (all its shards)")->required();
    sub->add_option("GROUP", group, "The consumer group")->required();
}

void add_seek(CLI::App& groups, Context& ctx) {
    auto* sub = groups.add_subcommand(
        "seek", "Move GROUP on every key of STREAM: it next gets the entry at --to");
    auto args = std::make_shared<SeekArgs>();
    add_stream_group(sub, args->stream, args->group);
    sub->add_option("--to", args->to,
                    "beginning, end, an id (the group next gets it), or a time: RFC 3339, "
                    "@MS, -1h (the first entry at or after it)")
        ->required();
    sub->add_flag("--dry-run", args->dry_run,
                  "Show the current and the new position of each key and what it would "
                  "re-deliver or skip; change nothing");
    sub->callback([&ctx, args] { ctx.run = [&ctx, args] { return run_groups_seek(ctx, *args); }; });
}

void add_members(CLI::App& groups, Context& ctx) {
    auto* sub = groups.add_subcommand(
        "members", "Members of GROUP: pending entries and idle time (over every key)");
    auto args = std::make_shared<GroupArgs>();
    add_stream_group(sub, args->stream, args->group);
    sub->add_flag("-v,--verbose", args->verbose, "Show each key too");
    sub->callback(
        [&ctx, args] { ctx.run = [&ctx, args] { return run_groups_members(ctx, *args); }; });
}

void add_create(CLI::App& groups, Context& ctx) {
    auto* sub =
        groups.add_subcommand("create", "Create GROUP on every key of STREAM that lacks it");
    auto args = std::make_shared<CreateArgs>();
    add_stream_group(sub, args->stream, args->group);
    sub->add_option("--from", args->from,
                    "Where the group starts: end (only new entries), beginning, an id or a time")
        ->capture_default_str();
    sub->add_flag("--mkstream", args->mkstream, "Create the stream if it has no key");
    sub->callback(
        [&ctx, args] { ctx.run = [&ctx, args] { return run_groups_create(ctx, *args); }; });
}

void add_delete(CLI::App& groups, Context& ctx) {
    auto* sub = groups.add_subcommand(
        "delete", "Delete GROUP from every key of STREAM (its pending entries go with it)");
    auto args = std::make_shared<GroupArgs>();
    add_stream_group(sub, args->stream, args->group);
    sub->callback(
        [&ctx, args] { ctx.run = [&ctx, args] { return run_groups_delete(ctx, *args); }; });
}

}  // namespace

void add_groups(CLI::App& app, Context& ctx) {
    auto* sub = app.add_subcommand(
        "groups",
        "Consumer groups of STREAM: lag, pending, consumers, oldest pending idle time, last "
        "delivered id; subcommands seek, members, create, delete");
    sub->require_subcommand(0, 1);
    auto args = std::make_shared<GroupArgs>();
    sub->add_option("STREAM", args->stream, "The stream (all its shards)");
    sub->add_flag("-v,--verbose", args->verbose, "Show each key (shard) of each group too");
    add_seek(*sub, ctx);
    add_members(*sub, ctx);
    add_create(*sub, ctx);
    add_delete(*sub, ctx);
    sub->callback([sub, &ctx, args] {
        if (!sub->get_subcommands().empty()) return;  // the subcommand set ctx.run
        ctx.run = [&ctx, args] { return run_groups_table(ctx, *args); };
    });
}

}  // namespace redstream::cli
