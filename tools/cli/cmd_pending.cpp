// `redstream pending`: a group's pending entries over every key of a stream,
// and a summary. `redstream claim`: gives pending entries to another member
// (Admin::claim). `redstream dlq` is in dlq.cpp; all three register here.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "admin_util.hpp"
#include "cli.hpp"
#include "dlq.hpp"
#include "table.hpp"

namespace redstream::cli {

namespace {

struct PendingArgs {
    std::string stream;
    std::string group;
    std::string member;
    std::string min_idle;
    std::uint64_t count = PendingOptions::default_count;
};

struct ClaimArgs {
    std::string stream;
    std::string group;
    std::string member;
    std::string min_idle;
    std::vector<std::string> ids;
    std::string all_from;
};

// Entries a claim --all-from asks for per round.
constexpr std::uint64_t claim_batch = 1000;

Json pending_json(const PendingEntryInfo& e) {
    return {{"key", text_value(e.key)},         {"shard", e.shard.value},
            {"id", e.id.to_string()},           {"time", format_time(timestamp_of(e.id))},
            {"member", text_value(e.consumer)}, {"idle_ms", e.idle.count()},
            {"deliveries", e.deliveries}};
}

void print_pending(const std::vector<PendingEntryInfo>& entries, const PendingSummary& summary,
                   const PendingArgs& args, bool json) {
    if (json) {
        for (const auto& e : entries)
            print_json_line(pending_json(e));
        Json members = Json::array();
        for (const auto& c : summary.consumers)
            members.push_back({{"member", text_value(c.name)}, {"pending", c.pending}});
        print_json_line({{"stream", text_value(args.stream)},
                         {"group", text_value(args.group)},
                         {"pending", summary.count},
                         {"keys", summary.shards.size()},
                         {"listed", entries.size()},
                         {"members", members}});
        return;
    }
    if (!entries.empty()) {
        Table table({"KEY", "ID", "MEMBER", "IDLE", "DELIVERIES"});
        table.align(3, Table::Align::right).align(4, Table::Align::right);
        for (const auto& e : entries)
            table.add_row({printable(e.key), e.id.to_string(), printable(e.consumer),
                           format_duration(e.idle), std::to_string(e.deliveries)});
        table.print();
    }
    std::string members;
    for (const auto& c : summary.consumers)
        members +=
            (members.empty() ? "" : ", ") + printable(c.name) + " " + std::to_string(c.pending);
    std::printf("%llu pending in group %s over %zu key(s); %zu listed%s%s\n",
                static_cast<unsigned long long>(summary.count), printable(args.group).c_str(),
                summary.shards.size(), entries.size(),
                members.empty() ? "" : "; members: ", members.c_str());
}

int run_pending(Context& ctx, const PendingArgs& args) {
    const auto stream = stream_arg(args.stream);
    if (args.count == 0) throw UsageError("--count must be at least 1");
    PendingOptions options;
    if (!args.min_idle.empty()) options.min_idle = duration_arg(args.min_idle, "--min-idle");
    options.count = args.count;
    options.consumer = args.member;
    auto admin = ctx.admin();
    const auto summary = admin.pending_summary(stream, args.group);
    const auto entries = admin.pending(stream, args.group, options);
    print_pending(entries, summary, args, ctx.json_output());
    return exit_ok;
}

// The keys where each id is pending in the group (an id alone may be in
// several shards).
std::vector<EntryRef> find_ids(const Admin& admin, const StreamKey& stream, const ClaimArgs& args,
                               std::chrono::milliseconds min_idle) {
    std::vector<EntryRef> refs;
    for (const auto& text : args.ids) {
        const auto id = MessageId::parse(text);
        if (!id) throw UsageError("bad id: " + text + " (want ms-seq)");
        PendingOptions options;
        options.start = options.end = commands::RangeBound::inclusive(*id);
        options.min_idle = min_idle;
        options.count = admin.options().max_keys;
        for (const auto& e : admin.pending(stream, args.group, options))
            refs.push_back({e.key, e.id});
    }
    return refs;
}

// Every entry of args.all_from idle long enough, a batch at a time, until a
// round finds none (or claims none: they were acked or claimed meanwhile).
std::vector<EntryRef> claim_all_from(const Admin& admin, const StreamKey& stream,
                                     const ClaimArgs& args, std::chrono::milliseconds min_idle) {
    std::vector<EntryRef> claimed;
    PendingOptions options;
    options.min_idle = min_idle;
    options.count = claim_batch;
    options.consumer = args.all_from;
    while (!stop_requested()) {
        std::vector<EntryRef> batch;
        for (const auto& e : admin.pending(stream, args.group, options))
            batch.push_back({e.key, e.id});
        if (batch.empty()) break;
        auto got = admin.claim(stream, args.group, args.member, min_idle, batch);
        if (got.empty()) break;
        claimed.insert(claimed.end(), got.begin(), got.end());
    }
    return claimed;
}

void print_claimed(const std::vector<EntryRef>& claimed, std::size_t asked, const ClaimArgs& args,
                   bool json) {
    if (json) {
        for (const auto& e : claimed)
            print_json_line({{"key", text_value(e.key)},
                             {"id", e.id.to_string()},
                             {"member", text_value(args.member)}});
        print_json_line({{"stream", text_value(args.stream)},
                         {"group", text_value(args.group)},
                         {"member", text_value(args.member)},
                         {"claimed", claimed.size()},
                         {"asked", asked}});
        return;
    }
    if (!claimed.empty()) {
        Table table({"KEY", "ID"});
        for (const auto& e : claimed)
            table.add_row({printable(e.key), e.id.to_string()});
        table.print();
    }
    std::printf("claimed %zu of %zu entr%s for %s\n", claimed.size(), asked,
                asked == 1 ? "y" : "ies", printable(args.member).c_str());
}

int run_claim(Context& ctx, const ClaimArgs& args) {
    const auto stream = stream_arg(args.stream);
    const auto min_idle = duration_arg(args.min_idle, "--min-idle");
    if (args.ids.empty() == args.all_from.empty())
        throw UsageError("give either IDS or --all-from MEMBER");
    const auto admin = ctx.admin();
    std::vector<EntryRef> claimed;
    std::size_t asked = 0;
    if (!args.all_from.empty()) {
        claimed = claim_all_from(admin, stream, args, min_idle);
        asked = claimed.size();
    } else {
        const auto refs = find_ids(admin, stream, args, min_idle);
        asked = args.ids.size();
        if (!refs.empty()) claimed = admin.claim(stream, args.group, args.member, min_idle, refs);
    }
    print_claimed(claimed, asked, args, ctx.json_output());
    return exit_ok;
}

void add_pending_command(CLI::App& app, Context& ctx) {
    auto* sub = app.add_subcommand(
        "pending", "Pending entries of GROUP over every key of STREAM, and a summary");
    auto args = std::make_shared<PendingArgs>();
    sub->add_option("STREAM", args->stream, "The stream (all its shards)")->required();
    sub->add_option("GROUP", args->group, "The consumer group")->required();
    sub->add_option("--member", args->member, "Only this member's entries");
    sub->add_option("--min-idle", args->min_idle,
                    "Only entries idle at least this long (e.g. 30s, 5m)");
    sub->add_option("--count", args->count, "Most entries listed (the oldest ids first)")
        ->capture_default_str();
    sub->callback([&ctx, args] { ctx.run = [&ctx, args] { return run_pending(ctx, *args); }; });
}

void add_claim_command(CLI::App& app, Context& ctx) {
    auto* sub = app.add_subcommand(
        "claim",
        "Give pending entries of GROUP to --member: the IDS given, or all of --all-from's");
    auto args = std::make_shared<ClaimArgs>();
    sub->add_option("STREAM", args->stream, "The stream (all its shards)")->required();
    sub->add_option("GROUP", args->group, "The consumer group")->required();
    sub->add_option("IDS", args->ids,
                    "Entry ids (ms-seq); each is claimed on every key where "
                    "it is pending");
    sub->add_option("--member", args->member, "The member that gets them")->required();
    sub->add_option("--min-idle", args->min_idle,
                    "Only entries idle at least this long (e.g. 0, 30s, 5m)")
        ->required();
    sub->add_option("--all-from", args->all_from, "Every entry this member has pending");
    sub->callback([&ctx, args] { ctx.run = [&ctx, args] { return run_claim(ctx, *args); }; });
}

}  // namespace

void add_pending(CLI::App& app, Context& ctx) {
    add_pending_command(app, ctx);
    add_claim_command(app, ctx);
    add_dlq_command(app, ctx);
}

}  // namespace redstream::cli
